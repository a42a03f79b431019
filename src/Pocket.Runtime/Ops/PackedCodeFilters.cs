using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Quantized conv filters (byte codebook indices) held in <see cref="PackedGemm"/>'s panel order: for each panel of 8
/// output channels and each p = 0..K−1, the 8 codes side by side. Decoding a call's filters is then one linear pass
/// (float = codebook[code] · scale of its row) straight into the panels the prepacked GEMM reads, instead of
/// decoding rows and transposing them into panels per call, and the layer runs the same AVX-512 kernel as float
/// filters while staying 1 byte per weight resident (a quarter of float32).
/// <para>Every decoded value is codebook[code] · scale, the product <see cref="ConvFilters.Decode"/> computes, so
/// results are bit-identical to the float filters' path. Rows past the last output channel decode to zeros.</para>
/// </summary>
internal sealed class PackedCodeFilters
{
    private readonly byte[] _codes;     // panels × K × 8
    private readonly float[] _codebook;
    private readonly float[] _scale;    // per row, padded to whole panels (1 without a folded BatchNorm, 0 past the end)
    private readonly float[] _bias;     // per row, padded like _scale
    private readonly int _k;

    public PackedCodeFilters(ConvFilters filters, ReadOnlySpan<float> bias, int groups)
    {
        if (filters.ByteCodes is not { } codes) throw new ArgumentException("only byte-coded filters pack as codes");
        _k = filters.Length;
        RowsPerGroup = filters.Rows / groups;
        PanelsPerGroup = (RowsPerGroup + PackedGemm.PanelRows - 1) / PackedGemm.PanelRows;
        int panels = PanelsPerGroup * groups, k = _k;
        _codebook = filters.Codebook;
        _codes = new byte[(long)panels * k * PackedGemm.PanelRows];
        _scale = new float[panels * PackedGemm.PanelRows];
        _bias = new float[panels * PackedGemm.PanelRows];
        for (int group = 0; group < groups; group++)
        {
            for (int r = 0; r < RowsPerGroup; r++)
            {
                int row = group * RowsPerGroup + r;
                int panel = group * PanelsPerGroup + r / PackedGemm.PanelRows, lane = r % PackedGemm.PanelRows;
                _scale[panel * PackedGemm.PanelRows + lane] = filters.Scale?[row] ?? 1f;
                _bias[panel * PackedGemm.PanelRows + lane] = bias[row];
                long to = (long)panel * k * PackedGemm.PanelRows + lane;
                for (int p = 0; p < k; p++) _codes[to + (long)p * PackedGemm.PanelRows] = codes[(long)row * k + p];
            }
        }
    }

    public int RowsPerGroup { get; }

    public int PanelsPerGroup { get; }

    /// <summary>Floats of all groups' decoded panels (<see cref="PackedGemm.PackedLength"/> per group).</summary>
    public long DecodedLength => (long)_scale.Length / PackedGemm.PanelRows * PackedGemm.PanelRows * (_k + 1);

    public long Bytes => _codes.Length + 4L * (_codebook.Length + _scale.Length + _bias.Length);

    public int Centroids => _codebook.Length;

    /// <summary>Decodes panels [panel0, panel1) (counted over all groups) into <paramref name="packed"/>, which holds all panels.</summary>
    public void Decode(int panel0, int panel1, Span<float> packed)
    {
        const int lanes = PackedGemm.PanelRows;
        int k = _k, panelLength = lanes * (k + 1);
        ref float cb = ref MemoryMarshal.GetArrayDataReference(_codebook);
        for (int panel = panel0; panel < panel1; panel++)
        {
            Span<float> dst = packed.Slice(panel * panelLength, panelLength);
            _bias.AsSpan(panel * lanes, lanes).CopyTo(dst);
            ReadOnlySpan<float> scale = _scale.AsSpan(panel * lanes, lanes);
            float s0 = scale[0], s1 = scale[1], s2 = scale[2], s3 = scale[3], s4 = scale[4], s5 = scale[5], s6 = scale[6], s7 = scale[7];
            ref byte code = ref MemoryMarshal.GetArrayDataReference(_codes);
            code = ref Unsafe.Add(ref code, (nint)panel * k * lanes);
            ref float d = ref MemoryMarshal.GetReference(dst.Slice(lanes));
            // Codes were range-checked at load (each < the codebook length), so the lookups skip bounds checks.
            for (int p = 0; p < k; p++)
            {
                ref byte c = ref Unsafe.Add(ref code, (nint)p * lanes);
                ref float o = ref Unsafe.Add(ref d, (nint)p * lanes);
                o = Unsafe.Add(ref cb, c) * s0;
                Unsafe.Add(ref o, 1) = Unsafe.Add(ref cb, Unsafe.Add(ref c, 1)) * s1;
                Unsafe.Add(ref o, 2) = Unsafe.Add(ref cb, Unsafe.Add(ref c, 2)) * s2;
                Unsafe.Add(ref o, 3) = Unsafe.Add(ref cb, Unsafe.Add(ref c, 3)) * s3;
                Unsafe.Add(ref o, 4) = Unsafe.Add(ref cb, Unsafe.Add(ref c, 4)) * s4;
                Unsafe.Add(ref o, 5) = Unsafe.Add(ref cb, Unsafe.Add(ref c, 5)) * s5;
                Unsafe.Add(ref o, 6) = Unsafe.Add(ref cb, Unsafe.Add(ref c, 6)) * s6;
                Unsafe.Add(ref o, 7) = Unsafe.Add(ref cb, Unsafe.Add(ref c, 7)) * s7;
            }
        }
    }
}
