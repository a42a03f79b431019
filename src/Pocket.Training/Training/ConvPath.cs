namespace Pocket.Training.Training;

/// <summary>Which of libtorch's implementations runs float32 conv.</summary>
public enum ConvPath
{
    /// <summary>oneDNN (mkldnn), libtorch's default on x86-64.</summary>
    OneDnn,

    /// <summary>libtorch's own im2col + BLAS kernels (oneDNN turned off in the global context).</summary>
    Native,
}
