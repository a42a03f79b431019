namespace Pocket.Format.Arithmetic;

/// <summary>
/// The probability model of one binary context (docs/format.md §5.5): counts of the zeros and ones coded so far,
/// a Krichevsky–Trofimov estimate of P(0) in 1/2^15 units, and both counts halved once their sum reaches 2^t, so
/// the model follows a drifting distribution instead of averaging over the whole stream. Counts give the exact
/// adaptive cost of a stationary source (what a weight stream is); a fixed-rate shift update would lose a few
/// hundredths of a bit per decision on such a source.
/// </summary>
internal struct AdaptiveBit
{
    public const int ProbabilityBits = 15;
    public const uint One = 1u << ProbabilityBits;

    // ≤ 2^15 each: the sum is halved as soon as it reaches 2^t, t ≤ 15. Two bytes each keep a context at 4 bytes,
    // which the reader's allocation bound counts on (docs/format.md §5.5).
    private ushort _zeros, _ones;

    /// <summary>P(bit = 0) · 2^15, clamped to 1 … 2^15 − 1 so both outcomes keep a codable interval.</summary>
    public readonly uint ProbabilityOfZero
    {
        get
        {
            ulong p = ((2UL * (uint)_zeros + 1) << ProbabilityBits) / (2UL * ((uint)_zeros + _ones) + 2);
            return (uint)Math.Clamp(p, 1UL, One - 1);
        }
    }

    public void Update(int bit, int halvingExponent)
    {
        if (bit == 0) _zeros++; else _ones++;
        if (_zeros + _ones >= 1 << halvingExponent)
        {
            _zeros = (ushort)((_zeros + 1) >> 1);
            _ones = (ushort)((_ones + 1) >> 1);
        }
    }
}
