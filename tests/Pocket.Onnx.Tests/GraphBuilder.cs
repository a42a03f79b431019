using Pocket.Format;

namespace Pocket.Onnx.Tests;

/// <summary>Builds small <see cref="PocketModel"/>s in code with seeded random weights (dense, sparse-quantized or
/// quantized-dense), so the exporter is checked on every tensor encoding a .pocket file can hold.</summary>
internal sealed class GraphBuilder(int seed)
{
    private readonly List<GraphNode> _nodes = [];
    private readonly Dictionary<string, PocketTensor> _tensors = new(StringComparer.Ordinal);
    private readonly Random _random = new(seed);

    public int Input(int c, int h, int w) => Add(GraphNode.Create("input", OpKind.Input, [], [c, h, w]));

    public int Add(GraphNode node)
    {
        _nodes.Add(node);
        return _nodes.Count - 1;
    }

    public int Op(string name, OpKind op, params int[] inputs) => Add(GraphNode.Create(name, op, inputs));

    public int Conv(int input, string name, int inC, int outC, int k, int stride = 1, int pad = 0, int groups = 1, bool bias = true, bool quantized = false)
    {
        int[] shape = [outC, inC / groups, k, k];
        float scale = 1f / MathF.Sqrt(inC / groups * k * k);
        PocketTensor weight = quantized ? QuantizedDense(name + ".weight", shape, scale) : Dense(name + ".weight", shape, scale);
        string biasName = bias ? Dense(name + ".bias", [outC], 0.5f).Name : "";
        return Add(GraphNode.Create(name, OpKind.Conv2d, [input], [outC, inC, k, k, stride, stride, pad, pad, groups], [weight.Name, biasName]));
    }

    public int Linear(int input, string name, int inF, int outF, double density = 1, bool bias = true)
    {
        PocketTensor weight = density < 1 ? Sparse(name + ".weight", outF, inF, density, 1f / MathF.Sqrt(inF * (float)density))
            : Dense(name + ".weight", [outF, inF], 1f / MathF.Sqrt(inF));
        string biasName = bias ? Dense(name + ".bias", [outF], 0.5f).Name : "";
        return Add(GraphNode.Create(name, OpKind.Linear, [input], [outF, inF], [weight.Name, biasName]));
    }

    public int BatchNorm(int input, string name, int c)
    {
        Set(new DenseTensor(name + ".weight", [c], Values(c, 0.5f).Select(v => 1f + v).ToArray()));
        Dense(name + ".bias", [c], 0.3f);
        Dense(name + ".running_mean", [c], 0.3f);
        Set(new DenseTensor(name + ".running_var", [c], Values(c, 0.8f).Select(v => 1f + v).ToArray()));
        return Add(GraphNode.Create(name, OpKind.BatchNorm2d, [input], [c],
            [name + ".weight", name + ".bias", name + ".running_mean", name + ".running_var"], [1e-5f]));
    }

    public int Pool(int input, string name, OpKind op, int k, int stride, int pad = 0, bool ceil = false) =>
        Add(GraphNode.Create(name, op, [input], [k, k, stride, stride, pad, pad, ceil ? 1 : 0]));

    public PocketModel Build(string dataset = "mnist") => new(new ModelGraph(_nodes.ToList()), new Dictionary<string, PocketTensor>(_tensors),
        new Dictionary<string, string> { ["model"] = "test", ["dataset"] = dataset });

    public float[] Values(long n, float scale)
    {
        var values = new float[n];
        for (long i = 0; i < n; i++) values[i] = (float)(_random.NextDouble() * 2 - 1) * scale;
        return values;
    }

    private DenseTensor Dense(string name, int[] shape, float scale)
    {
        var t = new DenseTensor(name, shape, Values(shape.Aggregate(1L, (a, d) => a * d), scale));
        Set(t);
        return t;
    }

    /// <summary>A pruned + quantized weight like Deep Compression writes: ~density of the entries kept, 5-bit codebook.</summary>
    private SparseQuantizedTensor Sparse(string name, int rows, int cols, double density, float scale)
    {
        float[] codebook = Values(32, scale).Select(v => v == 0 ? 0.01f : v).ToArray();
        var positions = new List<int>();
        var codes = new List<ushort>();
        for (int p = 0; p < rows * cols; p++)
        {
            if (_random.NextDouble() >= density) continue;
            positions.Add(p);
            codes.Add((ushort)_random.Next(codebook.Length));
        }
        var t = new SparseQuantizedTensor(name, [rows, cols], codebook, positions.ToArray(), codes.ToArray(), 5);
        Set(t);
        return t;
    }

    private QuantizedDenseTensor QuantizedDense(string name, int[] shape, float scale)
    {
        float[] codebook = Values(16, scale);
        long n = shape.Aggregate(1L, (a, d) => a * d);
        var codes = new ushort[n];
        for (long i = 0; i < n; i++) codes[i] = (ushort)_random.Next(codebook.Length);
        var t = new QuantizedDenseTensor(name, shape, codebook, codes);
        Set(t);
        return t;
    }

    private void Set(PocketTensor t) => _tensors[t.Name] = t;
}
