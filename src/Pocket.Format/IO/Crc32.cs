namespace Pocket.Format.IO;

/// <summary>
/// IEEE 802.3 CRC-32 (reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF): the same
/// checksum as zlib, gzip and PNG, so a section can be checked with any standard tool. Implemented here
/// because System.IO.Hashing is a package, and Pocket.Format stays BCL-only.
/// </summary>
public static class Crc32
{
    // Slicing-by-4 tables: Table[0] is the classic byte table; Table[k][b] is the CRC of byte b followed by k zero bytes.
    private static readonly uint[][] Tables = BuildTables();

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues <paramref name="crc"/> (a finished CRC of earlier bytes, or 0 to start) over <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] t0 = Tables[0], t1 = Tables[1], t2 = Tables[2], t3 = Tables[3];
        uint c = ~crc;
        int i = 0;
        for (; i + 4 <= data.Length; i += 4)
        {
            c ^= (uint)(data[i] | data[i + 1] << 8 | data[i + 2] << 16 | data[i + 3] << 24);
            c = t3[c & 0xFF] ^ t2[(c >> 8) & 0xFF] ^ t1[(c >> 16) & 0xFF] ^ t0[c >> 24];
        }
        for (; i < data.Length; i++) c = t0[(c ^ data[i]) & 0xFF] ^ (c >> 8);
        return ~c;
    }

    private static uint[][] BuildTables()
    {
        var tables = new uint[4][];
        for (int k = 0; k < 4; k++) tables[k] = new uint[256];
        for (uint b = 0; b < 256; b++)
        {
            uint c = b;
            for (int bit = 0; bit < 8; bit++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            tables[0][b] = c;
        }
        for (int b = 0; b < 256; b++)
            for (int k = 1; k < 4; k++)
                tables[k][b] = tables[0][tables[k - 1][b] & 0xFF] ^ (tables[k - 1][b] >> 8);
        return tables;
    }
}
