using Pocket.Format;

namespace Pocket.Runtime.Tests;

/// <summary>Builds small <see cref="PocketModel"/>s in code with seeded random weights.</summary>
internal sealed class ModelBuilder
{
    private readonly List<GraphNode> _nodes = [];
    private readonly Dictionary<string, PocketTensor> _tensors = new(StringComparer.Ordinal);

    public ModelBuilder(int seed) => Random = new Random(seed);

    public Random Random { get; }

    public IReadOnlyDictionary<string, PocketTensor> Tensors => _tensors;

    public int Input(int c, int h, int w) => Add(GraphNode.Create("input", OpKind.Input, [], [c, h, w]));

    public int Add(GraphNode node)
    {
        _nodes.Add(node);
        return _nodes.Count - 1;
    }

    public void SetTensor(PocketTensor tensor) => _tensors[tensor.Name] = tensor;

    public float[] RandomValues(long n, float scale = 1f)
    {
        var values = new float[n];
        for (long i = 0; i < n; i++) values[i] = (float)(Random.NextDouble() * 2 - 1) * scale;
        return values;
    }

    public int Conv(int input, string name, int inC, int outC, int kH, int kW, int sH = 1, int sW = 1, int pH = 0, int pW = 0,
        int groups = 1, bool bias = true, PocketTensor? weight = null)
    {
        int[] shape = [outC, inC / groups, kH, kW];
        weight ??= new DenseTensor(name + ".weight", shape,
            RandomValues((long)outC * (inC / groups) * kH * kW, 1f / MathF.Sqrt(inC / groups * kH * kW)));
        SetTensor(weight);
        string biasName = "";
        if (bias)
        {
            biasName = name + ".bias";
            SetTensor(new DenseTensor(biasName, [outC], RandomValues(outC, 0.5f)));
        }
        return Add(GraphNode.Create(name, OpKind.Conv2d, [input], [outC, inC, kH, kW, sH, sW, pH, pW, groups], [weight.Name, biasName]));
    }

    public int Linear(int input, string name, int inF, int outF, bool bias = true, PocketTensor? weight = null)
    {
        weight ??= new DenseTensor(name + ".weight", [outF, inF], RandomValues((long)outF * inF, 1f / MathF.Sqrt(inF)));
        SetTensor(weight);
        string biasName = "";
        if (bias)
        {
            biasName = name + ".bias";
            SetTensor(new DenseTensor(biasName, [outF], RandomValues(outF, 0.5f)));
        }
        return Add(GraphNode.Create(name, OpKind.Linear, [input], [outF, inF], [weight.Name, biasName]));
    }

    public int BatchNorm(int input, string name, int c, float eps = 1e-5f)
    {
        SetTensor(new DenseTensor(name + ".weight", [c], RandomValues(c).Select(v => 1f + 0.5f * v).ToArray()));
        SetTensor(new DenseTensor(name + ".bias", [c], RandomValues(c, 0.3f)));
        SetTensor(new DenseTensor(name + ".running_mean", [c], RandomValues(c, 0.3f)));
        SetTensor(new DenseTensor(name + ".running_var", [c], RandomValues(c).Select(v => 1f + 0.8f * v).ToArray()));
        return Add(GraphNode.Create(name, OpKind.BatchNorm2d, [input], [c],
            [name + ".weight", name + ".bias", name + ".running_mean", name + ".running_var"], [eps]));
    }

    public int Pool(int input, string name, OpKind op, int kH, int kW, int sH, int sW, int pH, int pW, bool ceil) =>
        Add(GraphNode.Create(name, op, [input], [kH, kW, sH, sW, pH, pW, ceil ? 1 : 0]));

    public int Op(string name, OpKind op, params int[] inputs) => Add(GraphNode.Create(name, op, inputs));

    public PocketModel Build() => new(new ModelGraph(_nodes.ToList()), new Dictionary<string, PocketTensor>(_tensors), new Dictionary<string, string>());

    /// <summary>A pruned + quantized weight: about (1 − density) of the entries zero, the rest from a 2^bits codebook.</summary>
    public SparseQuantizedTensor SparseWeight(string name, int rows, int cols, double density, int bits)
    {
        float[] codebook = RandomValues(1 << bits, 0.3f).Select(v => v == 0 ? 0.01f : v).ToArray();
        var positions = new List<int>();
        var codes = new List<ushort>();
        for (int p = 0; p < rows * cols; p++)
        {
            if (Random.NextDouble() >= density) continue;
            positions.Add(p);
            codes.Add((ushort)Random.Next(codebook.Length));
        }
        return new SparseQuantizedTensor(name, [rows, cols], codebook, positions.ToArray(), codes.ToArray(), 5);
    }

    /// <summary>A binarized conv weight with random bits and positive per-filter scales.</summary>
    public BinaryTensor BinaryWeight(string name, int outC, int inPerGroup, int kH, int kW)
    {
        long n = (long)outC * inPerGroup * kH * kW;
        var bits = new byte[(n + 7) / 8];
        Random.NextBytes(bits);
        float[] scales = Enumerable.Range(0, outC).Select(_ => 0.05f + (float)Random.NextDouble() * 0.2f).ToArray();
        return new BinaryTensor(name, [outC, inPerGroup, kH, kW], scales, bits);
    }
}
