using System.Numerics.Tensors;

namespace Pocket.Runtime.Ops;

/// <summary>An activation applied in the epilogue of the layer that produced the values, saving a memory pass.</summary>
internal enum FusedActivation
{
    None,
    Relu,
    Relu6,
}

internal static class FusedActivationExtensions
{
    public static void ApplyInPlace(this FusedActivation activation, Span<float> values)
    {
        switch (activation)
        {
            case FusedActivation.Relu:
                TensorPrimitives.Max(values, 0f, values);
                break;
            case FusedActivation.Relu6:
                TensorPrimitives.Clamp(values, 0f, 6f, values);
                break;
        }
    }

    public static float Apply(this FusedActivation activation, float value) => activation switch
    {
        FusedActivation.Relu => MathF.Max(value, 0f),
        FusedActivation.Relu6 => MathF.Min(MathF.Max(value, 0f), 6f),
        _ => value,
    };

    public static string Suffix(this FusedActivation activation) => activation switch
    {
        FusedActivation.Relu => "+relu",
        FusedActivation.Relu6 => "+relu6",
        _ => "",
    };
}
