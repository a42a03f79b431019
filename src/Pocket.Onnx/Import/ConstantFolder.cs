namespace Pocket.Onnx;

/// <summary>
/// Evaluates at import time the ops whose inputs are all constants — above all the Shape → Gather → Unsqueeze →
/// Concat → Reshape chain `torch.onnx.export` writes for `x.view(x.size(0), -1)`. Shapes are folded with the batch
/// axis as 1 (a Reshape then keeps its first dimension as the batch, see <see cref="OnnxGraphImporter"/>).
/// </summary>
internal static class ConstantFolder
{
    public static ConstantTensor Binary(OnnxNode n, ConstantTensor a, ConstantTensor b)
    {
        long[] dims = BroadcastDims(n, a.Dims, b.Dims);
        int count = checked((int)dims.Aggregate(1L, (x, d) => x * d));
        int[] ia = BroadcastIndex(a.Dims, dims), ib = BroadcastIndex(b.Dims, dims);
        if (a.IsFloat || b.IsFloat)
        {
            float[] x = a.AsFloats(), y = b.AsFloats(), r = new float[count];
            for (int i = 0; i < count; i++)
                r[i] = n.OpType switch
                {
                    "Add" => x[ia[i]] + y[ib[i]],
                    "Sub" => x[ia[i]] - y[ib[i]],
                    "Mul" => x[ia[i]] * y[ib[i]],
                    _ => x[ia[i]] / y[ib[i]],
                };
            return ConstantTensor.Float(dims, r);
        }
        long[] p = a.Ints!, q = b.Ints!, s = new long[count];
        for (int i = 0; i < count; i++)
            s[i] = n.OpType switch
            {
                "Add" => p[ia[i]] + q[ib[i]],
                "Sub" => p[ia[i]] - q[ib[i]],
                "Mul" => p[ia[i]] * q[ib[i]],
                _ => q[ib[i]] == 0 ? throw n.Error("divides by a constant zero") : p[ia[i]] / q[ib[i]],
            };
        return ConstantTensor.Int(dims, s);
    }

    private static long[] BroadcastDims(OnnxNode n, long[] a, long[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var dims = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long x = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            long y = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (x != y && x != 1 && y != 1) throw n.Error($"inconsistent shapes: cannot broadcast [{string.Join(",", a)}] with [{string.Join(",", b)}]");
            dims[i] = Math.Max(x, y);
        }
        return dims;
    }

    /// <summary>For each element of the broadcast result, the flat index it reads in a tensor of <paramref name="dims"/>.</summary>
    private static int[] BroadcastIndex(long[] dims, long[] result)
    {
        int count = (int)result.Aggregate(1L, (x, d) => x * d);
        var index = new int[count];
        int offset = result.Length - dims.Length;
        for (int i = 0; i < count; i++)
        {
            long rest = i, flat = 0, stride = 1;
            for (int d = result.Length - 1; d >= 0; d--)
            {
                long coordinate = rest % result[d];
                rest /= result[d];
                if (d >= offset)
                {
                    long size = dims[d - offset];
                    if (size != 1) flat += coordinate * stride;
                    stride *= size;
                }
            }
            index[i] = (int)flat;
        }
        return index;
    }

    public static ConstantTensor Concat(OnnxNode n, IReadOnlyList<ConstantTensor> parts, long axis)
    {
        int rank = parts[0].Dims.Length;
        int a = Axis(n, axis, rank);
        foreach (ConstantTensor p in parts)
            if (p.Dims.Length != rank || Enumerable.Range(0, rank).Any(d => d != a && p.Dims[d] != parts[0].Dims[d]))
                throw n.Error($"inconsistent shapes: cannot concatenate {p} with {parts[0]} along axis {a}");
        long outer = parts[0].Dims[..a].Aggregate(1L, (x, d) => x * d);
        var dims = (long[])parts[0].Dims.Clone();
        dims[a] = parts.Sum(p => p.Dims[a]);
        bool floats = parts.Any(p => p.IsFloat);
        var f = new List<float>();
        var l = new List<long>();
        for (long o = 0; o < outer; o++)
            foreach (ConstantTensor p in parts)
            {
                long inner = p.Count / Math.Max(1, outer);
                if (floats) f.AddRange(p.AsFloats().Skip((int)(o * inner)).Take((int)inner));
                else l.AddRange(p.Ints!.Skip((int)(o * inner)).Take((int)inner));
            }
        return floats ? ConstantTensor.Float(dims, f.ToArray()) : ConstantTensor.Int(dims, l.ToArray());
    }

    public static ConstantTensor Gather(OnnxNode n, ConstantTensor data, ConstantTensor indices, long axis)
    {
        int a = Axis(n, axis, data.Dims.Length);
        long size = data.Dims[a];
        long outer = data.Dims[..a].Aggregate(1L, (x, d) => x * d);
        long inner = data.Dims[(a + 1)..].Aggregate(1L, (x, d) => x * d);
        long[] idx = indices.AsInts().Select(i => i < 0 ? i + size : i).ToArray();
        if (idx.Any(i => i < 0 || i >= size)) throw n.Error($"index out of range for axis {a} of size {size}");
        long[] dims = [.. data.Dims[..a], .. indices.Dims, .. data.Dims[(a + 1)..]];
        var order = new List<int>();
        for (long o = 0; o < outer; o++)
            foreach (long i in idx)
                for (long k = 0; k < inner; k++) order.Add((int)((o * size + i) * inner + k));
        return data.IsFloat
            ? ConstantTensor.Float(dims, order.Select(i => data.Floats![i]).ToArray())
            : ConstantTensor.Int(dims, order.Select(i => data.Ints![i]).ToArray());
    }

    public static ConstantTensor Transpose(OnnxNode n, ConstantTensor x, long[] perm)
    {
        int rank = x.Dims.Length;
        if (perm.Length != rank || perm.Distinct().Count() != rank || perm.Any(p => p < 0 || p >= rank))
            throw n.Error($"perm [{string.Join(",", perm)}] is not a permutation of {rank} axes");
        long[] dims = perm.Select(p => x.Dims[p]).ToArray();
        long[] inStrides = Strides(x.Dims);
        int count = (int)x.Count;
        var source = new int[count];
        for (int i = 0; i < count; i++)
        {
            long rest = i, flat = 0;
            for (int d = rank - 1; d >= 0; d--)
            {
                flat += rest % dims[d] * inStrides[perm[d]];
                rest /= dims[d];
            }
            source[i] = (int)flat;
        }
        return x.IsFloat
            ? ConstantTensor.Float(dims, source.Select(i => x.Floats![i]).ToArray())
            : ConstantTensor.Int(dims, source.Select(i => x.Ints![i]).ToArray());
    }

    /// <summary>ONNX Slice of a constant: per listed axis a start, end and step, clamped as the spec says.</summary>
    public static ConstantTensor Slice(OnnxNode n, ConstantTensor x, long[] starts, long[] ends, long[]? axes, long[]? steps)
    {
        int rank = x.Dims.Length;
        axes ??= Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        steps ??= Enumerable.Repeat(1L, starts.Length).ToArray();
        if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length)
            throw n.Error("starts, ends, axes and steps differ in length");
        var picks = Enumerable.Range(0, rank).Select(d => Enumerable.Range(0, (int)x.Dims[d]).ToList()).ToArray();
        for (int k = 0; k < starts.Length; k++)
        {
            int d = Axis(n, axes[k], rank);
            long size = x.Dims[d], step = steps[k];
            if (step == 0) throw n.Error("step 0");
            long start = starts[k] < 0 ? starts[k] + size : starts[k], end = ends[k] < 0 ? ends[k] + size : ends[k];
            var picked = new List<int>();
            if (step > 0)
                for (long i = Math.Clamp(start, 0, size), e = Math.Clamp(end, 0, size); i < e; i += step) picked.Add((int)i);
            else
                for (long i = Math.Clamp(start, -1, size - 1), e = Math.Clamp(end, -1, size - 1); i > e; i += step) picked.Add((int)i);
            picks[d] = picked;
        }
        long[] dims = picks.Select(p => (long)p.Count).ToArray();
        long[] strides = Strides(x.Dims);
        int count = (int)dims.Aggregate(1L, (a, v) => a * v);
        var source = new int[count];
        for (int i = 0; i < count; i++)
        {
            long rest = i, flat = 0;
            for (int d = rank - 1; d >= 0; d--)
            {
                flat += picks[d][(int)(rest % dims[d])] * strides[d];
                rest /= dims[d];
            }
            source[i] = (int)flat;
        }
        return x.IsFloat
            ? ConstantTensor.Float(dims, source.Select(i => x.Floats![i]).ToArray())
            : ConstantTensor.Int(dims, source.Select(i => x.Ints![i]).ToArray());
    }

    public static ConstantTensor WithDims(ConstantTensor x, long[] dims) => x with { Dims = dims };

    public static ConstantTensor Unsqueeze(OnnxNode n, ConstantTensor x, long[] axes)
    {
        int rank = x.Dims.Length + axes.Length;
        var set = axes.Select(a => Axis(n, a, rank)).ToHashSet();
        var dims = new List<long>();
        int k = 0;
        for (int d = 0; d < rank; d++) dims.Add(set.Contains(d) ? 1 : x.Dims[k++]);
        return WithDims(x, dims.ToArray());
    }

    public static ConstantTensor Squeeze(OnnxNode n, ConstantTensor x, long[]? axes)
    {
        var set = axes?.Select(a => Axis(n, a, x.Dims.Length)).ToHashSet();
        var dims = new List<long>();
        for (int d = 0; d < x.Dims.Length; d++)
        {
            bool drop = set is null ? x.Dims[d] == 1 : set.Contains(d);
            if (drop && x.Dims[d] != 1) throw n.Error($"cannot squeeze axis {d} of size {x.Dims[d]}");
            if (!drop) dims.Add(x.Dims[d]);
        }
        return WithDims(x, dims.ToArray());
    }

    /// <summary>ONNX Reshape's rule: 0 copies the input dimension (unless allowzero), one −1 takes the rest.</summary>
    public static long[] ReshapeDims(OnnxNode n, long[] input, long[] target, bool allowZero)
    {
        long total = input.Aggregate(1L, (x, d) => x * d);
        var dims = new long[target.Length];
        int inferred = -1;
        for (int i = 0; i < target.Length; i++)
        {
            if (target[i] == -1)
            {
                if (inferred >= 0) throw n.Error($"shape [{string.Join(",", target)}] has more than one -1");
                inferred = i;
                dims[i] = 1;
            }
            else if (target[i] == 0 && !allowZero)
                dims[i] = i < input.Length ? input[i] : throw n.Error($"shape [{string.Join(",", target)}] copies dimension {i}, which the input lacks");
            else if (target[i] < 0) throw n.Error($"shape [{string.Join(",", target)}] has a negative dimension");
            else dims[i] = target[i];
        }
        long known = dims.Aggregate(1L, (x, d) => x * d);
        if (inferred >= 0)
        {
            if (known == 0 || total % known != 0) throw n.Error($"inconsistent shapes: cannot reshape [{string.Join(",", input)}] to [{string.Join(",", target)}]");
            dims[inferred] = total / known;
        }
        else if (known != total) throw n.Error($"inconsistent shapes: cannot reshape [{string.Join(",", input)}] to [{string.Join(",", target)}]");
        return dims;
    }

    public static int Axis(OnnxNode n, long axis, int rank)
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw n.Error($"axis {axis} is outside a rank-{rank} tensor");
        return (int)a;
    }

    private static long[] Strides(long[] dims)
    {
        var strides = new long[dims.Length];
        long s = 1;
        for (int d = dims.Length - 1; d >= 0; d--) { strides[d] = s; s *= dims[d]; }
        return strides;
    }
}
