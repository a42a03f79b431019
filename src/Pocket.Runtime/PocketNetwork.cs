using System.Buffers;
using Pocket.Format;
using Pocket.Runtime.Ops;

namespace Pocket.Runtime;

/// <summary>
/// A compiled, immutable Pocket model ready for inference. Load once, then call <see cref="Predict(ReadOnlySpan{float})"/>
/// from any number of threads: weights are prepared at load and never written again, and every call rents its
/// own activation buffers from <see cref="ArrayPool{T}"/>, so calls share no mutable state.
/// </summary>
public sealed class PocketNetwork
{
    /// <summary>Samples that travel through the network together: amortises weight reads (sparse FC tiles) while
    /// keeping activation memory per call bounded for large batches.</summary>
    private const int TileSamples = SparseLinearOp.TileSamples;

    private readonly CompiledGraph _graph;
    private readonly PocketNetworkOptions _options;
    private readonly long[] _scratchPerTileSize; // scratch floats for a tile of 1..TileSamples samples
    private readonly long _tailScratch;          // scratch floats for TailSamples samples of the batch-wide tail

    private PocketNetwork(CompiledGraph graph, PocketNetworkOptions options, IReadOnlyDictionary<string, string> metadata)
    {
        _graph = graph;
        _options = options;
        Metadata = metadata;
        _scratchPerTileSize = new long[TileSamples + 1];
        for (int b = 1; b <= TileSamples; b++)
        {
            _scratchPerTileSize[b] = graph.Layers.Length == 0 ? 0 : graph.Layers.Max(l => l.ScratchLength(b));
            // Predict rents the scratch as one float array: refuse here, with the layer's name, rather than fail there.
            if (_scratchPerTileSize[b] > Array.MaxLength)
                throw new PocketRuntimeException($"layer '{graph.Layers.First(l => l.ScratchLength(b) > Array.MaxLength).Name}' needs "
                    + $"{_scratchPerTileSize[b]} floats of scratch for {b} sample(s), more than one array can hold");
        }
        WeightBytes = graph.Layers.Sum(l => l.WeightBytes);
        _tailScratch = graph.Layers.Skip(graph.TailStart).Select(l => l.ScratchLength(TailSamples)).DefaultIfEmpty(0).Max();
        if (_tailScratch > Array.MaxLength)
            throw new PocketRuntimeException($"the layers from '{graph.Layers[graph.TailStart].Name}' need {_tailScratch} floats of scratch for {TailSamples} samples, more than one array can hold");
    }

    /// <summary>Validates and compiles a model. Throws <see cref="PocketRuntimeException"/> (naming the node) when
    /// the graph cannot run.</summary>
    public static PocketNetwork Load(PocketModel model, PocketNetworkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= PocketNetworkOptions.Default;
        if (options.MaxDegreeOfParallelism < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "MaxDegreeOfParallelism must be at least 1");
        return new PocketNetwork(GraphCompiler.Compile(model, options), options,
            model.Metadata ?? new Dictionary<string, string>());
    }

    /// <summary>Reads a .pocket file (<see cref="PocketFile.Read"/>, which throws <see cref="PocketFormatException"/> for a
    /// damaged file) and compiles it.</summary>
    public static PocketNetwork Load(string path, PocketNetworkOptions? options = null) => Load(PocketFile.Read(path), options);

    /// <summary>Decodes .pocket bytes already in memory (e.g. an app asset) and compiles them.</summary>
    public static PocketNetwork Load(ReadOnlySpan<byte> pocketFile, PocketNetworkOptions? options = null) =>
        Load(PocketFile.Decode(pocketFile), options);

    /// <summary>Input shape of one sample (CHW).</summary>
    public TensorShape InputShape => _graph.InputShape;

    /// <summary>Samples that go through the layers together: a larger batch runs as tiles of this many (so its cost
    /// per sample stops falling here), and the largest batch <see cref="TimeLayers"/> times.</summary>
    public const int TileBatch = TileSamples;

    /// <summary>Floats in one input sample (C·H·W).</summary>
    public int InputLength => _graph.InputShape.Length;

    /// <summary>Shape of one sample's output.</summary>
    public TensorShape OutputShape => _graph.OutputShape;

    /// <summary>Floats in one output sample (the number of logits for a classifier).</summary>
    public int OutputLength => _graph.OutputShape.Length;

    /// <summary>Bytes of weights resident in the runtime (as held: CSR, codes, bits or floats), excluding code.</summary>
    public long WeightBytes { get; }

    /// <summary>The model's metadata (name, dataset, labels…), as loaded.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public PocketNetworkOptions Options => _options;

    /// <summary>One line per executed layer: name, kernel chosen and output shape (fused nodes appear joined by '+').</summary>
    public IReadOnlyList<string> DescribeLayers() =>
        _graph.Layers.Select(l => $"{l.Name}: {l.Kernel} -> {l.OutputShape}").ToArray();

    /// <summary>Runs one CHW sample and returns its output (logits).</summary>
    public float[] Predict(ReadOnlySpan<float> input)
    {
        var output = new float[OutputLength];
        Predict(input, 1, output);
        return output;
    }

    /// <summary>Runs one CHW sample into <paramref name="output"/> (length ≥ <see cref="OutputLength"/>), allocation-free apart from pooled buffers.</summary>
    public void Predict(ReadOnlySpan<float> input, Span<float> output) => Predict(input, 1, output);

    /// <summary>Runs <paramref name="batch"/> samples stored back to back (N·C·H·W) into <paramref name="outputs"/> (N·OutputLength).</summary>
    public void Predict(ReadOnlySpan<float> inputs, int batch, Span<float> outputs)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch));
        if (inputs.Length < (long)batch * InputLength)
            throw new PocketRuntimeException($"input holds {inputs.Length} floats, expected {batch} x {InputLength}");
        if (outputs.Length < (long)batch * OutputLength)
            throw new PocketRuntimeException($"output holds {outputs.Length} floats, expected {batch} x {OutputLength}");
        if (batch == 0) return;

        int tiles = (batch + TileSamples - 1) / TileSamples;
        int parallelism = _options.MaxDegreeOfParallelism;
        if (tiles > 1 && _graph.HasBatchWideTail)
        {
            for (int start = 0; start < batch; start += TailSamples)
            {
                int count = Math.Min(TailSamples, batch - start);
                RunWithBatchWideTail(inputs.Slice(start * InputLength, count * InputLength), count,
                    outputs.Slice(start * OutputLength, count * OutputLength), parallelism);
            }
            return;
        }
        RunTiles(inputs, batch, outputs, parallelism, _graph.Layers.Length, _graph.OutputSlot);
    }

    /// <summary>
    /// <paramref name="batch"/> samples through layers [0, <paramref name="end"/>) in tiles of <see cref="TileSamples"/>,
    /// each tile's values of <paramref name="resultSlot"/> into <paramref name="results"/> (the network's output, or
    /// the input of a batch-wide tail). One tile, or one thread: tiles in turn, layers may spread a tile over threads.
    /// Several tiles and threads: tiles in parallel, each single-threaded inside. Tile boundaries are the same either
    /// way, so results are bit-identical.
    /// </summary>
    private void RunTiles(ReadOnlySpan<float> inputs, int batch, Span<float> results, int parallelism, int end, int resultSlot)
    {
        int tiles = (batch + TileSamples - 1) / TileSamples, resultLength = _graph.SlotLengths[resultSlot];
        if (tiles == 1 || parallelism == 1)
        {
            for (int t = 0; t < tiles; t++)
            {
                int start = t * TileSamples, count = Math.Min(TileSamples, batch - start);
                RunTile(inputs.Slice(start * InputLength, count * InputLength), count,
                    results.Slice(start * resultLength, count * resultLength), parallelism, null, end, resultSlot);
            }
            return;
        }

        // Spans cannot cross into the parallel body: the batch goes through pooled copies.
        float[] inputCopy = ArrayPool<float>.Shared.Rent(batch * InputLength);
        float[] resultCopy = ArrayPool<float>.Shared.Rent(batch * resultLength);
        try
        {
            inputs[..(batch * InputLength)].CopyTo(inputCopy);
            Parallel.For(0, tiles, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, t =>
            {
                int start = t * TileSamples, count = Math.Min(TileSamples, batch - start);
                RunTile(inputCopy.AsSpan(start * InputLength, count * InputLength), count,
                    resultCopy.AsSpan(start * resultLength, count * resultLength), 1, null, end, resultSlot);
            });
            resultCopy.AsSpan(0, batch * resultLength).CopyTo(results);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(inputCopy);
            ArrayPool<float>.Shared.Return(resultCopy);
        }
    }

    /// <summary>Samples the batch-wide tail (<see cref="CompiledGraph.TailStart"/>) takes at once: its input for them stays
    /// small (LeNet-5: 64 × 800 floats) while its weights are read once for all of them.</summary>
    private const int TailSamples = 64;

    /// <summary>
    /// Up to <see cref="TailSamples"/> samples: the layers before the tail per tile (<see cref="RunTiles"/>), each
    /// tile's tail input gathered into one buffer, then the tail over all of them. The tail's
    /// kernels compute each value the same way whatever the batch, so results equal running every tile through.
    /// </summary>
    private void RunWithBatchWideTail(ReadOnlySpan<float> inputs, int batch, Span<float> outputs, int parallelism)
    {
        ArrayPool<float> pool = ArrayPool<float>.Shared;
        CompiledGraph g = _graph;
        int tailLength = g.SlotLengths[g.TailInputSlot];
        float[] tailInput = pool.Rent(batch * tailLength);
        float[][] slots = new float[g.SlotLengths.Length][];
        float[] scratch = pool.Rent((int)Math.Max(1, _tailScratch));
        try
        {
            if (g.TailStart == 0) inputs[..(batch * InputLength)].CopyTo(tailInput);
            else RunTiles(inputs, batch, tailInput.AsSpan(0, batch * tailLength), parallelism, g.TailStart, g.TailInputSlot);
            slots[g.TailInputSlot] = tailInput;
            tailInput = null!; // the tail's last reader of the slot returns it
            RunLayers(g.TailStart, g.Layers.Length, slots, scratch, batch, parallelism, null);
            slots[g.OutputSlot].AsSpan(0, batch * OutputLength).CopyTo(outputs);
        }
        finally
        {
            if (tailInput is not null) pool.Return(tailInput);
            foreach (float[]? buffer in slots)
                if (buffer is not null) pool.Return(buffer);
            pool.Return(scratch);
        }
    }

    /// <summary>
    /// Per-layer time of <paramref name="runs"/> single-tile predictions of <paramref name="batch"/> (≤ <see cref="TileBatch"/>) samples:
    /// for each executed layer (fused nodes joined by '+'), the median milliseconds of its Forward over the runs, with
    /// this network's thread count. A diagnostic, like ONNX Runtime's per-node profiling: it times the same code
    /// Predict runs, with a timestamp read between layers.
    /// </summary>
    public IReadOnlyList<LayerTime> TimeLayers(ReadOnlySpan<float> inputs, int batch, int runs)
    {
        if (batch < 1 || batch > TileSamples) throw new ArgumentOutOfRangeException(nameof(batch), $"batch must be 1 … {TileSamples}");
        if (runs < 1) throw new ArgumentOutOfRangeException(nameof(runs));
        if (inputs.Length < (long)batch * InputLength)
            throw new PocketRuntimeException($"input holds {inputs.Length} floats, expected {batch} x {InputLength}");
        var ticks = new long[runs][];
        var output = new float[batch * OutputLength];
        for (int r = 0; r < runs; r++)
        {
            ticks[r] = new long[_graph.Layers.Length];
            RunTile(inputs[..(batch * InputLength)], batch, output, _options.MaxDegreeOfParallelism, ticks[r]);
        }
        var times = new LayerTime[_graph.Layers.Length];
        for (int l = 0; l < times.Length; l++)
        {
            double[] ms = ticks.Select(t => t[l] * 1000.0 / System.Diagnostics.Stopwatch.Frequency).Order().ToArray();
            double median = ms.Length % 2 == 1 ? ms[ms.Length / 2] : (ms[ms.Length / 2 - 1] + ms[ms.Length / 2]) / 2;
            Layer layer = _graph.Layers[l];
            times[l] = new LayerTime(layer.Name, layer.Kernel, layer.OutputShape, median);
        }
        return times;
    }

    /// <summary>One tile through layers [0, <paramref name="end"/>) (default: all), then the values of
    /// <paramref name="resultSlot"/> (default: the network's output; the tail's input for a head) into <paramref name="output"/>.</summary>
    private void RunTile(ReadOnlySpan<float> input, int batch, Span<float> output, int parallelism, long[]? layerTicks = null,
        int? end = null, int? resultSlot = null)
    {
        ArrayPool<float> pool = ArrayPool<float>.Shared;
        CompiledGraph g = _graph;
        float[][] slots = new float[g.SlotLengths.Length][];
        float[] scratch = pool.Rent((int)Math.Max(1, _scratchPerTileSize[batch]));
        try
        {
            slots[0] = pool.Rent(batch * g.SlotLengths[0]);
            input.CopyTo(slots[0]);
            RunLayers(0, end ?? g.Layers.Length, slots, scratch, batch, parallelism, layerTicks);
            slots[resultSlot ?? g.OutputSlot].AsSpan(0, output.Length).CopyTo(output);
        }
        finally
        {
            foreach (float[]? buffer in slots)
                if (buffer is not null) pool.Return(buffer);
            pool.Return(scratch);
        }
    }

    /// <summary>Layers [first, end) over <paramref name="batch"/> samples, renting each output slot and returning each
    /// slot after its last reader; the slots the layers read from before <paramref name="first"/> must be filled.</summary>
    private void RunLayers(int first, int end, float[][] slots, float[] scratch, int batch, int parallelism, long[]? layerTicks)
    {
        ArrayPool<float> pool = ArrayPool<float>.Shared;
        CompiledGraph g = _graph;
        var workspace = new Workspace(slots, scratch, batch, parallelism);
        for (int l = first; l < end; l++)
        {
            Layer layer = g.Layers[l];
            // ??=: the layers writing an in-place concat's slices share its slot.
            slots[layer.OutputSlot] ??= pool.Rent(batch * g.SlotLengths[layer.OutputSlot]);
            long start = layerTicks is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
            layer.Forward(workspace);
            if (layerTicks is not null) layerTicks[l] = System.Diagnostics.Stopwatch.GetTimestamp() - start;
            foreach (int s in g.ReleaseAfter[l])
            {
                pool.Return(slots[s]);
                slots[s] = null!;
            }
        }
    }
}
