namespace Pocket.Training.Models;

/// <summary>The two published SqueezeNet layouts.</summary>
public enum SqueezeNetVersion
{
    /// <summary>The paper's network: conv1 96@7×7, pools after conv1, fire4 and fire8.</summary>
    V1_0,

    /// <summary>The SqueezeNet repository's v1.1: conv1 64@3×3, pools after conv1, fire3 and fire5.</summary>
    V1_1,
}
