namespace Pocket.Format;

/// <summary>
/// The operations a Pocket model graph can hold. The numeric values are stored in the file: never renumber,
/// only append. What each op's <see cref="GraphNode.Attributes"/> and <see cref="GraphNode.Tensors"/> mean is
/// listed here and in docs/format.md.
/// </summary>
public enum OpKind : byte
{
    /// <summary>The network input. Attributes: [C, H, W] (a flat input is [N, 1, 1]). No inputs, no tensors.</summary>
    Input = 0,

    /// <summary>2-D convolution, NCHW. Attributes: [outC, inC, kH, kW, strideH, strideW, padH, padW, groups].
    /// Tensors: [weight (outC × inC/groups × kH × kW), bias (outC) or ""].</summary>
    Conv2d = 1,

    /// <summary>Fully connected: y = W x + b. Attributes: [out, in]. Tensors: [weight (out × in), bias (out) or ""].</summary>
    Linear = 2,

    /// <summary>max(x, 0). No attributes.</summary>
    Relu = 3,

    /// <summary>min(max(x, 0), 6). No attributes.</summary>
    Relu6 = 4,

    /// <summary>Max pooling. Attributes: [kH, kW, strideH, strideW, padH, padW, ceilMode (0/1)].</summary>
    MaxPool2d = 5,

    /// <summary>Average pooling (padding counted as zeros, PyTorch's default count_include_pad).
    /// Attributes: [kH, kW, strideH, strideW, padH, padW, ceilMode (0/1)].</summary>
    AvgPool2d = 6,

    /// <summary>Mean over H and W, giving C × 1 × 1. No attributes.</summary>
    GlobalAvgPool = 7,

    /// <summary>Concatenation of all inputs along the channel axis. No attributes.</summary>
    Concat = 8,

    /// <summary>Element-wise sum of two inputs of the same shape. No attributes.</summary>
    Add = 9,

    /// <summary>Reshape C × H × W to (C·H·W) × 1 × 1. No attributes.</summary>
    Flatten = 10,

    /// <summary>Softmax over the flattened input. No attributes.</summary>
    Softmax = 11,

    /// <summary>Inference-mode batch normalisation. Attributes: [C]. FloatAttributes: [eps].
    /// Tensors: [weight (gamma), bias (beta), running_mean, running_var], each of length C.
    /// A runtime may fold it into the preceding convolution.</summary>
    BatchNorm2d = 12,

    /// <summary>1 / (1 + e^−x). No attributes. (Imported ONNX models.)</summary>
    Sigmoid = 13,

    /// <summary>x for x ≥ 0, alpha·x otherwise. No attributes; FloatAttributes: [alpha]. (Imported ONNX models.)</summary>
    LeakyRelu = 14,
}
