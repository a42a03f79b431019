using CsCheck;
using Pocket.Format.IO;

namespace Pocket.Format.Tests;

public class BitIoTests
{
    [Fact]
    public void Fields_round_trip_lsb_first()
    {
        Gen.Select(Gen.UInt, Gen.Int[0, 32]).Array[0, 200].Sample(fields =>
        {
            var writer = new BitWriter();
            foreach (var (value, width) in fields) writer.Write(value, width);
            byte[] bytes = writer.ToArray();
            Assert.Equal((writer.BitCount + 7) / 8, bytes.Length);
            var reader = new BitReader(bytes);
            foreach (var (value, width) in fields)
            {
                uint mask = width == 32 ? uint.MaxValue : (1u << width) - 1;
                Assert.Equal(value & mask, reader.Read(width));
            }
            Assert.False(reader.IsOverrun);
            Assert.True(reader.RestIsZero());
        }, iter: 300);
    }

    [Fact]
    public void First_field_goes_to_the_low_bits()
    {
        var writer = new BitWriter();
        writer.Write(0b101, 3);
        writer.Write(0b11, 2);
        Assert.Equal([0b11101], writer.ToArray());
    }

    [Fact]
    public void Reading_past_the_end_is_reported_not_thrown()
    {
        var reader = new BitReader([0xFF]);
        Assert.Equal(0xFFu, reader.Read(16));
        Assert.True(reader.IsOverrun);
    }
}
