using System.Text;
using Pocket.Format.IO;

namespace Pocket.Format.Tests;

public class Crc32Tests
{
    [Fact]
    public void Check_value_of_the_IEEE_polynomial() =>
        Assert.Equal(0xCBF43926u, Crc32.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void Empty_input_is_zero() => Assert.Equal(0u, Crc32.Compute([]));

    [Fact]
    public void Append_in_pieces_equals_whole()
    {
        var data = new byte[1001];
        new Random(7).NextBytes(data);
        for (int split = 0; split <= data.Length; split += 37)
            Assert.Equal(Crc32.Compute(data), Crc32.Append(Crc32.Compute(data.AsSpan(0, split)), data.AsSpan(split)));
    }
}
