using Pocket.Format;
using Pocket.Runtime.Input;
using TorchSharp;
using static TorchSharp.torch;

namespace Pocket.Runtime.Tests;

/// <summary>The one definition of how an image becomes a model input (Pocket.Runtime.Input.Preprocessing).</summary>
public sealed class PreprocessingTests
{
    private static float[] RandomImage(int channels, int height, int width, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, channels * height * width).Select(_ => (float)random.NextDouble()).ToArray();
    }

    [Fact]
    public void The_default_centres_a_gray_image_in_zeros_in_every_channel_with_the_same_floats()
    {
        float[] image = RandomImage(1, 28, 28, seed: 1);
        var target = new float[3 * 32 * 32];
        target.AsSpan().Fill(float.NaN);

        Preprocessing.Default.Apply(image, 1, 28, 28, new TensorShape(3, 32, 32), target);

        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++)
                {
                    bool inside = y >= 2 && y < 30 && x >= 2 && x < 30;
                    float expected = inside ? image[(y - 2) * 28 + x - 2] : 0f;
                    Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(target[(c * 32 + y) * 32 + x]));
                }
    }

    [Fact]
    public void Values_are_scaled_normalised_per_channel_and_reordered_to_bgr_as_float64_computes_them()
    {
        float[] rgb = RandomImage(3, 5, 4, seed: 2);
        double[] mean = [103.9, 116.8, 123.7], std = [57.4, 57.1, 58.4];
        var p = new Preprocessing { Scale = 255, Mean = mean, Std = std, ChannelOrder = ChannelOrder.Bgr };
        var target = new float[3 * 5 * 4];

        p.Apply(rgb, 3, 5, 4, new TensorShape(3, 5, 4), target);

        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 20; i++)
            {
                double pixel = rgb[(2 - c) * 20 + i]; // model channel 0 is blue, the image's channel 2
                double expected = (pixel * 255 - mean[c]) / std[c];
                Assert.True(Math.Abs(target[c * 20 + i] - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"channel {c}, pixel {i}");
            }
    }

    [Fact]
    public void A_gray_image_goes_into_every_channel_before_each_channel_is_normalised()
    {
        float[] gray = RandomImage(1, 3, 3, seed: 3);
        var p = new Preprocessing { Mean = [0.1, 0.2, 0.3], Std = [0.5, 0.25, 2] };
        var target = new float[27];

        p.Apply(gray, 1, 3, 3, new TensorShape(3, 3, 3), target);

        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 9; i++)
                Assert.Equal((gray[i] - p.Mean[c]) / p.Std[c], target[c * 9 + i], 5);
    }

    [Fact]
    public void Padding_happens_in_pixel_space_so_the_border_is_normalised_black()
    {
        var p = new Preprocessing { Scale = 255, Mean = [100], Std = [2] };
        var target = new float[4 * 4];
        p.Apply([1f, 1f, 1f, 1f], 1, 2, 2, new TensorShape(1, 4, 4), target);
        Assert.Equal(-50f, target[0]);
        Assert.Equal((255 - 100) / 2f, target[5]);
    }

    [Theory]
    [InlineData(28, 28, 224, 224)]
    [InlineData(7, 5, 16, 12)]
    [InlineData(40, 30, 16, 12)]
    [InlineData(9, 13, 9, 4)]
    public void Bilinear_resize_matches_libtorch_interpolate_without_align_corners(int height, int width, int outHeight, int outWidth)
    {
        float[] image = RandomImage(2, height, width, seed: height * 31 + width);
        var target = new float[2 * outHeight * outWidth];
        new Preprocessing { Resize = ResizeRule.Bilinear }.Apply(image, 2, height, width, new TensorShape(2, outHeight, outWidth), target);

        using var scope = NewDisposeScope();
        Tensor source = tensor(image.Select(v => (double)v).ToArray(), [1, 2, height, width]);
        double[] expected = nn.functional.interpolate(source, [outHeight, outWidth], mode: InterpolationMode.Bilinear, align_corners: false)
            .data<double>().ToArray();

        double worst = expected.Select((e, i) => Math.Abs(e - target[i])).Max();
        Assert.True(worst <= 1e-6, $"max |Pocket − libtorch| = {worst}");
    }

    [Fact]
    public void Bilinear_leaves_an_image_of_the_input_size_exactly_as_it_is()
    {
        float[] image = RandomImage(3, 6, 5, seed: 4);
        var target = new float[image.Length];
        new Preprocessing { Resize = ResizeRule.Bilinear }.Apply(image, 3, 6, 5, new TensorShape(3, 6, 5), target);
        Assert.Equal(image, target);
    }

    [Fact]
    public void Pad_refuses_an_image_larger_than_the_input_and_bilinear_takes_it()
    {
        float[] image = RandomImage(1, 30, 30, seed: 5);
        var e = Assert.Throws<PreprocessingException>(() => Preprocessing.Default.Apply(image, 1, 30, 30, new TensorShape(1, 28, 28), new float[784]));
        Assert.Contains("pad", e.Message);
        new Preprocessing { Resize = ResizeRule.Bilinear }.Apply(image, 1, 30, 30, new TensorShape(1, 28, 28), new float[784]);
    }

    [Fact]
    public void Metadata_holds_only_what_differs_from_the_default_and_reads_back_the_same()
    {
        var metadata = new Dictionary<string, string> { ["model"] = "x", [ModelMetadata.PreprocessResize] = "bilinear" };
        Preprocessing.Default.WriteTo(metadata);
        Assert.Equal(["model"], metadata.Keys);

        var p = new Preprocessing { Scale = 255, Mean = [103.939, 116.779, 123.68], Std = [0.5], ChannelOrder = ChannelOrder.Bgr, Resize = ResizeRule.Bilinear };
        p.WriteTo(metadata);
        Assert.Equal("255", metadata[ModelMetadata.PreprocessScale]);
        Assert.Equal("103.939,116.779,123.68", metadata[ModelMetadata.PreprocessMean]);
        var back = Preprocessing.FromMetadata(metadata, channels: 3);
        Assert.Equal(p.Scale, back.Scale);
        Assert.Equal(p.Mean, back.Mean);
        Assert.Equal(p.Std, back.Std);
        Assert.Equal(ChannelOrder.Bgr, back.ChannelOrder);
        Assert.Equal(ResizeRule.Bilinear, back.Resize);
        Assert.True(Preprocessing.FromMetadata(new Dictionary<string, string>(), 3).IsDefault);
    }

    [Theory]
    [InlineData(ModelMetadata.PreprocessScale, "abc", 1)]
    [InlineData(ModelMetadata.PreprocessScale, "0", 1)]
    [InlineData(ModelMetadata.PreprocessScale, "NaN", 1)]
    [InlineData(ModelMetadata.PreprocessMean, "1,2", 3)]
    [InlineData(ModelMetadata.PreprocessMean, "1,,3", 3)]
    [InlineData(ModelMetadata.PreprocessStd, "1,0,1", 3)]
    [InlineData(ModelMetadata.PreprocessStd, "-1", 1)]
    [InlineData(ModelMetadata.PreprocessChannelOrder, "BGR!", 3)]
    [InlineData(ModelMetadata.PreprocessChannelOrder, "bgr", 1)]
    [InlineData(ModelMetadata.PreprocessResize, "zoom", 1)]
    public void A_malformed_value_is_one_line_naming_the_key_and_the_value(string key, string value, int channels)
    {
        var e = Assert.Throws<PreprocessingException>(() => Preprocessing.FromMetadata(new Dictionary<string, string> { [key] = value }, channels));
        Assert.Contains($"metadata '{key}'", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        if (value != "bgr") Assert.Contains($"'{value}'", e.Message);
    }
}
