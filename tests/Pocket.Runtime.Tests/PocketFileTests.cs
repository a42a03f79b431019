using Pocket.Format;

namespace Pocket.Runtime.Tests;

public class PocketFileTests
{
    [Fact]
    public void ModelLoadedFromAPocketFilePredictsLikeTheInMemoryModel()
    {
        PocketModel model = GraphTests.LeNet5(8, compressed: true);
        string path = Path.Combine(Path.GetTempPath(), $"pocket-runtime-{Guid.NewGuid():N}.pocket");
        try
        {
            PocketFile.Write(path, model);
            PocketNetwork fromFile = PocketNetwork.Load(path);
            PocketNetwork fromBytes = PocketNetwork.Load(File.ReadAllBytes(path));
            PocketNetwork inMemory = PocketNetwork.Load(model);
            float[] input = Assertions.RandomInput(1, 784);
            Assert.Equal(inMemory.Predict(input), fromFile.Predict(input));
            Assert.Equal(inMemory.Predict(input), fromBytes.Predict(input));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(StreamCodingChoice.AdaptiveBinary)]
    [InlineData(StreamCodingChoice.Huffman)]
    [InlineData(StreamCodingChoice.FixedWidth)]
    public void Every_stream_coding_loads_and_predicts_like_the_in_memory_model(StreamCodingChoice coding)
    {
        PocketModel model = GraphTests.LeNet5(8, compressed: true);
        byte[] file = PocketFile.Encode(model, new PocketWriteOptions { StreamCoding = coding });
        var stored = PocketFile.Inspect(file).Tensors.Where(t => t.WeightCodes is not null).Select(t => t.WeightCodes!.StoredCoding).ToList();
        Assert.NotEmpty(stored);
        if (coding == StreamCodingChoice.AdaptiveBinary) Assert.Contains(StreamCoding.AdaptiveBinary, stored);
        float[] input = Assertions.RandomInput(2, 784);
        Assert.Equal(PocketNetwork.Load(model).Predict(input), PocketNetwork.Load(file).Predict(input));
    }
}
