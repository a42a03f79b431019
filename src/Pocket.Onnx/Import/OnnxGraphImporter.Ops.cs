using Pocket.Format;
using Pocket.Runtime;

namespace Pocket.Onnx;

/// <summary>The operators: each maps to Pocket nodes, or folds into the constants or the node before it.</summary>
internal sealed partial class OnnxGraphImporter
{
    private void ImportNode(OnnxNode n)
    {
        switch (n.OpType)
        {
            case "Constant": SetOutput(n, new ConstantValue(ConstantOf(n))); return;
            case "Identity": SetOutput(n, Value(n, n.Input(0), "#0")); return;
            case "Dropout": SetOutput(n, Activation(n, 0)); return; // inference: the identity; a used mask output is refused
            case "Conv": SetOutput(n, Conv(n)); return;
            case "Gemm": SetOutput(n, Gemm(n)); return;
            case "MatMul": SetOutput(n, MatMul(n)); return;
            case "BatchNormalization": SetOutput(n, BatchNorm(n)); return;
            case "Relu": SetOutput(n, EmitActivation(n, OpKind.Relu, [Activation(n, 0).Node], Activation(n, 0).Rank)); return;
            case "Clip": SetOutput(n, Clip(n)); return;
            case "Sigmoid": SetOutput(n, EmitActivation(n, OpKind.Sigmoid, [Activation(n, 0).Node], Activation(n, 0).Rank)); return;
            case "LeakyRelu":
                SetOutput(n, EmitActivation(n, OpKind.LeakyRelu, [Activation(n, 0).Node], Activation(n, 0).Rank, floats: [n.Float("alpha", 0.01f)]));
                return;
            case "MaxPool" or "AveragePool": SetOutput(n, Pool(n)); return;
            case "GlobalAveragePool": SetOutput(n, GlobalAveragePool(n)); return;
            case "Add" or "Sub" or "Mul" or "Div": SetOutput(n, Arithmetic(n)); return;
            case "Concat": SetOutput(n, Concat(n)); return;
            case "Pad": SetOutput(n, Pad(n)); return;
            case "Flatten": SetOutput(n, Flatten(n)); return;
            case "Reshape": SetOutput(n, Reshape(n)); return;
            case "Squeeze" or "Unsqueeze": SetOutput(n, SqueezeOrUnsqueeze(n)); return;
            case "Transpose": SetOutput(n, Transpose(n)); return;
            case "Softmax": SetOutput(n, Softmax(n)); return;
            case "Shape": SetOutput(n, new ConstantValue(ShapeOf(n))); return;
            case "Gather" when AllConstant(n):
                SetOutput(n, new ConstantValue(ConstantFolder.Gather(n, Constant(n, 0, "data"), Constant(n, 1, "indices"), n.Int("axis", 0))));
                return;
            case "Slice" when AllConstant(n): SetOutput(n, new ConstantValue(Slice(n))); return;
            case "Cast": SetOutput(n, Cast(n)); return;
            case "ConstantOfShape" when AllConstant(n): SetOutput(n, new ConstantValue(ConstantOfShape(n))); return;
            default: throw n.Unsupported("");
        }
    }

    // ---------------------------------------------------------------- layers with weights

    private ImportedValue Conv(OnnxNode n)
    {
        ActivationValue x = Activation(n, 0, padAllowed: true);
        if (x.Rank != 4) throw n.Error($"inconsistent shapes: Conv input has rank {x.Rank}, needs 4");
        ConstantTensor w = Constant(n, 1, "weight");
        if (w.Dims.Length != 4) throw n.Unsupported($"with a {w.Dims.Length - 2}-D kernel {w} ");
        ConstantTensor? b = OptionalConstant(n, 2, "bias");
        int outC = (int)w.Dims[0], kH = (int)w.Dims[2], kW = (int)w.Dims[3];
        int group = checked((int)n.Int("group", 1));
        TensorShape input = Shape(x);
        if (group <= 0 || w.Dims[1] * group != input.Channels)
            throw n.Error($"inconsistent shapes: weight {w} with group={group} needs {w.Dims[1] * group} input channels, the input {input} has {input.Channels}");
        if (n.Ints("kernel_shape") is { } ks && (ks.Length != 2 || ks[0] != kH || ks[1] != kW))
            throw n.Error($"inconsistent shapes: kernel_shape [{string.Join(",", ks)}] disagrees with weight {w}");
        RequireUnitDilations(n);
        (int sH, int sW) = Strides(n);
        (int pH, int pW) = Padding(n, input, kH, kW, sH, sW);
        if (b is not null && b.Count != outC) throw n.Error($"inconsistent shapes: bias {b} for {outC} output channels");
        string weight = AddTensor($"{n.Name}.weight", [outC, (int)w.Dims[1], kH, kW], w.AsFloats());
        string bias = b is null ? "" : AddTensor($"{n.Name}.bias", [outC], b.AsFloats());
        return EmitActivation(n, OpKind.Conv2d, [x.Node], 4,
            [outC, input.Channels, kH, kW, sH, sW, pH + x.PadH, pW + x.PadW, group], [weight, bias]);
    }

    private ImportedValue Gemm(OnnxNode n)
    {
        ActivationValue x = Activation(n, 0);
        if (x.Rank != 2) throw n.Error($"inconsistent shapes: Gemm input has rank {x.Rank}, needs 2");
        if (n.Int("transA", 0) != 0) throw n.Unsupported("with transA=1 ");
        ConstantTensor b = Constant(n, 1, "B");
        if (b.Dims.Length != 2) throw n.Error($"inconsistent shapes: B {b} is not a matrix");
        bool transB = n.Int("transB", 0) != 0;
        float alpha = n.Float("alpha", 1f), beta = n.Float("beta", 1f);
        float[] weight = transB ? b.AsFloats() : Transposed(b.AsFloats(), (int)b.Dims[0], (int)b.Dims[1]);
        int outF = (int)(transB ? b.Dims[0] : b.Dims[1]), inF = (int)(transB ? b.Dims[1] : b.Dims[0]);
        if (alpha != 1f) for (int i = 0; i < weight.Length; i++) weight[i] *= alpha;
        float[]? bias = null;
        if (OptionalConstant(n, 2, "C") is { } c)
        {
            bias = c.Count == 1 ? Enumerable.Repeat(c.AsFloats()[0], outF).ToArray()
                : c.TrimmedDims() is [var d] && d == outF ? c.AsFloats()
                : throw n.Unsupported($"with C {c} (only a bias per output) ");
            if (beta != 1f) for (int i = 0; i < bias.Length; i++) bias[i] *= beta;
        }
        return Linear(n, x, outF, inF, weight, bias);
    }

    private ImportedValue MatMul(OnnxNode n)
    {
        if (AllConstant(n)) throw n.Unsupported("of two constants ");
        ActivationValue x = Activation(n, 0);
        ConstantTensor b = Constant(n, 1, "B");
        if (x.Rank != 2 || b.Dims.Length != 2) throw n.Unsupported($"of a rank-{x.Rank} activation by {b} (only [N, in] × [in, out]) ");
        int inF = (int)b.Dims[0], outF = (int)b.Dims[1];
        return Linear(n, x, outF, inF, Transposed(b.AsFloats(), inF, outF), null);
    }

    private ActivationValue Linear(OnnxNode n, ActivationValue x, int outF, int inF, float[] weight, float[]? bias)
    {
        if (inF != Shape(x).Length)
            throw n.Error($"inconsistent shapes: a {outF}x{inF} weight cannot read the {Shape(x).Length} features of {Shape(x)}");
        string w = AddTensor($"{n.Name}.weight", [outF, inF], weight);
        string b = bias is null ? "" : AddTensor($"{n.Name}.bias", [outF], bias);
        return EmitActivation(n, OpKind.Linear, [x.Node], 2, [outF, inF], [w, b]);
    }

    private static float[] Transposed(float[] m, int rows, int cols)
    {
        var t = new float[m.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
        return t;
    }

    private ImportedValue BatchNorm(OnnxNode n)
    {
        ActivationValue x = Activation(n, 0);
        if (n.Opset < 9 && n.Int("spatial", 1) != 1) throw n.Unsupported("with spatial=0 ");
        if (n.Int("training_mode", 0) != 0) throw n.Unsupported("with training_mode=1 ");
        int channels = Shape(x).Channels;
        string[] names = ["scale", "B", "input_mean", "input_var"];
        string[] pocket = ["weight", "bias", "running_mean", "running_var"];
        var tensors = new string[4];
        for (int i = 0; i < 4; i++)
        {
            ConstantTensor t = Constant(n, i + 1, names[i]);
            if (t.Count != channels) throw n.Error($"inconsistent shapes: {names[i]} {t} for {channels} channels");
            tensors[i] = AddTensor($"{n.Name}.{pocket[i]}", [channels], t.AsFloats());
        }
        return EmitActivation(n, OpKind.BatchNorm2d, [x.Node], x.Rank, [channels], tensors, [n.Float("epsilon", 1e-5f)]);
    }

    // ---------------------------------------------------------------- activations, pooling

    private ImportedValue Clip(OnnxNode n)
    {
        ActivationValue x = Activation(n, 0);
        float min, max;
        if (n.Opset < 11)
        {
            min = n.Float("min", float.MinValue);
            max = n.Float("max", float.MaxValue);
        }
        else
        {
            min = OptionalConstant(n, 1, "min") is { } lo ? lo.AsFloats().Single() : float.MinValue;
            max = OptionalConstant(n, 2, "max") is { } hi ? hi.AsFloats().Single() : float.MaxValue;
        }
        OpKind op = (min, max) switch
        {
            (0f, 6f) => OpKind.Relu6,
            (0f, float.MaxValue or float.PositiveInfinity) => OpKind.Relu,
            _ => throw n.Unsupported($"with bounds [{min}, {max}] (only [0, 6] as ReLU6 and [0, ∞) as ReLU) "),
        };
        return EmitActivation(n, op, [x.Node], x.Rank);
    }

    private ImportedValue Pool(OnnxNode n)
    {
        ActivationValue x = Activation(n, 0, padAllowed: true);
        if (x.Rank != 4) throw n.Error($"inconsistent shapes: {n.OpType} input has rank {x.Rank}, needs 4");
        long[] kernel = n.Ints("kernel_shape") ?? throw n.Error("has no kernel_shape");
        if (kernel.Length != 2) throw n.Unsupported($"with a {kernel.Length}-D kernel ");
        RequireUnitDilations(n);
        (int sH, int sW) = Strides(n);
        TensorShape input = Shape(x);
        (int pH, int pW) = Padding(n, input, (int)kernel[0], (int)kernel[1], sH, sW);
        bool max = n.OpType == "MaxPool";
        if (!max && n.Int("count_include_pad", 0) == 0 && (pH != 0 || pW != 0))
            throw n.Unsupported("with count_include_pad=0 and non-zero pads ");
        if (max && x.HasPendingPad && _nodes[x.Node].Op is not (OpKind.Relu or OpKind.Relu6))
            throw n.Unsupported("after a zero Pad of values that may be negative ");
        int ceil = (int)n.Int("ceil_mode", 0);
        return EmitActivation(n, max ? OpKind.MaxPool2d : OpKind.AvgPool2d, [x.Node], 4,
            [(int)kernel[0], (int)kernel[1], sH, sW, pH + x.PadH, pW + x.PadW, ceil]);
    }

    private ImportedValue GlobalAveragePool(OnnxNode n)
    {
        ActivationValue x = Activation(n, 0);
        if (x.Rank != 4) throw n.Error($"inconsistent shapes: GlobalAveragePool input has rank {x.Rank}, needs 4");
        return EmitActivation(n, OpKind.GlobalAvgPool, [x.Node], 4);
    }

    private void RequireUnitDilations(OnnxNode n)
    {
        if (n.Ints("dilations") is { } d && d.Any(v => v != 1)) throw n.Unsupported($"with dilations [{string.Join(",", d)}] ");
    }

    private static (int H, int W) Strides(OnnxNode n)
    {
        long[] s = n.Ints("strides") ?? [1, 1];
        if (s.Length != 2 || s[0] <= 0 || s[1] <= 0) throw n.Error($"strides [{string.Join(",", s)}] are not two positive numbers");
        return ((int)s[0], (int)s[1]);
    }

    /// <summary>Symmetric padding from pads or auto_pad; Pocket's conv and pool pad both sides alike.</summary>
    private static (int H, int W) Padding(OnnxNode n, TensorShape input, int kH, int kW, int sH, int sW)
    {
        string auto = n.String("auto_pad", "NOTSET");
        switch (auto)
        {
            case "NOTSET":
            {
                long[] p = n.Ints("pads") ?? [0, 0, 0, 0];
                if (p.Length != 4 || p.Any(v => v < 0)) throw n.Error($"pads [{string.Join(",", p)}] are not 4 non-negative numbers");
                int? h = SymmetricPad(input.Height, kH, sH, p[0], p[2]), w = SymmetricPad(input.Width, kW, sW, p[1], p[3]);
                if (h is null || w is null || n.Int("ceil_mode", 0) != 0 && (p[0] != p[2] || p[1] != p[3]))
                    throw n.Unsupported($"with asymmetric pads [{string.Join(",", p)}] ");
                return (h.Value, w.Value);
            }
            case "VALID": return (0, 0);
            case "SAME_UPPER" or "SAME_LOWER":
            {
                int Total(int size, int k, int s) => Math.Max(((size + s - 1) / s - 1) * s + k - size, 0);
                int h = Total(input.Height, kH, sH), w = Total(input.Width, kW, sW);
                if (h % 2 != 0 || w % 2 != 0) throw n.Unsupported($"with auto_pad={auto} needing asymmetric padding ({h}x{w} in total) ");
                return (h / 2, w / 2);
            }
            default: throw n.Error($"auto_pad '{auto}' is not an ONNX value");
        }
    }

    /// <summary>
    /// Pads (begin, end) as one symmetric pad. CNTK writes "same" padding as begin ≥ end (a 7×7/2 conv on 224: [3, 2]);
    /// the windows start where begin puts them, so (begin, begin) reads the same values whenever it gives as many
    /// outputs: the extra end padding is never reached. Null when no symmetric pad is equivalent.
    /// </summary>
    private static int? SymmetricPad(int size, int kernel, int stride, long begin, long end)
    {
        if (begin == end) return (int)begin;
        long Outputs(long total) => (size + total - kernel) / stride + 1;
        return begin > end && Outputs(2 * begin) == Outputs(begin + end) ? (int)begin : null;
    }

    private ImportedValue Softmax(OnnxNode n)
    {
        ActivationValue x = Activation(n, 0);
        long axis = n.Int("axis", n.Opset < 13 ? 1 : -1);
        TensorShape s = Shape(x);
        int a = ConstantFolder.Axis(n, axis, x.Rank);
        // Pocket's Softmax normalises over the whole sample: opset < 13 coerces to 2-D at the axis (axis 1 is the sample),
        // opset 13 is over one axis, the same when the others are 1.
        bool wholeSample = a == 1 && (n.Opset < 13 || x.Rank == 2 || s.Plane == 1)
            || x.Rank == 4 && a == 3 && s.Channels == 1 && s.Height == 1;
        if (!wholeSample) throw n.Unsupported($"over axis {axis} of a {s} input ");
        return EmitActivation(n, OpKind.Softmax, [x.Node], x.Rank);
    }

    // ---------------------------------------------------------------- element-wise

    private ImportedValue Arithmetic(OnnxNode n)
    {
        ImportedValue a = Value(n, n.Input(0), "A"), b = Value(n, n.Input(1), "B");
        switch (a, b)
        {
            case (ConstantValue ca, ConstantValue cb):
                return new ConstantValue(ConstantFolder.Binary(n, ca.Tensor, cb.Tensor));
            case (ActivationValue x, ActivationValue y):
                if (n.OpType != "Add") throw n.Unsupported("of two activations ");
                if (x.HasPendingPad || y.HasPendingPad) throw n.Unsupported("reading a Pad result ");
                if (Shape(x) != Shape(y)) throw n.Error($"inconsistent shapes: cannot add {Shape(x)} and {Shape(y)}");
                return EmitActivation(n, OpKind.Add, [x.Node, y.Node], Math.Max(x.Rank, y.Rank));
            case (ActivationValue x, ConstantValue c):
                return Affine(n, x, c.Tensor, constantFirst: false);
            case (ConstantValue c, ActivationValue x):
                return Affine(n, x, c.Tensor, constantFirst: true);
            default:
                throw n.Error("has an input of unknown kind");
        }
    }

    /// <summary>
    /// An activation and a per-channel (or scalar) constant: y = scale·x + shift per channel. An Add or Sub of a conv's or
    /// linear layer's only output folds into its bias, any of the four into a BatchNorm2d before it; anything else becomes
    /// a BatchNorm2d with mean 0, variance 1, eps 0 (exactly scale·x + shift), which the runtime folds into the conv
    /// before it where it can.
    /// </summary>
    private ImportedValue Affine(OnnxNode n, ActivationValue x, ConstantTensor c, bool constantFirst)
    {
        if (x.HasPendingPad) throw n.Unsupported("reading a Pad result ");
        TensorShape s = Shape(x);
        float[] perChannel = PerChannel(n, x, c);
        int channels = s.Channels;
        float[] scale = Enumerable.Repeat(1f, channels).ToArray(), shift = new float[channels];
        switch (n.OpType, constantFirst)
        {
            case ("Add", _): shift = perChannel; break;
            case ("Sub", false): shift = perChannel.Select(v => -v).ToArray(); break;
            case ("Sub", true): scale = Enumerable.Repeat(-1f, channels).ToArray(); shift = perChannel; break;
            case ("Mul", _): scale = perChannel; break;
            case ("Div", false): scale = perChannel.Select(v => 1f / v).ToArray(); break;
            default: throw n.Unsupported("of a constant by an activation ");
        }

        string? input = n.Input(constantFirst ? 1 : 0);
        GraphNode producer = _nodes[x.Node];
        bool soleReader = _producedFor[x.Node] == input && _uses.GetValueOrDefault(input!) == 1;
        if (soleReader && producer.Op is OpKind.Conv2d or OpKind.Linear && scale.All(v => v == 1f))
        {
            // conv(x) + shift: the bias absorbs it.
            float[] bias = producer.Tensors[1].Length > 0 ? _tensors[producer.Tensors[1]].ToDense() : new float[channels];
            for (int i = 0; i < channels; i++) bias[i] += shift[i];
            string name = producer.Tensors[1].Length > 0 ? producer.Tensors[1] : AddTensor($"{producer.Name}.bias", [channels], bias);
            _tensors[name] = new DenseTensor(name, [channels], bias);
            _nodes[x.Node] = producer with { Tensors = [producer.Tensors[0], name] };
            _producedFor[x.Node] = n.Output(0);
            return x;
        }
        if (soleReader && producer.Op == OpKind.BatchNorm2d)
        {
            // scale·(γ·x̂ + β) + shift = (scale·γ)·x̂ + (scale·β + shift).
            float[] gamma = _tensors[producer.Tensors[0]].ToDense(), beta = _tensors[producer.Tensors[1]].ToDense();
            for (int i = 0; i < channels; i++)
            {
                gamma[i] *= scale[i];
                beta[i] = beta[i] * scale[i] + shift[i];
            }
            _tensors[producer.Tensors[0]] = new DenseTensor(producer.Tensors[0], [channels], gamma);
            _tensors[producer.Tensors[1]] = new DenseTensor(producer.Tensors[1], [channels], beta);
            _producedFor[x.Node] = n.Output(0);
            return x;
        }
        string[] tensors =
        [
            AddTensor($"{n.Name}.weight", [channels], scale),
            AddTensor($"{n.Name}.bias", [channels], shift),
            AddTensor($"{n.Name}.running_mean", [channels], new float[channels]),
            AddTensor($"{n.Name}.running_var", [channels], Enumerable.Repeat(1f, channels).ToArray()),
        ];
        return EmitActivation(n, OpKind.BatchNorm2d, [x.Node], x.Rank, [channels], tensors, [0f]);
    }

    /// <summary>The constant's value per channel, when it broadcasts as a scalar or a [C] / [C, 1, 1] vector against the activation.</summary>
    private float[] PerChannel(OnnxNode n, ActivationValue x, ConstantTensor c)
    {
        long[] dims = OnnxDims(x);
        if (c.Dims.Length > dims.Length) throw n.Unsupported($"with a constant {c} of higher rank than its rank-{x.Rank} input ");
        long[] aligned = [.. Enumerable.Repeat(1L, dims.Length - c.Dims.Length), .. c.Dims];
        int channels = Shape(x).Channels;
        float[] values = c.AsFloats();
        if (values.Length == 1) return Enumerable.Repeat(values[0], channels).ToArray();
        bool perChannel = aligned[1] == channels && aligned.Where((d, i) => i != 1).All(d => d == 1);
        if (!perChannel) throw n.Unsupported($"with a constant {c} that varies other than per channel of [{string.Join(",", dims)}] ");
        return values;
    }

    // ---------------------------------------------------------------- structure

    private ImportedValue Concat(OnnxNode n)
    {
        long axis = n.Has("axis") ? n.Int("axis", 1) : throw n.Error("has no axis");
        if (AllConstant(n))
            return new ConstantValue(ConstantFolder.Concat(n, Enumerable.Range(0, n.Proto.Input.Count).Select(i => Constant(n, i, $"#{i}")).ToList(), axis));
        var inputs = Enumerable.Range(0, n.Proto.Input.Count).Select(i => Activation(n, i)).ToList();
        int rank = inputs[0].Rank;
        if (inputs.Any(i => i.Rank != rank)) throw n.Error("inconsistent shapes: inputs of different rank");
        if (ConstantFolder.Axis(n, axis, rank) != 1) throw n.Unsupported($"along axis {axis} (only channels) ");
        foreach (ActivationValue i in inputs)
            if (Shape(i).Height != Shape(inputs[0]).Height || Shape(i).Width != Shape(inputs[0]).Width)
                throw n.Error($"inconsistent shapes: cannot concatenate {Shape(i)} with {Shape(inputs[0])}");
        return EmitActivation(n, OpKind.Concat, inputs.Select(i => i.Node).ToArray(), rank);
    }

    private ImportedValue Pad(OnnxNode n)
    {
        ActivationValue x = Activation(n, 0);
        if (x.Rank != 4) throw n.Unsupported($"of a rank-{x.Rank} activation ");
        string mode = n.String("mode", "constant");
        if (mode != "constant") throw n.Unsupported($"with mode '{mode}' ");
        long[] pads;
        float value;
        if (n.Opset < 11)
        {
            pads = n.Ints("pads") ?? throw n.Error("has no pads");
            value = n.Float("value", 0f);
        }
        else
        {
            pads = Constant(n, 1, "pads").AsInts();
            value = OptionalConstant(n, 2, "constant_value") is { } v ? v.AsFloats().Single() : 0f;
            if (n.Input(3) is not null) throw n.Unsupported("with axes ");
        }
        if (value != 0f) throw n.Unsupported($"with value {value} (only zeros) ");
        if (pads.Length != 8) throw n.Error($"pads [{string.Join(",", pads)}] are not 8 numbers for a rank-4 input");
        if (pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0 || pads[2] != pads[6] || pads[3] != pads[7] || pads[2] < 0 || pads[3] < 0)
            throw n.Unsupported($"with pads [{string.Join(",", pads)}] (only symmetric, non-negative, of H and W) ");
        return x with { PadH = x.PadH + (int)pads[2], PadW = x.PadW + (int)pads[3] };
    }

    private ImportedValue Flatten(OnnxNode n)
    {
        long axis = n.Int("axis", 1);
        if (AllConstant(n))
        {
            ConstantTensor c = Constant(n, 0, "input");
            int a = axis < 0 ? (int)axis + c.Dims.Length : (int)axis;
            return new ConstantValue(ConstantFolder.WithDims(c, [c.Dims[..a].Aggregate(1L, (p, d) => p * d), c.Dims[a..].Aggregate(1L, (p, d) => p * d)]));
        }
        ActivationValue x = Activation(n, 0);
        if (ConstantFolder.Axis(n, axis, x.Rank) != 1) throw n.Unsupported($"with axis {axis} (only 1: keep the batch) ");
        return FlatOf(n, x);
    }

    private ActivationValue FlatOf(OnnxNode n, ActivationValue x) =>
        x.Rank == 2 ? x : EmitActivation(n, OpKind.Flatten, [x.Node], 2);

    private ImportedValue Reshape(OnnxNode n)
    {
        bool allowZero = n.Int("allowzero", 0) != 0;
        long[] target = n.Opset < 5 ? n.Ints("shape") ?? throw n.Error("has no shape") : Constant(n, 1, "shape").AsInts();
        if (Value(n, n.Input(0), "data") is ConstantValue c)
            return new ConstantValue(ConstantFolder.WithDims(c.Tensor, ConstantFolder.ReshapeDims(n, c.Tensor.Dims, target, allowZero)));
        ActivationValue x = Activation(n, 0);
        long[] dims = ConstantFolder.ReshapeDims(n, OnnxDims(x), target, allowZero);
        TensorShape s = Shape(x);
        if (dims.Length < 2 || dims[0] != 1)
            throw n.Unsupported($"to [{string.Join(",", target)}], which does not keep the batch axis first ");
        if (dims.Length == 2) return FlatOf(n, x);
        if (dims.Length == 4 && (dims[1] == s.Channels && dims[2] == s.Height && dims[3] == s.Width
                                 || s.Plane == 1 && dims[2] == 1 && dims[3] == 1))
            return x with { Rank = 4 };
        throw n.Unsupported($"of {s} to [{string.Join(",", target)}] (only flattening) ");
    }

    private ImportedValue SqueezeOrUnsqueeze(OnnxNode n)
    {
        bool squeeze = n.OpType == "Squeeze";
        long[]? axes = n.Opset < 13 ? n.Ints("axes") : OptionalConstant(n, 1, "axes")?.AsInts();
        if (Value(n, n.Input(0), "data") is ConstantValue c)
            return new ConstantValue(squeeze ? ConstantFolder.Squeeze(n, c.Tensor, axes)
                : ConstantFolder.Unsqueeze(n, c.Tensor, axes ?? throw n.Error("has no axes")));
        ActivationValue x = Activation(n, 0);
        long[] dims = OnnxDims(x);
        // Only size-1 axes after the channel axis come and go: no value moves, the activation only changes rank.
        int rank = squeeze ? x.Rank : x.Rank + (axes?.Length ?? 0);
        int[] set = (axes ?? Enumerable.Range(2, x.Rank - 2).Where(d => dims[d] == 1).Select(d => (long)d).ToArray())
            .Select(a => ConstantFolder.Axis(n, a, rank)).Distinct().ToArray();
        int newRank = squeeze ? x.Rank - set.Length : rank;
        bool folds = !squeeze && axes is not null || squeeze;
        folds &= set.All(a => a >= 2) && newRank is >= 2 and <= 4;
        if (squeeze) folds &= set.All(a => dims[a] == 1);
        if (!folds) throw n.Unsupported($"of a [{string.Join(",", dims)}] activation on axes [{string.Join(",", axes ?? [])}] ");
        return x with { Rank = newRank };
    }

    private ImportedValue Transpose(OnnxNode n)
    {
        if (Value(n, n.Input(0), "data") is ConstantValue c)
        {
            long[] perm = n.Ints("perm") ?? Enumerable.Range(0, c.Tensor.Dims.Length).Reverse().Select(i => (long)i).ToArray();
            return new ConstantValue(ConstantFolder.Transpose(n, c.Tensor, perm));
        }
        ActivationValue x = Activation(n, 0);
        long[] dims = OnnxDims(x);
        long[] p = n.Ints("perm") ?? Enumerable.Range(0, x.Rank).Reverse().Select(i => (long)i).ToArray();
        // Moving only axes of size 1 (and keeping the batch first) changes no value's position: it folds away.
        bool folds = p.Length == x.Rank && p[0] == 0 && p.Where(a => dims[a] != 1).SequenceEqual(Enumerable.Range(0, x.Rank).Where(a => dims[a] != 1).Select(a => (long)a));
        if (!folds) throw n.Unsupported($"with perm [{string.Join(",", p)}] of [{string.Join(",", dims)}] (it moves values) ");
        return x;
    }

    // ---------------------------------------------------------------- constants

    private ConstantTensor ConstantOf(OnnxNode n)
    {
        if (n.Tensor("value") is { } t) return OnnxTensorReader.Read(t, $"node '{n.Name}' value");
        if (n.Has("value_float")) return ConstantTensor.Float([], [n.Float("value_float", 0)]);
        if (n.Floats("value_floats") is { } fs) return ConstantTensor.Float([fs.Length], fs);
        if (n.Has("value_int")) return ConstantTensor.Int([], [n.Int("value_int", 0)]);
        if (n.Ints("value_ints") is { } ints) return ConstantTensor.Int([ints.Length], ints);
        throw n.Unsupported("with a value other than a tensor, float(s) or int(s) ");
    }

    private ConstantTensor ShapeOf(OnnxNode n)
    {
        long[] dims = Value(n, n.Input(0), "data") switch
        {
            ConstantValue c => c.Tensor.Dims,
            ActivationValue a => OnnxDims(a),
            _ => throw n.Error("has an input of unknown kind"),
        };
        int rank = dims.Length;
        long start = n.Int("start", 0), end = n.Int("end", rank);
        int s = (int)Math.Clamp(start < 0 ? start + rank : start, 0, rank), e = (int)Math.Clamp(end < 0 ? end + rank : end, 0, rank);
        long[] picked = dims[s..Math.Max(s, e)];
        return ConstantTensor.Int([picked.Length], picked);
    }

    private ConstantTensor Slice(OnnxNode n)
    {
        ConstantTensor data = Constant(n, 0, "data");
        if (n.Opset < 10)
            return ConstantFolder.Slice(n, data, n.Ints("starts") ?? throw n.Error("has no starts"),
                n.Ints("ends") ?? throw n.Error("has no ends"), n.Ints("axes"), null);
        return ConstantFolder.Slice(n, data, Constant(n, 1, "starts").AsInts(), Constant(n, 2, "ends").AsInts(),
            OptionalConstant(n, 3, "axes")?.AsInts(), OptionalConstant(n, 4, "steps")?.AsInts());
    }

    private ImportedValue Cast(OnnxNode n)
    {
        long to = n.Int("to", 0);
        ImportedValue v = Value(n, n.Input(0), "input");
        return (v, to) switch
        {
            (ConstantValue c, 1 or 11) => new ConstantValue(ConstantTensor.Float(c.Tensor.Dims, c.Tensor.AsFloats())),
            (ConstantValue c, 6 or 7) => new ConstantValue(ConstantTensor.Int(c.Tensor.Dims, c.Tensor.AsInts())),
            (ActivationValue a, 1) => a,
            _ => throw n.Unsupported($"to element type {to} "),
        };
    }

    private ConstantTensor ConstantOfShape(OnnxNode n)
    {
        long[] dims = Constant(n, 0, "input").AsInts();
        ConstantTensor value = n.Tensor("value") is { } t ? OnnxTensorReader.Read(t, $"node '{n.Name}' value") : ConstantTensor.Float([1], [0f]);
        long count = dims.Aggregate(1L, (a, d) => a * d);
        if (count > 1 << 24) throw n.Error($"makes a constant of {count} elements");
        return value.IsFloat
            ? ConstantTensor.Float(dims, Enumerable.Repeat(value.Floats![0], (int)count).ToArray())
            : ConstantTensor.Int(dims, Enumerable.Repeat(value.Ints![0], (int)count).ToArray());
    }
}
