using System.Numerics;

namespace Pocket.Runtime.Ops;

/// <summary>
/// How a stride-1 convolution reads its taps straight from the input instead of an im2col matrix. With stride 1,
/// tap (c, ky, kx) of output pixel (oy, ox) is input element c·Hp·Wp + (oy + ky)·Wp + (ox + kx) of the
/// zero-bordered input (Hp × Wp; the input itself when unpadded), i.e. tap offset + pixel displacement. So a vector
/// of adjacent output pixels in one row reads one contiguous run of the input row, exactly the values the im2col row
/// of that tap would hold: the unfold (K × pixels copies, the larger part of a sparse conv's time on LeNet-5's conv2)
/// is skipped and the results stay bit-identical.
/// <para>Output rows are covered by vectors starting at 0, w, 2w…; a row whose width is not a multiple of w ends
/// with a vector overlapping the previous one, recomputed with identical arithmetic (as in the depthwise kernel).</para>
/// </summary>
internal sealed class DirectConvLayout
{
    private readonly ConvGeometry _g;

    public DirectConvLayout(in ConvGeometry g)
    {
        _g = g;
        PaddedWidth = g.InWidth + 2 * g.PadW;
        PaddedHeight = g.InHeight + 2 * g.PadH;
        int w = Vector<float>.Count;
        var input = new List<int>();
        var output = new List<int>();
        for (int oy = 0; oy < g.OutHeight; oy++)
        {
            for (int ox = 0; ox < g.OutWidth; ox += w)
            {
                if (ox + w > g.OutWidth) ox = g.OutWidth - w;
                input.Add(oy * PaddedWidth + ox);
                output.Add(oy * g.OutWidth + ox);
            }
        }
        VectorInput = input.ToArray();
        VectorOutput = output.ToArray();
    }

    /// <summary>Stride 1 and rows at least one vector wide (narrower rows would need masked loads); pointwise
    /// layers already read their input as the im2col matrix.</summary>
    public static bool Applies(in ConvGeometry g) =>
        g.StrideH == 1 && g.StrideW == 1 && !g.IsPointwise && g.OutWidth >= Vector<float>.Count;

    public int PaddedWidth { get; }

    public int PaddedHeight { get; }

    public bool IsPadded => _g.PadH > 0 || _g.PadW > 0;

    /// <summary>Floats of one group's zero-bordered input.</summary>
    public int PaddedLength => _g.InChannelsPerGroup * PaddedHeight * PaddedWidth;

    /// <summary>Per output vector: where its pixels' first tap starts in the (padded) input, relative to the tap offset.</summary>
    public int[] VectorInput { get; }

    /// <summary>Per output vector: its first pixel in the output plane.</summary>
    public int[] VectorOutput { get; }

    public long Bytes => 4L * (VectorInput.Length + VectorOutput.Length);

    /// <summary>Offset of reduction index p = (c·kH + ky)·kW + kx in the (padded) input of a group.</summary>
    public int TapOffset(int p)
    {
        int taps = _g.KernelH * _g.KernelW;
        int c = p / taps, ky = p % taps / _g.KernelW, kx = p % _g.KernelW;
        return (c * PaddedHeight + ky) * PaddedWidth + kx;
    }

    /// <summary>Copies one group's channels into a zero-bordered buffer (PaddedLength floats; stale data is overwritten).</summary>
    public void Pad(ReadOnlySpan<float> group, Span<float> padded)
    {
        ConvGeometry g = _g;
        padded = padded[..PaddedLength];
        padded.Clear();
        for (int c = 0; c < g.InChannelsPerGroup; c++)
            for (int y = 0; y < g.InHeight; y++)
                group.Slice((c * g.InHeight + y) * g.InWidth, g.InWidth)
                    .CopyTo(padded.Slice((c * PaddedHeight + y + g.PadH) * PaddedWidth + g.PadW));
    }
}
