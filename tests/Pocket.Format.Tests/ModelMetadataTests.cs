using Pocket.Format;

namespace Pocket.Format.Tests;

public class ModelMetadataTests
{
    private static Dictionary<string, string> With(string labels) => new() { [ModelMetadata.Labels] = labels };

    [Fact]
    public void Labels_round_trip_one_per_line_commas_included()
    {
        string[] names = ["cat, domestic", "dog", " spaced "];
        string text = ModelMetadata.EncodeLabels(names);
        Assert.Equal("cat, domestic\ndog\n spaced ", text);
        Assert.Equal(["cat, domestic", "dog", "spaced"], ModelMetadata.ReadLabels(With(text))!);
    }

    [Fact]
    public void The_old_comma_separated_form_is_still_read()
    {
        Assert.Equal(["zero", "one", "two"], ModelMetadata.ReadLabels(With("zero, one,two"))!);
    }

    [Fact]
    public void A_name_with_a_line_break_cannot_be_encoded()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelMetadata.EncodeLabels(["a", "b\nc"]));
        Assert.StartsWith("label 1:", e.Message);
    }

    [Fact]
    public void No_labels_or_the_wrong_count_give_class_indices()
    {
        Assert.Null(ModelMetadata.ReadLabels(new Dictionary<string, string>()));
        Assert.Null(ModelMetadata.ReadLabels(With("")));
        Assert.Equal(["0", "1", "2"], ModelMetadata.LabelsOrIndices(With("a\nb"), 3));
        Assert.Equal(["a", "b"], ModelMetadata.LabelsOrIndices(With("a\nb"), 2));
    }

    [Fact]
    public void Labels_survive_the_file()
    {
        var model = TestModels.Small() with { Metadata = new Dictionary<string, string> { [ModelMetadata.Labels] = ModelMetadata.EncodeLabels(["T-shirt/top", "Ankle boot"]) } };
        var read = PocketFile.Decode(PocketFile.Encode(model));
        Assert.Equal(["T-shirt/top", "Ankle boot"], ModelMetadata.ReadLabels(read.Metadata)!);
    }
}
