using Pocket.Training.Models;
using Pocket.Training.Training;

namespace Pocket.Training.Tests.TrainingLoop;

public class TrainingRecipesTests
{
    private static ModelSpec MobileNet(string alpha) => new("mobilenet_v1", new Dictionary<string, string> { ["alpha"] = alpha });

    [Theory]
    [InlineData("0.25", 20)]
    [InlineData("0.5", 30)]
    [InlineData("1", 30)]
    public void MobileNet_epochs_follow_its_width(string alpha, int epochs) =>
        Assert.Equal(epochs, TrainingRecipes.For(MobileNet(alpha)).Epochs);

    [Fact]
    public void MobileNet_without_options_is_alpha_one() =>
        Assert.Equal(30, TrainingRecipes.For(new ModelSpec("mobilenet_v1")).Epochs);

    [Fact]
    public void Width_changes_only_the_epochs() =>
        Assert.Equal(TrainingRecipes.For("mobilenet_v1") with { Epochs = 30 }, TrainingRecipes.For(MobileNet("0.5")));

    [Fact]
    public void Other_models_keep_their_name_recipe() =>
        Assert.Equal(TrainingRecipes.For("sepnet"), TrainingRecipes.For(new ModelSpec("sepnet")));

    [Fact]
    public void A_bad_alpha_names_the_option() =>
        Assert.Contains("alpha", Assert.Throws<ArgumentException>(() => TrainingRecipes.For(MobileNet("wide"))).Message);
}
