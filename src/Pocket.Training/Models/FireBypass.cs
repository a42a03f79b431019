namespace Pocket.Training.Models;

/// <summary>How a SqueezeNet Fire module is bypassed (Iandola et al. 2016, §6.2 and Figure 2).</summary>
public enum FireBypass
{
    /// <summary>No bypass: the vanilla architecture.</summary>
    None,

    /// <summary>The module's input is added to its output (only where input and output channels match).</summary>
    Identity,

    /// <summary>A 1×1 convolution (with bias, no ReLU) projects the input to the output's channels before the add.</summary>
    Projection,
}
