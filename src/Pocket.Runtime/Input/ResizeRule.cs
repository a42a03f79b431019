namespace Pocket.Runtime.Input;

/// <summary>How an image's spatial size becomes the model's H×W.</summary>
public enum ResizeRule
{
    /// <summary>An image no larger than the input is centred in zeros (the classic LeNet treatment of 28×28 MNIST in a
    /// 32×32 input); an image of the input's size is used as is; a larger one is refused. Pocket's own models use it.</summary>
    Pad,

    /// <summary>Bilinear interpolation to exactly H×W, aspect ratio not kept, with half-pixel centres and edge
    /// clamping: PyTorch's <c>F.interpolate(mode="bilinear", align_corners=False, antialias=False)</c>.</summary>
    Bilinear,
}
