using Pocket.Format;
using Pocket.Runtime;

namespace Pocket.Onnx.Tests;

/// <summary>
/// Mutated fixtures (bit flips, overwritten bytes, truncations; fixed seeds) either import into a model the runtime
/// loads or fail with an <see cref="OnnxImportException"/>, the one-line error the CLI prints — never another exception.
/// </summary>
public sealed class ImportFuzzTests
{
    [Theory]
    [InlineData("bn_cnn_opset13.onnx", 1)]
    [InlineData("residual_concat_opset13.onnx", 2)]
    [InlineData("activations_opset13.onnx", 3)]
    [InlineData("mlp_opset11.onnx", 4)]
    public void Mutated_files_import_or_fail_with_an_import_error(string fixture, int seed)
    {
        byte[] original = File.ReadAllBytes(ImportFixtures.PathOf(fixture));
        var random = new Random(seed);
        int imported = 0, refused = 0;
        for (int round = 0; round < 400; round++)
        {
            byte[] bytes = (byte[])original.Clone();
            int edits = 1 + random.Next(4);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(bytes.Length);
                switch (random.Next(3))
                {
                    case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                    case 1: bytes[at] = (byte)random.Next(256); break;
                    default: bytes = bytes[..at]; break;
                }
                if (bytes.Length == 0) break;
            }
            try
            {
                PocketModel model = OnnxImporter.Import(bytes, $"{fixture}#{round}");
                PocketNetwork.Load(PocketFile.Encode(model)); // what `pocket import` does before writing
                imported++;
            }
            catch (OnnxImportException e)
            {
                Assert.DoesNotContain('\n', e.Message);
                refused++;
            }
        }
        Assert.True(refused > 0, "no mutation was refused: the mutations do not reach the parser");
        Assert.Equal(400, imported + refused);
    }
}
