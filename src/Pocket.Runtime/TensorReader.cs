using Pocket.Format;

namespace Pocket.Runtime;

/// <summary>
/// Looks up a node's parameter tensors and checks them against the sizes the node's attributes imply, so a
/// corrupt or mismatched model fails at Load with the node's name rather than with an index error mid-predict.
/// </summary>
internal sealed class TensorReader
{
    private readonly IReadOnlyDictionary<string, PocketTensor> _tensors;

    public TensorReader(IReadOnlyDictionary<string, PocketTensor> tensors) => _tensors = tensors;

    /// <summary>The tensor named in slot <paramref name="slot"/> of the node, or null when the slot is absent or "".</summary>
    public PocketTensor? Optional(NodeContext node, int slot, string role, long expectedElements)
    {
        string[] names = node.Node.Tensors ?? [];
        if (slot >= names.Length || string.IsNullOrEmpty(names[slot])) return null;
        return Get(node, names[slot], role, expectedElements);
    }

    public PocketTensor Required(NodeContext node, int slot, string role, long expectedElements)
    {
        string[] names = node.Node.Tensors ?? [];
        if (slot >= names.Length || string.IsNullOrEmpty(names[slot]))
            throw node.Error($"{node.Node.Op} needs a {role} tensor (tensor slot {slot}) but none is named");
        return Get(node, names[slot], role, expectedElements);
    }

    private PocketTensor Get(NodeContext node, string name, string role, long expectedElements)
    {
        if (_tensors is null || !_tensors.TryGetValue(name, out PocketTensor? tensor) || tensor is null)
            throw node.Error($"{role} tensor '{name}' is missing from the model");
        if (tensor.Shape is null || tensor.ElementCount != expectedElements)
            throw node.Error($"{role} tensor '{name}' has shape [{string.Join(",", tensor.Shape ?? [])}] ({tensor.ElementCount} elements), expected {expectedElements} elements");
        Validate(node, tensor, role);
        return tensor;
    }

    /// <summary>Checks the encoding's internal consistency (lengths, index ranges) so kernels can skip bounds checks.</summary>
    private static void Validate(NodeContext node, PocketTensor tensor, string role)
    {
        long n = tensor.ElementCount;
        string what = $"{role} tensor '{tensor.Name}'";
        switch (tensor)
        {
            case DenseTensor d:
                if (d.Values is null || d.Values.Length != n) throw node.Error($"{what} holds {d.Values?.Length ?? 0} values, expected {n}");
                break;
            case QuantizedDenseTensor q:
                if (q.Codebook is null || q.Codebook.Length == 0) throw node.Error($"{what} has an empty codebook");
                if (q.Codes is null || q.Codes.Length != n) throw node.Error($"{what} holds {q.Codes?.Length ?? 0} codes, expected {n}");
                foreach (ushort c in q.Codes)
                    if (c >= q.Codebook.Length) throw node.Error($"{what} has code {c} outside its {q.Codebook.Length}-entry codebook");
                break;
            case SparseQuantizedTensor s:
                if (s.Codebook is null || s.Codebook.Length == 0) throw node.Error($"{what} has an empty codebook");
                if (s.Positions is null || s.Codes is null || s.Positions.Length != s.Codes.Length)
                    throw node.Error($"{what} has {s.Positions?.Length ?? 0} positions but {s.Codes?.Length ?? 0} codes");
                for (int i = 0; i < s.Positions.Length; i++)
                {
                    int p = s.Positions[i];
                    if (p < 0 || p >= n || (i > 0 && p <= s.Positions[i - 1]))
                        throw node.Error($"{what} has position {p} at index {i} (positions must be ascending and within {n})");
                    if (s.Codes[i] >= s.Codebook.Length) throw node.Error($"{what} has code {s.Codes[i]} outside its {s.Codebook.Length}-entry codebook");
                }
                break;
            case BinaryTensor b:
                if (b.Bits is null || b.Bits.LongLength * 8 < n) throw node.Error($"{what} holds {b.Bits?.Length ?? 0} bytes of bits, expected {(n + 7) / 8}");
                if (b.Scales is null || b.Shape.Length == 0 || b.Scales.Length != b.Shape[0])
                    throw node.Error($"{what} has {b.Scales?.Length ?? 0} scales for {(b.Shape.Length > 0 ? b.Shape[0] : 0)} filters");
                break;
            default:
                throw node.Error($"{what} uses an encoding the runtime does not know ({tensor.GetType().Name})");
        }
    }
}

/// <summary>A graph node with its index, for error messages.</summary>
internal readonly record struct NodeContext(int Index, GraphNode Node)
{
    public PocketRuntimeException Error(string problem) => PocketRuntimeException.ForNode(Index, Node.Name ?? "", problem);
}
