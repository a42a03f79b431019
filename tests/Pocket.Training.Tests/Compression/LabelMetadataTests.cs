using Pocket.Format;
using Pocket.Training.Checkpoints;
using Pocket.Training.Compression;
using Pocket.Training.Data;
using Pocket.Training.Models;

namespace Pocket.Training.Tests.Compression;

/// <summary>The encoder writes a bundled dataset's class names into the file's "labels", and only for a bundled dataset.</summary>
public class LabelMetadataTests
{
    private static Checkpoint For(string dataset, int classes) => new()
    {
        Model = new ModelSpec("lenet300"), Input = new InputShape(1, 28, 28), Classes = classes, Dataset = dataset,
    };

    [Theory]
    [InlineData("fashion-mnist")]
    [InlineData("mnist")]
    public void A_bundled_dataset_names_its_classes_in_the_file(string dataset)
    {
        var metadata = PocketEncoder.Metadata(For(dataset, 10));
        Assert.Equal(DatasetLabels.For(dataset), ModelMetadata.ReadLabels(metadata));
    }

    [Fact]
    public void Fashion_mnist_labels_keep_the_slash_and_the_space()
    {
        var labels = ModelMetadata.ReadLabels(PocketEncoder.Metadata(For("fashion-mnist", 10)))!;
        Assert.Equal("T-shirt/top", labels[0]);
        Assert.Equal("Ankle boot", labels[9]);
    }

    [Fact]
    public void A_folder_dataset_or_a_class_count_that_does_not_match_writes_no_labels()
    {
        Assert.False(PocketEncoder.Metadata(For("/some/idx/folder", 10)).ContainsKey(ModelMetadata.Labels));
        Assert.False(PocketEncoder.Metadata(For("mnist", 7)).ContainsKey(ModelMetadata.Labels));
    }
}
