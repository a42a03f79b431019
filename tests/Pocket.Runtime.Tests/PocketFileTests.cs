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
}
