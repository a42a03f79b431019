namespace Pocket.Onnx;

/// <summary>What an ONNX value name stands for while a graph is imported.</summary>
internal abstract record ImportedValue;

/// <summary>A value known at import time; folded into the weights or attributes of the ops that read it.</summary>
internal sealed record ConstantValue(ConstantTensor Tensor) : ImportedValue;

/// <summary>
/// A per-sample activation: the output of Pocket node <paramref name="Node"/>, seen by ONNX as a tensor of rank
/// <paramref name="Rank"/> (2: [N, features], 4: [N, C, H, W], 3: [N, C, H] with W = 1) with a batch axis first. A zero Pad not yet applied
/// is carried as <paramref name="PadH"/> × <paramref name="PadW"/> until the conv or pool that reads it absorbs it.
/// </summary>
internal sealed record ActivationValue(int Node, int Rank, int PadH = 0, int PadW = 0) : ImportedValue
{
    public bool HasPendingPad => PadH != 0 || PadW != 0;
}
