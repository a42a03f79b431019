using System.Buffers.Binary;
using Pocket.Format;
using Pocket.Runtime;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;

namespace Pocket.Cli.Tests;

/// <summary>
/// A real .pocket file with every single byte of its header and section table changed, and cut at every section
/// boundary, is refused by what `pocket inspect`, `pocket eval` and `pocket run` call — with the one-line
/// exception the CLI prints — and a sample of those mutations through the real program exits non-zero with one line.
/// </summary>
public class CorruptedInputSweepTests
{
    private static byte[] Original => File.ReadAllBytes(CompressedModels.LeNet5.PocketPath);

    public static IEnumerable<(string What, byte[] Bytes)> Mutations()
    {
        byte[] original = Original;
        int sections = (int)BinaryPrimitives.ReadUInt32LittleEndian(original.AsSpan(24));
        int tableEnd = PocketFileLayout.HeaderSize + sections * PocketFileLayout.SectionEntrySize;
        for (int offset = 0; offset < tableEnd; offset++)
        {
            var bytes = (byte[])original.Clone();
            bytes[offset] ^= 0xFF;
            yield return ($"byte {offset} flipped", bytes);
            bytes = (byte[])original.Clone();
            bytes[offset] += 1;
            yield return ($"byte {offset} incremented", bytes);
        }
        var boundaries = new SortedSet<long> { 0, 1, PocketFileLayout.HeaderSize, tableEnd, original.Length - 1 };
        for (int s = 0; s < sections; s++)
        {
            int entry = PocketFileLayout.HeaderSize + s * PocketFileLayout.SectionEntrySize;
            long start = (long)BinaryPrimitives.ReadUInt64LittleEndian(original.AsSpan(entry + 8));
            long length = (long)BinaryPrimitives.ReadUInt64LittleEndian(original.AsSpan(entry + 16));
            boundaries.Add(start);
            boundaries.Add(start + length);
        }
        foreach (long cut in boundaries.Where(b => b < original.Length))
            yield return ($"truncated at {cut}", original.AsSpan(0, (int)cut).ToArray());
    }

    [Fact]
    public void Every_header_and_table_byte_change_and_every_boundary_cut_is_refused_by_inspect_eval_and_run()
    {
        int count = 0;
        string path = PocketProcess.Temp(".pocket");
        foreach (var (what, bytes) in Mutations())
        {
            File.WriteAllBytes(path, bytes);
            AssertRefused(what, () => PocketFile.Inspect(path));           // pocket inspect
            AssertRefused(what, () => PocketDecoder.LoadAny(path));        // pocket eval
            AssertRefused(what, () => PocketNetwork.Load(path));           // pocket run
            count++;
        }
        Assert.True(count > 100, $"only {count} mutations");
    }

    [Theory]
    [InlineData(5)]
    [InlineData(20)]
    [InlineData(40)]
    [InlineData(-1)] // a truncation
    public void The_real_program_prints_one_line_and_fails(int offset)
    {
        byte[] bytes = Original;
        if (offset < 0) bytes = bytes[..(bytes.Length / 2)];
        else bytes[offset] ^= 0x55;
        string path = PocketProcess.Temp(".pocket");
        File.WriteAllBytes(path, bytes);
        foreach (var command in new[] { "inspect", "eval", "run" })
            Assert.Contains(Path.GetFileName(path), PocketProcess.AssertOneLineError(PocketProcess.Run(command, path)));
    }

    private static void AssertRefused(string what, Action read)
    {
        try
        {
            read();
        }
        catch (Exception e) when (e is PocketFormatException or CheckpointException)
        {
            Assert.DoesNotContain('\n', e.Message);
            return;
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name}: {e.Message}");
        }
        Assert.Fail($"{what}: accepted");
    }
}
