using Pocket.Format;

namespace Pocket.Training.Compression;

/// <summary>
/// Conv weights that only ever multiply padding. A k×k tap (ky, kx) of a convolution reads input row
/// oy·stride − pad + ky for the output rows oy; when every such row (or column) lies in the zero padding, the tap's
/// weights contribute exactly nothing to any output and receive no gradient. Compact networks run at small
/// resolutions have many: SqueezeNet 1.1 at 28×28 reaches fire6 … fire9 at 1×1, where 8 of each expand3x3 filter's
/// 9 taps see only padding (409,600 of its 723,520 weights). Magnitude pruning cannot tell them from useful weights
/// and would keep many of them instead of live ones, so pruning removes them first (losslessly: outputs unchanged).
/// </summary>
public static class DeadConvTaps
{
    /// <summary>
    /// Per Conv2d weight tensor of the graph with at least one dead tap, the mask (row-major over
    /// outC × inC/groups × kH × kW, true = the weight can affect an output).
    /// </summary>
    public static IReadOnlyDictionary<string, bool[]> Masks(ModelGraph graph)
    {
        var shapes = Runtime.GraphShapes.Infer(graph.Nodes);
        var masks = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        for (int n = 0; n < graph.Nodes.Count; n++)
        {
            var node = graph.Nodes[n];
            if (node.Op != OpKind.Conv2d || node.Tensors.Length == 0 || node.Tensors[0].Length == 0) continue;
            var a = node.Attributes; // [outC, inC, kH, kW, strideH, strideW, padH, padW, groups]
            var input = shapes[node.Inputs[0]];
            var output = shapes[n];
            bool[] rows = LiveTaps(a[2], a[4], a[6], input.Height, output.Height);
            bool[] columns = LiveTaps(a[3], a[5], a[7], input.Width, output.Width);
            if (rows.All(r => r) && columns.All(c => c)) continue;
            int taps = a[2] * a[3], filters = a[0] * (a[1] / a[8]);
            var mask = new bool[filters * taps];
            for (int f = 0; f < filters; f++)
                for (int ky = 0; ky < a[2]; ky++)
                    for (int kx = 0; kx < a[3]; kx++)
                        mask[f * taps + ky * a[3] + kx] = rows[ky] && columns[kx];
            masks[node.Tensors[0]] = mask;
        }
        return masks;
    }

    /// <summary>Along one axis: whether tap k reads a real input index (0 ≤ o·stride − pad + k &lt; size) for some output index o.</summary>
    private static bool[] LiveTaps(int kernel, int stride, int pad, int size, int outputs)
    {
        var live = new bool[kernel];
        for (int k = 0; k < kernel; k++)
            for (int o = 0; o < outputs && !live[k]; o++)
            {
                int i = o * stride - pad + k;
                live[k] = i >= 0 && i < size;
            }
        return live;
    }
}
