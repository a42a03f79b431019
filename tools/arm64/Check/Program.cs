using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Pocket.Format;
using Pocket.Runtime;

// Usage:
//   Pocket.Arm64Check run MODELS_DIR OUT_DIR   every *.pocket (plus compressed copies of lenet5, mobilenet_v1 α 0.25 and squeezenet1_1) on a fixed
//                                             input, batch 3, one and two threads; logits to OUT_DIR/NAME.f32
//   Pocket.Arm64Check compare A_DIR B_DIR      every A_DIR/*.f32 against B_DIR's, relative tolerance 1e-5
const int Batch = 3;
if (args.Length == 3 && args[0] == "run") return Run(args[1], args[2]);
if (args.Length == 3 && args[0] == "compare") return Compare(args[1], args[2]);
Console.Error.WriteLine("usage: Pocket.Arm64Check run MODELS_DIR OUT_DIR | compare A_DIR B_DIR");
return 2;

static int Run(string modelsDir, string outDir)
{
    Directory.CreateDirectory(outDir);
    // Which vector paths this process takes: on ARM64 Vector<float> must be 4 wide (NEON) and AdvSimd supported.
    Console.WriteLine($"{RuntimeInformation.ProcessArchitecture}: Vector<float>.Count={Vector<float>.Count}, " +
        $"Vector128 {Vector128.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector512 {Vector512.IsHardwareAccelerated}, " +
        $"AdvSimd.Arm64 {System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported}");
    var models = new List<(string Name, PocketModel Model)>();
    foreach (string file in Directory.GetFiles(modelsDir, "*.pocket").Order(StringComparer.Ordinal))
    {
        PocketModel model = PocketFile.Read(file);
        models.Add((Path.GetFileNameWithoutExtension(file), model));
        // Compressed copies also run the sparse 1×1 kernel (MobileNet's and SqueezeNet's pointwise layers as CSR).
        if (Path.GetFileName(file) is "lenet5.pocket" or "mobilenet_v1-alpha0.25.pocket" or "squeezenet1_1.pocket")
            models.Add(($"{Path.GetFileNameWithoutExtension(file)}-compressed", Compress(model)));
    }
    foreach (var (name, model) in models)
    {
        var one = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = 1 });
        var two = PocketNetwork.Load(model, new PocketNetworkOptions { MaxDegreeOfParallelism = 2 });
        var random = new Random(7);
        float[] input = new float[Batch * one.InputLength];
        for (int i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 2 - 1);
        float[] output = new float[Batch * one.OutputLength], again = new float[output.Length];
        one.Predict(input, Batch, output);
        two.Predict(input, Batch, again);
        if (!output.AsSpan().SequenceEqual(again))
        {
            Console.Error.WriteLine($"{name}: two threads changed the logits");
            return 1;
        }
        File.WriteAllBytes(Path.Combine(outDir, name + ".f32"), MemoryMarshal.AsBytes(output.AsSpan()).ToArray());
        Console.WriteLine($"{name}: {one.DescribeLayers().Count} layers, {output.Length} logits, weights {one.WeightBytes:N0} bytes");
    }
    return 0;
}

static int Compare(string aDir, string bDir)
{
    int failures = 0, files = 0;
    foreach (string a in Directory.GetFiles(aDir, "*.f32").Order(StringComparer.Ordinal))
    {
        string b = Path.Combine(bDir, Path.GetFileName(a));
        files++;
        if (!File.Exists(b))
        {
            Console.Error.WriteLine($"{b}: missing");
            failures++;
            continue;
        }
        float[] x = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(a)).ToArray();
        float[] y = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(b)).ToArray();
        if (x.Length != y.Length)
        {
            Console.Error.WriteLine($"{Path.GetFileName(a)}: {x.Length} vs {y.Length} logits");
            failures++;
            continue;
        }
        // Relative to the element plus the output's RMS, so logits that cancel to ~0 are not held to 1e-5 of 0.
        double rms = Math.Sqrt(x.Sum(v => (double)v * v) / Math.Max(1, x.Length));
        double worst = 0;
        int identical = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] == y[i]) identical++;
            worst = Math.Max(worst, Math.Abs(x[i] - y[i]) / (Math.Abs(x[i]) + rms + 1e-30));
        }
        bool ok = worst <= 1e-5;
        if (!ok) failures++;
        Console.WriteLine($"{Path.GetFileName(a)}: {(ok ? "ok" : "DIFFERENT")}, largest relative difference {worst:G3}, {identical}/{x.Length} bit-identical");
    }
    if (files == 0)
    {
        Console.Error.WriteLine($"{aDir}: no .f32 outputs");
        return 1;
    }
    return failures == 0 ? 0 : 1;
}

// A compressed model (LeNet-5, MobileNet α 0.25, SqueezeNet 1.1) in the file's own encodings, without training: each weight tensor of ≥ 1,000 elements is
// pruned to its largest-magnitude 10 % and quantized to a 32-entry linear codebook (sparse + codebook, as `pocket
// compress` stores it); smaller ones keep a 16-entry dense codebook. Deterministic, so both machines run the same file.
static PocketModel Compress(PocketModel model)
{
    var tensors = new Dictionary<string, PocketTensor>(model.Tensors);
    foreach (var (name, tensor) in model.Tensors)
    {
        if (tensor is not DenseTensor dense || !name.EndsWith(".weight", StringComparison.Ordinal) || dense.Shape.Length < 2) continue;
        float[] v = dense.Values;
        float max = v.Max(MathF.Abs);
        if (v.Length >= 1000)
        {
            float threshold = v.Select(MathF.Abs).Order().ElementAt((int)(v.Length * 0.9));
            float[] codebook = Enumerable.Range(0, 32).Select(i => -max + (i + 0.5f) * 2 * max / 32).ToArray();
            var positions = new List<int>();
            var codes = new List<ushort>();
            for (int i = 0; i < v.Length; i++)
            {
                if (MathF.Abs(v[i]) < threshold) continue;
                positions.Add(i);
                codes.Add(Nearest(codebook, v[i]));
            }
            tensors[name] = new SparseQuantizedTensor(name, dense.Shape, codebook, positions.ToArray(), codes.ToArray(), 5);
        }
        else
        {
            float[] codebook = Enumerable.Range(0, 16).Select(i => -max + (i + 0.5f) * 2 * max / 16).ToArray();
            tensors[name] = new QuantizedDenseTensor(name, dense.Shape, codebook, v.Select(x => Nearest(codebook, x)).ToArray());
        }
    }
    return model with { Tensors = tensors };
}

static ushort Nearest(float[] codebook, float value)
{
    int best = 0;
    for (int i = 1; i < codebook.Length; i++)
        if (MathF.Abs(codebook[i] - value) < MathF.Abs(codebook[best] - value)) best = i;
    return (ushort)best;
}
