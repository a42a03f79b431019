using Pocket.Format;
using Pocket.Runtime;

namespace Pocket.Fuzz;

/// <summary>
/// The oracle of the <c>pocket</c> target: what must hold for ANY byte sequence handed to the .pocket reader and the
/// runtime. Shared, as source, with tests/Pocket.Runtime.Tests (FuzzCorpusTests), which runs it over every seed and
/// regression file.
/// <list type="number">
/// <item><see cref="PocketFile.Decode"/> (checksums off, so mutations reach the structural checks; CRCs are a
/// separate, trivial check) returns a model or throws <see cref="PocketFormatException"/> with a one-line message
/// naming the source, and allocates at most <see cref="DecodeBound"/>.</item>
/// <item><see cref="PocketNetwork.Load(PocketModel, PocketNetworkOptions)"/> on a decoded model returns a network or
/// throws <see cref="PocketRuntimeException"/> with a one-line message; a network that loads allocated at most
/// <see cref="LoadBound"/>.</item>
/// <item>When the network is small enough that one sample is cheap (see <see cref="IsCheapToRun"/>), Predict on a
/// zero input returns without throwing.</item>
/// </list>
/// Anything else throws <see cref="FuzzFailure"/>.
/// </summary>
public static class PocketInputCheck
{
    public const string SourceName = "fuzz.pocket";

    /// <summary>
    /// What Decode may allocate for an n-byte file: 64·n + 1 MiB. Every decoded array is paid for by bytes present
    /// (docs/format.md §6): each symbol costs ≥ 1 bit and becomes at most an int plus a ushort (48 bits per bit for a
    /// quantized tensor); a sparse entry costs ≥ 2 bits (an index and a weight symbol) and becomes two ints plus, if
    /// not a filler, an int position and a ushort code (112 bits per 2 bits = 56×); floats, strings and node arrays
    /// are ≤ 2× their bytes plus per-object overheads that are smaller than the ≥ 12 bytes each node and ≥ 40 bytes
    /// each tensor section costs. The constant covers one-off allocations (first-call caches, error messages).
    /// </summary>
    public static long DecodeBound(int length) => 64L * length + (1 << 20);

    /// <summary>
    /// What Load may allocate: 64·n + 64·A + 1 MiB, A = the activation floats of one sample (input plus every layer's
    /// output). Weights held are at most a small multiple of their stored bytes (binary weights as floats: 32×; a pruned
    /// conv weight is expanded to one code per weight only when that is at most 4× the larger of its CSR form and the
    /// layer's activation bytes), and what the file does not pay for — zero biases, folded BatchNorm scales, CSR row
    /// starts, the direct-convolution tap tables — is per output channel or per output pixel, so within a few dozen
    /// bytes per activation element.
    /// </summary>
    public static long LoadBound(int length, long activationFloats) => 64L * length + 64L * activationFloats + (1 << 20);

    public enum Outcome { RefusedByReader, RefusedByRuntime, Loaded, Predicted }

    /// <summary>Bytes the last <see cref="Run"/> on this thread allocated in Decode and in Load (0 if not reached), for reports.</summary>
    [ThreadStatic] public static long LastDecodeAllocation, LastLoadAllocation;

    public static Outcome Run(ReadOnlySpan<byte> data)
    {
        byte[] bytes = data.ToArray(); // the lambda below cannot capture a span
        PocketModel? model = null;
        LastDecodeAllocation = LastLoadAllocation = 0;
        long allocated = AllocationMeter.Measure(() => model = PocketFile.Decode(bytes, SourceName, verifyChecksums: false), out var thrown);
        LastDecodeAllocation = allocated;
        AllocationMeter.Check("PocketFile.Decode", allocated, DecodeBound(bytes.Length), bytes.Length);
        if (thrown is PocketFormatException format)
        {
            CheckMessage(format.Message, mustNameSource: true, thrown);
            return Outcome.RefusedByReader;
        }
        if (thrown is not null) throw new FuzzFailure($"PocketFile.Decode threw {thrown.GetType().Name}: {thrown.Message}", thrown);

        PocketNetwork? network = null;
        allocated = AllocationMeter.Measure(() => network = PocketNetwork.Load(model!), out thrown);
        LastLoadAllocation = allocated;
        if (thrown is PocketRuntimeException runtime)
        {
            CheckMessage(runtime.Message, mustNameSource: false, thrown);
            return Outcome.RefusedByRuntime;
        }
        if (thrown is not null) throw new FuzzFailure($"PocketNetwork.Load threw {thrown.GetType().Name}: {thrown.Message}", thrown);
        long activations = ActivationFloats(network!);
        AllocationMeter.Check("PocketNetwork.Load", allocated, LoadBound(bytes.Length, activations), bytes.Length);

        if (!IsCheapToRun(model!, network!, activations)) return Outcome.Loaded;
        try
        {
            float[] output = network!.Predict(new float[network.InputLength]);
            if (output.Length != network.OutputLength) throw new FuzzFailure($"Predict returned {output.Length} floats, not {network.OutputLength}");
        }
        catch (Exception e) when (e is not FuzzFailure)
        {
            throw new FuzzFailure($"Predict on a loaded network threw {e.GetType().Name}: {e.Message}", e);
        }
        return Outcome.Predicted;
    }

    /// <summary>
    /// A sample costs at most (weight elements) × (largest activation) multiply-adds for convolutions and linear layers,
    /// and pooling and element-wise layers touch each activation a bounded number of times: both kept small so a run
    /// stays far below the fuzzer's time-out. A valid 200-byte file can declare a network that takes hours per sample;
    /// that is the model's cost, not a reader bug, so such networks are loaded but not run.
    /// </summary>
    private static bool IsCheapToRun(PocketModel model, PocketNetwork network, long activations)
    {
        long elements = 0;
        foreach (var tensor in model.Tensors.Values) elements += tensor.ElementCount;
        long largest = network.InputLength;
        foreach (string layer in network.DescribeLayers()) largest = Math.Max(largest, OutputLength(layer));
        return activations <= 1 << 20 && elements * largest <= 1L << 26;
    }

    /// <summary>Input floats plus the output floats of every layer of one sample.</summary>
    public static long ActivationFloats(PocketNetwork network)
    {
        long total = network.InputLength;
        foreach (string layer in network.DescribeLayers()) total += OutputLength(layer);
        return total;
    }

    /// <summary>The output length of a <see cref="PocketNetwork.DescribeLayers"/> line, "name: kernel -> CxHxW" (the shape is last).</summary>
    private static long OutputLength(string layer)
    {
        string shape = layer[(layer.LastIndexOf(" -> ", StringComparison.Ordinal) + 4)..];
        long length = 1;
        foreach (string d in shape.Split('x')) length *= long.Parse(d, System.Globalization.CultureInfo.InvariantCulture);
        return length;
    }

    private static void CheckMessage(string message, bool mustNameSource, Exception thrown)
    {
        if (message.Contains('\n') || message.Contains('\r')) throw new FuzzFailure($"{thrown.GetType().Name} message is not one line: {message}", thrown);
        if (mustNameSource && !message.StartsWith(SourceName + ": ", StringComparison.Ordinal))
            throw new FuzzFailure($"{thrown.GetType().Name} message does not start with the source name: {message}", thrown);
        if (mustNameSource && !message.Contains(" at offset ", StringComparison.Ordinal))
            throw new FuzzFailure($"{thrown.GetType().Name} message names no offset: {message}", thrown);
    }
}
