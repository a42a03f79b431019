using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Pocket.Runtime.Ops;

/// <summary>
/// A dense fully connected layer with the outputs in the lanes (AVX-512): the weights are held transposed in panels of
/// 64 outputs (the last panel as narrow as its outputs rounded up to a vector, padded with zeros), each panel's
/// in × 64 weights contiguous, so one step k loads 4 vectors of 16 outputs' weights and broadcasts the sample's x[k].
/// A tile of 4 samples × 64 outputs keeps 16 accumulators in registers: each weight vector loaded feeds 4 samples, and
/// each broadcast 4 vectors. Over a whole batch a panel is read once per 4 samples from L2, rather than the whole
/// matrix once per sample (the row-dot form, <see cref="DotKernels"/>, read LeNet-5's 1.6 MB fc1 from L3 once per tile
/// of 8). Contiguous panels, not one in × out matrix, so a tile streams its weights in order rather than 256 bytes
/// from each row of the matrix.
/// <para>Every output is one FMA chain over k = 0..in−1 starting from its bias, whichever tile, thread or batch
/// computes it, so a sample's logits are bit-identical alone or in any batch, at any thread count.</para>
/// <para>The register tiles are compiled optimized at their first call (AggressiveOptimization): their tier-0 copy ran
/// 25× slower, long enough for a 100-run layer timing at batch 8 to measure nothing else (0.85 against 0.033 ms).</para>
/// </summary>
internal static class OutputLanesLinear
{
    private const int Lanes = 16;

    /// <summary>Outputs per panel: 4 vectors.</summary>
    public const int ColumnTile = 4 * Lanes;

    /// <summary>Samples per tile.</summary>
    private const int SampleTile = 4;

    /// <summary>Whether this form runs on this CPU (the same condition as <see cref="PackedGemm"/>).</summary>
    public static bool IsSupported => PackedGemm.IsSupported;

    /// <summary>Outputs rounded up to a whole vector: the floats per step k over all panels, and the padded bias.</summary>
    public static int PaddedOutputs(int outFeatures) => (outFeatures + Lanes - 1) / Lanes * Lanes;

    /// <summary>Width of panel <paramref name="t"/>: 64, or the last panel's outputs rounded up to a vector.</summary>
    private static int PanelWidth(int t, int outFeatures) => Math.Min(ColumnTile, PaddedOutputs(outFeatures) - t * ColumnTile);

    /// <summary>W (out × in, row-major) as panels: panel t at t · 64 · in, its element (k, j) at k · width + j.</summary>
    public static float[] Pack(ReadOnlySpan<float> weights, int outFeatures, int inFeatures)
    {
        var packed = new float[(long)inFeatures * PaddedOutputs(outFeatures)];
        for (int o = 0; o < outFeatures; o++)
        {
            int t = o / ColumnTile, width = PanelWidth(t, outFeatures);
            long panel = (long)t * ColumnTile * inFeatures;
            for (int k = 0; k < inFeatures; k++)
                packed[panel + (long)k * width + o % ColumnTile] = weights[o * inFeatures + k];
        }
        return packed;
    }

    /// <summary>The bias padded with zeros to <see cref="PaddedOutputs"/>.</summary>
    public static float[] PadBias(ReadOnlySpan<float> bias, int outFeatures)
    {
        var padded = new float[PaddedOutputs(outFeatures)];
        bias[..outFeatures].CopyTo(padded);
        return padded;
    }

    /// <summary>
    /// y[s·outFeatures + o] = activation(bias[o] + Σ_k x[s·inFeatures + k] · W[o, k]) for samples [0, batch) and the
    /// outputs of panels [tile0, tile1).
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> packed, ReadOnlySpan<float> paddedBias, ReadOnlySpan<float> x, int inFeatures,
        Span<float> y, int outFeatures, int batch, int tile0, int tile1, FusedActivation activation)
    {
        ref float w = ref MemoryMarshal.GetReference(packed);
        ref float b = ref MemoryMarshal.GetReference(paddedBias);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        // A tile whose outputs end inside it is computed here and its valid part copied: the register tiles store
        // whole vectors with no call after their loop (a call would make the JIT keep the accumulators on the stack).
        Span<float> scratch = stackalloc float[SampleTile * ColumnTile];
        ref float tile = ref MemoryMarshal.GetReference(scratch);
        for (int t = tile0; t < tile1; t++)
        {
            int o0 = t * ColumnTile, width = PanelWidth(t, outFeatures), valid = Math.Min(ColumnTile, outFeatures - o0);
            ref float panel = ref Unsafe.Add(ref w, (nint)o0 * inFeatures);
            ref float bias = ref Unsafe.Add(ref b, o0);
            for (int s = 0; s < batch; s += SampleTile)
            {
                int samples = Math.Min(SampleTile, batch - s);
                ref float xRow = ref Unsafe.Add(ref xs, (nint)s * inFeatures);
                ref float yRow = ref Unsafe.Add(ref ys, (nint)s * outFeatures + o0);
                bool direct = valid == ColumnTile;
                if (width == ColumnTile && samples == SampleTile)
                    Tile4x4(ref panel, ref xRow, inFeatures, ref bias, activation, ref direct ? ref yRow : ref tile, direct ? outFeatures : ColumnTile);
                else if (width == ColumnTile)
                    for (int r = 0; r < samples; r++)
                        Tile1x4(ref panel, ref Unsafe.Add(ref xRow, (nint)r * inFeatures), inFeatures, ref bias, activation,
                            ref direct ? ref Unsafe.Add(ref yRow, (nint)r * outFeatures) : ref Unsafe.Add(ref tile, r * ColumnTile));
                else
                {
                    // The last, narrower panel: one chain per vector and sample.
                    direct = false;
                    for (int r = 0; r < samples; r++)
                        for (int v = 0; v < width; v += Lanes)
                            Chain(ref Unsafe.Add(ref panel, v), width, ref Unsafe.Add(ref xRow, (nint)r * inFeatures), inFeatures,
                                ref Unsafe.Add(ref bias, v), activation, ref Unsafe.Add(ref tile, r * ColumnTile + v));
                }
                if (!direct)
                    for (int r = 0; r < samples; r++)
                        scratch.Slice(r * ColumnTile, valid).CopyTo(y.Slice((s + r) * outFeatures + o0, valid));
            }
        }
    }

    /// <summary>One vector of outputs for one sample, the panel <paramref name="ld"/> floats per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Chain(ref float w, int ld, ref float x, int k, ref float bias, FusedActivation activation, ref float c)
    {
        Vector512<float> acc = Vector512.LoadUnsafe(ref bias);
        for (int p = 0; p < k; p++)
            acc = PackedGemm.Fma(Vector512.Create(Unsafe.Add(ref x, p)), Vector512.LoadUnsafe(ref w, (nuint)((nint)p * ld)), acc);
        if (activation != FusedActivation.None) acc = PackedGemm.Clamp(acc, Vector512<float>.Zero, High(activation));
        acc.StoreUnsafe(ref c);
    }

    private static Vector512<float> High(FusedActivation activation) =>
        Vector512.Create(activation == FusedActivation.Relu6 ? 6f : float.PositiveInfinity);

    /// <summary>One sample × 64 outputs: four independent chains.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile1x4(ref float w, ref float x, int k, ref float bias, FusedActivation activation, ref float c)
    {
        Vector512<float> a0 = Vector512.LoadUnsafe(ref bias), a1 = Vector512.LoadUnsafe(ref bias, Lanes),
            a2 = Vector512.LoadUnsafe(ref bias, 2 * Lanes), a3 = Vector512.LoadUnsafe(ref bias, 3 * Lanes);
        for (int p = 0; p < k; p++)
        {
            ref float wp = ref Unsafe.Add(ref w, (nint)p * ColumnTile);
            Vector512<float> v = Vector512.Create(Unsafe.Add(ref x, p));
            a0 = PackedGemm.Fma(v, Vector512.LoadUnsafe(ref wp), a0);
            a1 = PackedGemm.Fma(v, Vector512.LoadUnsafe(ref wp, Lanes), a1);
            a2 = PackedGemm.Fma(v, Vector512.LoadUnsafe(ref wp, 2 * Lanes), a2);
            a3 = PackedGemm.Fma(v, Vector512.LoadUnsafe(ref wp, 3 * Lanes), a3);
        }
        if (activation != FusedActivation.None)
        {
            Vector512<float> lo = Vector512<float>.Zero, hi = High(activation);
            a0 = PackedGemm.Clamp(a0, lo, hi); a1 = PackedGemm.Clamp(a1, lo, hi); a2 = PackedGemm.Clamp(a2, lo, hi); a3 = PackedGemm.Clamp(a3, lo, hi);
        }
        a0.StoreUnsafe(ref c); a1.StoreUnsafe(ref c, Lanes); a2.StoreUnsafe(ref c, 2 * Lanes); a3.StoreUnsafe(ref c, 3 * Lanes);
    }

    /// <summary>4 samples × 64 outputs into C (rows <paramref name="ldc"/> floats apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x4(ref float w, ref float x, int k, ref float bias, FusedActivation activation, ref float c, int ldc)
    {
        Vector512<float> b0 = Vector512.LoadUnsafe(ref bias), b1 = Vector512.LoadUnsafe(ref bias, Lanes),
            b2 = Vector512.LoadUnsafe(ref bias, 2 * Lanes), b3 = Vector512.LoadUnsafe(ref bias, 3 * Lanes);
        Vector512<float> a00 = b0, a01 = b1, a02 = b2, a03 = b3, a10 = b0, a11 = b1, a12 = b2, a13 = b3,
            a20 = b0, a21 = b1, a22 = b2, a23 = b3, a30 = b0, a31 = b1, a32 = b2, a33 = b3;
        ref float x1 = ref Unsafe.Add(ref x, k), x2 = ref Unsafe.Add(ref x, 2 * k), x3 = ref Unsafe.Add(ref x, 3 * k);
        for (int p = 0; p < k; p++)
        {
            ref float wp = ref Unsafe.Add(ref w, (nint)p * ColumnTile);
            Vector512<float> w0 = Vector512.LoadUnsafe(ref wp), w1 = Vector512.LoadUnsafe(ref wp, Lanes),
                w2 = Vector512.LoadUnsafe(ref wp, 2 * Lanes), w3 = Vector512.LoadUnsafe(ref wp, 3 * Lanes);
            Vector512<float> v = Vector512.Create(Unsafe.Add(ref x, p));
            a00 = PackedGemm.Fma(v, w0, a00); a01 = PackedGemm.Fma(v, w1, a01);
            a02 = PackedGemm.Fma(v, w2, a02); a03 = PackedGemm.Fma(v, w3, a03);
            v = Vector512.Create(Unsafe.Add(ref x1, p));
            a10 = PackedGemm.Fma(v, w0, a10); a11 = PackedGemm.Fma(v, w1, a11);
            a12 = PackedGemm.Fma(v, w2, a12); a13 = PackedGemm.Fma(v, w3, a13);
            v = Vector512.Create(Unsafe.Add(ref x2, p));
            a20 = PackedGemm.Fma(v, w0, a20); a21 = PackedGemm.Fma(v, w1, a21);
            a22 = PackedGemm.Fma(v, w2, a22); a23 = PackedGemm.Fma(v, w3, a23);
            v = Vector512.Create(Unsafe.Add(ref x3, p));
            a30 = PackedGemm.Fma(v, w0, a30); a31 = PackedGemm.Fma(v, w1, a31);
            a32 = PackedGemm.Fma(v, w2, a32); a33 = PackedGemm.Fma(v, w3, a33);
        }
        if (activation != FusedActivation.None)
        {
            Vector512<float> lo = Vector512<float>.Zero, hi = High(activation);
            a00 = PackedGemm.Clamp(a00, lo, hi); a01 = PackedGemm.Clamp(a01, lo, hi); a02 = PackedGemm.Clamp(a02, lo, hi); a03 = PackedGemm.Clamp(a03, lo, hi);
            a10 = PackedGemm.Clamp(a10, lo, hi); a11 = PackedGemm.Clamp(a11, lo, hi); a12 = PackedGemm.Clamp(a12, lo, hi); a13 = PackedGemm.Clamp(a13, lo, hi);
            a20 = PackedGemm.Clamp(a20, lo, hi); a21 = PackedGemm.Clamp(a21, lo, hi); a22 = PackedGemm.Clamp(a22, lo, hi); a23 = PackedGemm.Clamp(a23, lo, hi);
            a30 = PackedGemm.Clamp(a30, lo, hi); a31 = PackedGemm.Clamp(a31, lo, hi); a32 = PackedGemm.Clamp(a32, lo, hi); a33 = PackedGemm.Clamp(a33, lo, hi);
        }
        a00.StoreUnsafe(ref c); a01.StoreUnsafe(ref c, Lanes); a02.StoreUnsafe(ref c, 2 * Lanes); a03.StoreUnsafe(ref c, 3 * Lanes);
        ref float c1 = ref Unsafe.Add(ref c, ldc);
        a10.StoreUnsafe(ref c1); a11.StoreUnsafe(ref c1, Lanes); a12.StoreUnsafe(ref c1, 2 * Lanes); a13.StoreUnsafe(ref c1, 3 * Lanes);
        ref float c2 = ref Unsafe.Add(ref c, 2 * ldc);
        a20.StoreUnsafe(ref c2); a21.StoreUnsafe(ref c2, Lanes); a22.StoreUnsafe(ref c2, 2 * Lanes); a23.StoreUnsafe(ref c2, 3 * Lanes);
        ref float c3 = ref Unsafe.Add(ref c, 3 * ldc);
        a30.StoreUnsafe(ref c3); a31.StoreUnsafe(ref c3, Lanes); a32.StoreUnsafe(ref c3, 2 * Lanes); a33.StoreUnsafe(ref c3, 3 * Lanes);
    }
}
