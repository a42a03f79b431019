using Pocket.Format;
using Pocket.Runtime.Ops;

namespace Pocket.Runtime;

/// <summary>The executable form of a graph: layers in order, their slots, and when each slot can be recycled.</summary>
/// <param name="TailStart">The first layer of the batch-wide tail (<see cref="GraphCompiler.FindBatchWideTail"/>), or the
/// layer count when there is none.</param>
/// <param name="TailInputSlot">The one slot the tail reads from the layers before it (0: the network's input).</param>
internal sealed record CompiledGraph(
    Layer[] Layers,
    int[] SlotLengths,
    int OutputSlot,
    int[][] ReleaseAfter,
    TensorShape InputShape,
    TensorShape OutputShape,
    int TailStart,
    int TailInputSlot)
{
    public bool HasBatchWideTail => TailStart < Layers.Length;
}

/// <summary>
/// Turns a <see cref="PocketModel"/> into layers. Pass 1 validates every node (input indices, attribute counts,
/// shapes, tensors) and infers shapes; pass 2 picks a kernel per node and fuses: BatchNorm into the conv before it
/// and ReLU/ReLU6 into the conv/linear/BatchNorm before it, each only when that producer has no other consumer
/// (otherwise someone would read the modified values). Flatten costs nothing: it shares its input's buffer.
/// </summary>
internal static class GraphCompiler
{
    public static CompiledGraph Compile(PocketModel model, PocketNetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<GraphNode>? nodes = model.Graph?.Nodes;
        if (nodes is null || nodes.Count == 0) throw new PocketRuntimeException("graph has no nodes");

        TensorShape[] shapes = InferShapes(nodes);
        var tensors = new TensorReader(model.Tensors);

        // Consumers per node; the graph output counts as one more consumer, so it is never fused away.
        int[] consumerCount = new int[nodes.Count];
        int[] lastConsumer = new int[nodes.Count];
        for (int i = 1; i < nodes.Count; i++)
            foreach (int input in nodes[i].Inputs)
            {
                consumerCount[input]++;
                lastConsumer[input] = i;
            }
        consumerCount[^1]++;

        int SoleConsumer(int producer, OpKind op) =>
            consumerCount[producer] == 1 && nodes[lastConsumer[producer]].Op == op ? lastConsumer[producer] : -1;

        (int Node, FusedActivation Activation) FusibleActivation(int producer)
        {
            if (!options.FuseActivations) return (-1, FusedActivation.None);
            int relu = SoleConsumer(producer, OpKind.Relu);
            if (relu >= 0) return (relu, FusedActivation.Relu);
            int relu6 = SoleConsumer(producer, OpKind.Relu6);
            return relu6 >= 0 ? (relu6, FusedActivation.Relu6) : (-1, FusedActivation.None);
        }

        var layers = new List<Layer>();
        var slotLengths = new List<int> { shapes[0].Length };
        int[] slotOf = new int[nodes.Count];
        bool[] absorbed = new bool[nodes.Count];

        for (int i = 1; i < nodes.Count; i++)
        {
            if (absorbed[i]) continue;
            var node = new NodeContext(i, nodes[i]);
            GraphNode n = nodes[i];
            TensorShape inShape = shapes[n.Inputs.Length > 0 ? n.Inputs[0] : 0];
            Layer? layer = null;
            var fused = new List<int>();

            switch (n.Op)
            {
                case OpKind.Conv2d:
                {
                    int end = i;
                    int bn = options.FoldBatchNorm ? SoleConsumer(i, OpKind.BatchNorm2d) : -1;
                    if (bn >= 0) { fused.Add(bn); end = bn; }
                    (int act, FusedActivation activation) = FusibleActivation(end);
                    if (act >= 0) fused.Add(act);
                    layer = BuildConv(node, inShape, tensors, bn >= 0 ? new NodeContext(bn, nodes[bn]) : null, activation, nodes, fused);
                    break;
                }
                case OpKind.Linear:
                {
                    (int act, FusedActivation activation) = FusibleActivation(i);
                    if (act >= 0) fused.Add(act);
                    layer = BuildLinear(node, inShape, tensors, activation, nodes, fused);
                    break;
                }
                case OpKind.BatchNorm2d:
                {
                    (int act, FusedActivation activation) = FusibleActivation(i);
                    if (act >= 0) fused.Add(act);
                    (float[] scale, float[] shift) = BatchNormAffine(node, inShape.Channels, tensors);
                    layer = new BatchNormOp(JoinNames(n, nodes, fused), inShape, scale, shift, activation);
                    break;
                }
                case OpKind.Relu:
                    layer = new ActivationOp(n.Name, inShape, FusedActivation.Relu);
                    break;
                case OpKind.Relu6:
                    layer = new ActivationOp(n.Name, inShape, FusedActivation.Relu6);
                    break;
                case OpKind.MaxPool2d:
                    layer = new MaxPool2dOp(n.Name, PoolOf(n, inShape));
                    break;
                case OpKind.AvgPool2d:
                    layer = new AvgPool2dOp(n.Name, PoolOf(n, inShape));
                    break;
                case OpKind.GlobalAvgPool:
                    layer = new GlobalAvgPoolOp(n.Name, inShape);
                    break;
                case OpKind.Concat:
                    layer = new ConcatOp(n.Name, n.Inputs.Select(x => shapes[x]).ToArray());
                    break;
                case OpKind.Add:
                    layer = new AddOp(n.Name, inShape);
                    break;
                case OpKind.Softmax:
                    layer = new SoftmaxOp(n.Name, inShape);
                    break;
                case OpKind.Sigmoid:
                    layer = new SigmoidOp(n.Name, inShape);
                    break;
                case OpKind.LeakyRelu:
                    layer = new LeakyReluOp(n.Name, inShape, n.FloatAttributes[0]);
                    break;
                case OpKind.Flatten:
                    slotOf[i] = slotOf[n.Inputs[0]]; // a reshape: same values, same buffer
                    continue;
                default:
                    throw node.Error($"op {n.Op} cannot appear after the input node");
            }

            layer.InputSlots = n.Inputs.Select(x => slotOf[x]).ToArray();
            layer.OutputSlot = slotLengths.Count;
            slotLengths.Add(layer.OutputShape.Length);
            slotOf[i] = layer.OutputSlot;
            foreach (int f in fused)
            {
                absorbed[f] = true;
                slotOf[f] = layer.OutputSlot;
            }
            layers.Add(layer);
        }

        int outputSlot = slotOf[^1];
        if (options.WriteConcatsInPlace) WriteConcatInputsInPlace(layers, outputSlot);
        var (tailStart, tailInput) = FindBatchWideTail(layers, outputSlot);
        return new CompiledGraph(layers.ToArray(), slotLengths.ToArray(), outputSlot,
            PlanReleases(layers, slotLengths.Count, outputSlot), shapes[0], shapes[^1], tailStart, tailInput);
    }

    /// <summary>
    /// The classifier head a batch can run through whole: the longest run of last layers that are all
    /// <see cref="Layer.BatchWide"/>, starting at one with weights, and reading exactly one slot from the layers before
    /// it (LeNet-5's fc1 → fc2 after its pools; all of a dense LeNet-300). The layers before it run per tile of samples,
    /// which keeps conv activations in cache; the tail then reads its weights once per batch rather than once per tile.
    /// Returns the layer count when there is no such tail.
    /// </summary>
    internal static (int Start, int InputSlot) FindBatchWideTail(List<Layer> layers, int outputSlot)
    {
        int start = layers.Count;
        while (start > 0 && layers[start - 1].BatchWide) start--;
        while (start < layers.Count && layers[start].WeightBytes == 0) start++;
        if (start == layers.Count) return (layers.Count, 0);
        var producedInTail = new HashSet<int>(layers.Skip(start).Select(l => l.OutputSlot));
        int[] fromHead = layers.Skip(start).SelectMany(l => l.InputSlots).Where(s => !producedInTail.Contains(s)).Distinct().ToArray();
        bool headWritesTail = layers.Take(start).Any(l => producedInTail.Contains(l.OutputSlot)) || producedInTail.Contains(0);
        if (fromHead.Length != 1 || fromHead[0] == outputSlot || headWritesTail) return (layers.Count, 0);
        return (start, fromHead[0]);
    }

    /// <summary>
    /// Concat-free Fire modules: when every input of a concat is a layer that can write into a channel slice
    /// (<see cref="Layer.WritesIntoSlices"/>) and nothing else reads it, those layers write straight into their part of
    /// the concat's slot and the concat layer is dropped. The values are the ones the concat would have copied, so no
    /// result changes; SqueezeNet 1.1's eight concats (0.12 ms of 4.3 at 224, session 14) disappear.
    /// </summary>
    private static void WriteConcatInputsInPlace(List<Layer> layers, int outputSlot)
    {
        for (int c = layers.Count - 1; c >= 0; c--)
        {
            if (layers[c] is not ConcatOp concat) continue;
            var producers = new List<Layer>();
            foreach (int slot in concat.InputSlots)
            {
                Layer? producer = layers.FirstOrDefault(l => l.OutputSlot == slot);
                bool soleReader = slot != outputSlot && slot != 0
                    && layers.Count(l => l.InputSlots.Contains(slot)) == 1 && concat.InputSlots.Count(x => x == slot) == 1;
                if (producer is null || !producer.WritesIntoSlices || !soleReader) break;
                producers.Add(producer);
            }
            if (producers.Count != concat.InputSlots.Length) continue;
            int offset = 0;
            foreach (Layer producer in producers)
            {
                producer.OutputSlot = concat.OutputSlot;
                producer.OutputOffset = offset;
                producer.OutputSampleStride = concat.OutputShape.Length;
                offset += producer.OutputShape.Length;
            }
            layers.RemoveAt(c);
        }
    }

    /// <summary>For each layer, the slots whose last reader it is, so their buffers go back to the pool early (slots no
    /// layer uses any more, the inputs of an in-place concat, are never rented and never released).</summary>
    private static int[][] PlanReleases(List<Layer> layers, int slotCount, int outputSlot)
    {
        int[] lastUse = Enumerable.Repeat(-1, slotCount).ToArray();
        if (slotCount > 0) lastUse[0] = 0; // the input slot is "produced" before layer 0
        for (int l = 0; l < layers.Count; l++)
        {
            lastUse[layers[l].OutputSlot] = l;
            foreach (int s in layers[l].InputSlots) lastUse[s] = l;
        }
        var release = new List<int>[layers.Count];
        for (int l = 0; l < layers.Count; l++) release[l] = [];
        for (int s = 0; s < slotCount; s++)
            if (s != outputSlot && layers.Count > 0 && lastUse[s] >= 0) release[lastUse[s]].Add(s);
        return release.Select(r => r.ToArray()).ToArray();
    }

    private static string JoinNames(GraphNode node, IReadOnlyList<GraphNode> nodes, List<int> fused) =>
        fused.Count == 0 ? node.Name : node.Name + "+" + string.Join("+", fused.Select(f => nodes[f].Name));

    // ---------------------------------------------------------------- pass 1: validation and shapes

    internal static TensorShape[] InferShapes(IReadOnlyList<GraphNode> nodes)
    {
        var shapes = new TensorShape[nodes.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++)
        {
            GraphNode? n = nodes[i];
            if (n is null) throw new PocketRuntimeException($"node {i} is null");
            var node = new NodeContext(i, n);
            if (n.Inputs is null || n.Attributes is null || n.FloatAttributes is null || n.Tensors is null)
                throw node.Error("has a null inputs/attributes/tensors array");
            if (string.IsNullOrEmpty(n.Name)) throw node.Error("has no name");
            if (!names.Add(n.Name)) throw node.Error("duplicates the name of an earlier node");

            if (i == 0)
            {
                if (n.Op != OpKind.Input) throw node.Error($"node 0 must be Input, got {n.Op}");
                ExpectAttributes(node, 3, "[C, H, W]");
                ExpectInputs(node, 0, 0);
                if (n.Attributes.Any(a => a <= 0)) throw node.Error($"input shape [{string.Join(",", n.Attributes)}] must be positive");
                shapes[0] = new TensorShape(n.Attributes[0], n.Attributes[1], n.Attributes[2]);
                CheckSize(node, shapes[0]);
                continue;
            }

            if (n.Op == OpKind.Input) throw node.Error("only node 0 may be Input");
            int minInputs = n.Op == OpKind.Concat ? 1 : n.Op == OpKind.Add ? 2 : 1;
            int maxInputs = n.Op == OpKind.Concat ? int.MaxValue : minInputs;
            ExpectInputs(node, minInputs, maxInputs);
            foreach (int x in n.Inputs)
                if (x < 0 || x >= i) throw node.Error($"input index {x} must refer to an earlier node (0..{i - 1})");
            TensorShape input = shapes[n.Inputs[0]];

            shapes[i] = n.Op switch
            {
                OpKind.Conv2d => ConvShape(node, input),
                OpKind.Linear => LinearShape(node, input),
                OpKind.BatchNorm2d => BatchNormShape(node, input),
                OpKind.MaxPool2d or OpKind.AvgPool2d => PoolShape(node, input),
                OpKind.Relu or OpKind.Relu6 or OpKind.Softmax or OpKind.Sigmoid => NoAttributes(node, input),
                OpKind.LeakyRelu => LeakyReluOp.CheckAttributes(node, NoAttributes(node, input)),
                OpKind.GlobalAvgPool => NoAttributes(node, new TensorShape(input.Channels, 1, 1)),
                OpKind.Flatten => NoAttributes(node, new TensorShape(input.Length, 1, 1)),
                OpKind.Concat => ConcatShape(node, n.Inputs.Select(x => shapes[x]).ToArray()),
                OpKind.Add => AddShape(node, input, shapes[n.Inputs[1]]),
                _ => throw node.Error($"unknown op {(int)n.Op}"),
            };
            CheckSize(node, shapes[i]);
        }
        return shapes;
    }

    private static void CheckSize(NodeContext node, TensorShape shape)
    {
        if ((long)shape.Channels * shape.Height * shape.Width > int.MaxValue / 64)
            throw node.Error($"output {shape} is too large");
    }

    /// <summary>The zero-padded input is an activation too (kernels copy into it): it obeys the same size limit, which
    /// also keeps every padded extent and offset computed from it inside int.</summary>
    private static void CheckPaddedInput(NodeContext node, TensorShape input, int padH, int padW)
    {
        long padded = input.Channels * ((long)input.Height + 2L * padH) * ((long)input.Width + 2L * padW);
        if (padded > int.MaxValue / 64)
            throw node.Error($"padding {padH}x{padW} makes the {input} input {padded} elements, too large");
    }

    private static void ExpectAttributes(NodeContext node, int count, string layout)
    {
        if (node.Node.Attributes.Length != count)
            throw node.Error($"{node.Node.Op} expects {count} attributes {layout}, got {node.Node.Attributes.Length}");
    }

    private static void ExpectInputs(NodeContext node, int min, int max)
    {
        int count = node.Node.Inputs.Length;
        if (count < min || count > max)
            throw node.Error($"{node.Node.Op} expects {(min == max ? min.ToString() : $"at least {min}")} input(s), got {count}");
    }

    private static TensorShape NoAttributes(NodeContext node, TensorShape output)
    {
        ExpectAttributes(node, 0, "[]");
        return output;
    }

    private static ConvGeometry ConvOf(GraphNode n, TensorShape input)
    {
        int[] a = n.Attributes;
        return new ConvGeometry(a[1], input.Height, input.Width, a[0], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
    }

    private static TensorShape ConvShape(NodeContext node, TensorShape input)
    {
        ExpectAttributes(node, 9, "[outC, inC, kH, kW, sH, sW, pH, pW, groups]");
        int[] a = node.Node.Attributes;
        if (a[1] != input.Channels) throw node.Error($"expects {a[1]} input channels but its input {input} has {input.Channels}");
        if (a[0] <= 0 || a[2] <= 0 || a[3] <= 0 || a[4] <= 0 || a[5] <= 0 || a[6] < 0 || a[7] < 0 || a[8] <= 0)
            throw node.Error($"invalid conv attributes [{string.Join(",", a)}]");
        if (a[0] % a[8] != 0 || a[1] % a[8] != 0)
            throw node.Error($"groups={a[8]} must divide inC={a[1]} and outC={a[0]}");
        CheckPaddedInput(node, input, a[6], a[7]);
        ConvGeometry g = ConvOf(node.Node, input);
        if (input.Height + 2 * g.PadH < g.KernelH || input.Width + 2 * g.PadW < g.KernelW)
            throw node.Error($"kernel {g.KernelH}x{g.KernelW} is larger than the padded input {input}");
        return new TensorShape(g.OutChannels, g.OutHeight, g.OutWidth);
    }

    private static TensorShape LinearShape(NodeContext node, TensorShape input)
    {
        ExpectAttributes(node, 2, "[out, in]");
        int[] a = node.Node.Attributes;
        if (a[0] <= 0 || a[1] <= 0) throw node.Error($"invalid linear attributes [{a[0]},{a[1]}]");
        if (a[1] != input.Length) throw node.Error($"expects {a[1]} input features but its input {input} has {input.Length}");
        return new TensorShape(a[0], 1, 1);
    }

    private static TensorShape BatchNormShape(NodeContext node, TensorShape input)
    {
        ExpectAttributes(node, 1, "[C]");
        if (node.Node.FloatAttributes.Length != 1) throw node.Error($"BatchNorm2d expects 1 float attribute [eps], got {node.Node.FloatAttributes.Length}");
        if (node.Node.Attributes[0] != input.Channels) throw node.Error($"expects {node.Node.Attributes[0]} channels but its input {input} has {input.Channels}");
        return input;
    }

    private static PoolGeometry PoolOf(GraphNode n, TensorShape input)
    {
        int[] a = n.Attributes;
        return new PoolGeometry(input.Channels, input.Height, input.Width, a[0], a[1], a[2], a[3], a[4], a[5], a[6] != 0);
    }

    private static TensorShape PoolShape(NodeContext node, TensorShape input)
    {
        ExpectAttributes(node, 7, "[kH, kW, sH, sW, pH, pW, ceilMode]");
        int[] a = node.Node.Attributes;
        if (a[0] <= 0 || a[1] <= 0 || a[2] <= 0 || a[3] <= 0 || a[4] < 0 || a[5] < 0 || (a[6] != 0 && a[6] != 1))
            throw node.Error($"invalid pool attributes [{string.Join(",", a)}]");
        // PyTorch's rule; it also guarantees every window overlaps the input.
        if (a[4] > a[0] / 2 || a[5] > a[1] / 2) throw node.Error($"padding {a[4]}x{a[5]} exceeds half the kernel {a[0]}x{a[1]}");
        CheckPaddedInput(node, input, a[4], a[5]);
        PoolGeometry g = PoolOf(node.Node, input);
        if (g.OutHeight <= 0 || g.OutWidth <= 0) throw node.Error($"pooling {g.Describe()} of {input} gives an empty output");
        return new TensorShape(input.Channels, g.OutHeight, g.OutWidth);
    }

    private static TensorShape ConcatShape(NodeContext node, TensorShape[] inputs)
    {
        ExpectAttributes(node, 0, "[]");
        foreach (TensorShape s in inputs)
            if (s.Height != inputs[0].Height || s.Width != inputs[0].Width)
                throw node.Error($"cannot concatenate {s} with {inputs[0]}: spatial sizes differ");
        return new TensorShape(inputs.Sum(s => s.Channels), inputs[0].Height, inputs[0].Width);
    }

    private static TensorShape AddShape(NodeContext node, TensorShape a, TensorShape b)
    {
        ExpectAttributes(node, 0, "[]");
        if (a != b) throw node.Error($"cannot add {a} and {b}: shapes differ");
        return a;
    }

    // ---------------------------------------------------------------- pass 2: kernels and weights

    private static Layer BuildConv(NodeContext node, TensorShape input, TensorReader tensors, NodeContext? batchNorm,
        FusedActivation activation, IReadOnlyList<GraphNode> nodes, List<int> fused)
    {
        ConvGeometry g = ConvOf(node.Node, input);
        long weightCount = (long)g.OutChannels * g.FilterLength;
        PocketTensor weight = tensors.Required(node, 0, "weight", weightCount);
        float[] bias = tensors.Optional(node, 1, "bias", g.OutChannels)?.ToDense() ?? new float[g.OutChannels];
        string name = JoinNames(node.Node, nodes, fused);

        if (weight is BinaryTensor binary)
        {
            float[] scales = (float[])binary.Scales.Clone();
            if (batchNorm is { } bn)
            {
                float[] scale = FoldBatchNorm(bn, g.OutChannels, tensors, bias);
                for (int c = 0; c < scales.Length; c++) scales[c] *= scale[c];
            }
            return new BinaryConv2dOp(name, g, (byte[])binary.Bits.Clone(), scales, bias, activation);
        }

        // Compressed filters stay compressed (see ConvFilters and SparseConv2dOp): a folded BatchNorm's scale is
        // kept per channel for them rather than multiplied into a codebook every channel shares.
        float[]? bnScale = batchNorm is { } b ? FoldBatchNorm(b, g.OutChannels, tensors, bias) : null;
        bool depthwise = g.InChannelsPerGroup == 1 && g.Groups > 1;
        if (!depthwise && weight is SparseQuantizedTensor sparse && SparseConv2dOp.Supports(g)
            && SparseConv2dOp.BytesFor(sparse.Positions.Length, g.OutChannels)
               <= ConvFilters.QuantizedBytesFor(weightCount, sparse.Codebook.Length + 1, g.OutChannels, bnScale is not null))
        {
            // Sparse enough that CSR (6 bytes per kept weight: float value, ushort position) costs no more than
            // 1 byte per weight: below ~1/6 density, where skipping the pruned multiply-adds also beats the dense GEMM.
            // Depthwise layers stay dense (codes): they are small, and the phase-plane kernel serves them.
            return new SparseConv2dOp(name, g, sparse, bnScale, bias, activation);
        }

        if (weight is SparseQuantizedTensor pruned) CheckExpansion(node, pruned, g, weightCount, bnScale is not null);
        ConvFilters filters = ConvFilters.Create(weight, g.OutChannels, g.FilterLength, bnScale);
        return depthwise
            ? new DepthwiseConv2dOp(name, g, filters, bias, activation)
            : new Conv2dOp(name, g, filters, bias, activation);
    }

    /// <summary>Largest ratio of the one-code-per-weight form to what the layer pays for otherwise, that Load accepts.</summary>
    internal const int MaxExpansion = 4;

    /// <summary>
    /// A pruned conv weight the CSR kernel does not take (depthwise, K &gt; 65536, or too dense for CSR to be smaller) is held as one code
    /// (or float) per weight. The file pays only for the kept weights, so a tiny file could declare a 1.8e9-weight
    /// filter bank with one non-zero and make Load allocate gigabytes. The expanded form may be at most
    /// <see cref="MaxExpansion"/> times the larger of its CSR form (what the file pays for) and the layer's input and
    /// output activations (what a Predict needs anyway): real pruned convolutions are far inside either limit.
    /// </summary>
    private static void CheckExpansion(NodeContext node, SparseQuantizedTensor weight, in ConvGeometry g, long weightCount, bool scaled)
    {
        int centroids = weight.Codebook.Length;
        long expanded = centroids < ushort.MaxValue
            ? ConvFilters.QuantizedBytesFor(weightCount, centroids + 1, g.OutChannels, scaled)
            : 4L * weightCount;
        long sparse = SparseConv2dOp.BytesFor(weight.Positions.Length, g.OutChannels);
        long activations = 4L * ((long)g.InChannels * g.InPlane + (long)g.OutChannels * g.OutPlane);
        if (expanded > MaxExpansion * Math.Max(sparse, activations))
            throw node.Error($"weight tensor '{weight.Name}' keeps {weight.Positions.Length} of {weightCount} weights; "
                + $"this conv ({g.Describe()}) needs them expanded to {expanded} bytes, more than {MaxExpansion}x both "
                + $"their {sparse}-byte sparse form and the layer's {activations} bytes of activations");
    }

    /// <summary>BN(conv(x)) = conv'(x) with w' = w·s and b' = (b − mean)·s + β, s = γ/√(var+ε), per output channel:
    /// updates the bias in place and returns s for the caller to apply to the weights.</summary>
    private static float[] FoldBatchNorm(NodeContext bn, int channels, TensorReader tensors, float[] bias)
    {
        (float[] scale, float[] shift) = BatchNormAffine(bn, channels, tensors);
        for (int c = 0; c < channels; c++) bias[c] = bias[c] * scale[c] + shift[c];
        return scale;
    }

    private static (float[] Scale, float[] Shift) BatchNormAffine(NodeContext bn, int channels, TensorReader tensors)
    {
        float eps = bn.Node.FloatAttributes[0];
        float[] gamma = tensors.Required(bn, 0, "gamma", channels).ToDense();
        float[] beta = tensors.Required(bn, 1, "beta", channels).ToDense();
        float[] mean = tensors.Required(bn, 2, "running_mean", channels).ToDense();
        float[] variance = tensors.Required(bn, 3, "running_var", channels).ToDense();
        var scale = new float[channels];
        var shift = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            if (!(variance[c] + eps > 0)) throw bn.Error($"running_var[{c}] + eps = {variance[c] + eps} is not positive");
            scale[c] = gamma[c] / MathF.Sqrt(variance[c] + eps);
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        return (scale, shift);
    }

    private static Layer BuildLinear(NodeContext node, TensorShape input, TensorReader tensors, FusedActivation activation,
        IReadOnlyList<GraphNode> nodes, List<int> fused)
    {
        int outFeatures = node.Node.Attributes[0], inFeatures = node.Node.Attributes[1];
        PocketTensor weight = tensors.Required(node, 0, "weight", (long)outFeatures * inFeatures);
        float[] bias = tensors.Optional(node, 1, "bias", outFeatures)?.ToDense() ?? new float[outFeatures];
        string name = JoinNames(node.Node, nodes, fused);
        switch (weight)
        {
            case SparseQuantizedTensor sparse:
            {
                long elements = (long)outFeatures * inFeatures;
                long csr = SparseLinearOp.BytesFor(sparse.Positions.Length, outFeatures, inFeatures, sparse.Codebook.Length);
                long quantized = QuantizedLinearOp.BytesFor(elements, sparse.Codebook.Length + 1, outFeatures);
                if (csr <= quantized || sparse.Codebook.Length >= ushort.MaxValue)
                    return new SparseLinearOp(name, outFeatures, inFeatures, (float[])sparse.Codebook.Clone(), sparse.Positions, sparse.Codes, bias, activation);

                // Dense enough that one code per weight is smaller: zero becomes an extra codebook entry.
                float[] codebook = [.. sparse.Codebook, 0f];
                var codes = new ushort[elements];
                Array.Fill(codes, (ushort)sparse.Codebook.Length);
                for (int i = 0; i < sparse.Positions.Length; i++) codes[sparse.Positions[i]] = sparse.Codes[i];
                return new QuantizedLinearOp(name, outFeatures, inFeatures, codebook, codes, bias, activation);
            }
            case QuantizedDenseTensor q:
                return new QuantizedLinearOp(name, outFeatures, inFeatures, (float[])q.Codebook.Clone(), q.Codes, bias, activation);
            default:
                return new DenseLinearOp(name, outFeatures, inFeatures, weight.ToDense(), bias, activation);
        }
    }
}
