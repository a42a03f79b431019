using Pocket.Runtime.Input;
using Pocket.Tests;
using Pocket.Training.Data;
using Pocket.Training.Models;

namespace Pocket.Training.Tests.Data;

/// <summary>Image-folder datasets (DIR/train/CLASS/*.png, DIR/test/CLASS/…), read as the model's input.</summary>
public sealed class ImageFolderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pocket-image-folder-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ImageFolderFiles Folder(int width = 6, int height = 5) => new ImageFolderFiles(_dir)
        .Part("train", ["cat", "ant", "bee"], 2, width, height, seed: 1)
        .Part("test", ["bee", "ant", "cat"], 1, width, height, seed: 2);

    private static float Channel((byte R, byte G, byte B) p, int c) => (c == 0 ? p.R : c == 1 ? p.G : p.B) / 255f;

    [Fact]
    public void Classes_are_the_sorted_subfolders_and_images_come_round_robin_with_the_files_pixels()
    {
        var files = Folder();
        var data = DatasetCatalog.Load(_dir, new InputShape(3, 5, 6), Preprocessing.Default);

        Assert.Equal(["ant", "bee", "cat"], data.Train.ClassNames);
        Assert.Equal(3, data.Train.Classes);
        Assert.Equal([0, 1, 2, 0, 1, 2], data.Train.Labels.Select(l => (int)l));
        Assert.Equal([0, 1, 2], data.Test.Labels.Select(l => (int)l));
        string[] order = ["ant/000", "bee/000", "cat/000", "ant/001", "bee/001", "cat/001"];
        for (int i = 0; i < order.Length; i++)
        {
            var written = files.Written[Path.Combine(_dir, "train", order[i] + ".png")];
            var image = data.Train.Image(i);
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < 5; y++)
                    for (int x = 0; x < 6; x++)
                        Assert.Equal(Channel(written[y, x], c), image[(c * 5 + y) * 6 + x]);
        }
    }

    [Fact]
    public void A_gray_model_gets_the_bt601_gray_level_of_each_pixel()
    {
        var files = Folder();
        var test = DatasetCatalog.LoadTest(_dir, new InputShape(1, 5, 6), Preprocessing.Default);
        var written = files.Written[Path.Combine(_dir, "test", "ant", "000.png")];
        Assert.Equal(1, test.Channels);
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 6; x++)
            {
                var (r, g, b) = written[y, x];
                Assert.Equal((0.299 * r + 0.587 * g + 0.114 * b) / 255, test.Image(0)[y * 6 + x], 5);
            }
    }

    [Fact]
    public void Files_are_resized_to_the_models_input_as_they_are_read()
    {
        var files = Folder(width: 40, height: 30);
        var bilinear = new Preprocessing { Resize = ResizeRule.Bilinear, Scale = 255 };
        var test = DatasetCatalog.LoadTest(_dir, new InputShape(3, 8, 9), bilinear);

        Assert.Equal((8, 9), (test.Height, test.Width));
        Assert.Same(bilinear, test.Preprocessing);
        var written = files.Written[Path.Combine(_dir, "test", "bee", "000.png")];
        var native = new float[3 * 30 * 40];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 30; y++)
                for (int x = 0; x < 40; x++)
                    native[(c * 30 + y) * 40 + x] = Channel(written[y, x], c);
        var expected = new float[3 * 8 * 9];
        bilinear.ResizeImage(native, 3, 30, 40, 8, 9, expected);
        Assert.Equal(expected, test.Image(1).ToArray()); // round-robin: ant, bee, cat
    }

    [Fact]
    public void The_limit_decodes_only_the_first_images_in_round_robin_order()
    {
        Folder();
        File.WriteAllText(Path.Combine(_dir, "test", "cat", "000.png"), "not a png"); // third in order
        var two = DatasetCatalog.LoadTest(_dir, new InputShape(3, 5, 6), Preprocessing.Default, limit: 2);
        Assert.Equal(2, two.Count);
        var e = Assert.Throws<ImageFolderException>(() => DatasetCatalog.LoadTest(_dir, new InputShape(3, 5, 6), Preprocessing.Default));
        Assert.StartsWith(Path.Combine(_dir, "test", "cat", "000.png") + ": not an image", e.Message);
    }

    [Fact]
    public void An_idx_dataset_carries_the_models_preprocessing_too()
    {
        var p = new Preprocessing { Resize = ResizeRule.Bilinear };
        Assert.Same(p, DatasetCatalog.LoadTest("mnist", null, p, limit: 3).Preprocessing);
        Assert.Same(Preprocessing.Default, DatasetCatalog.LoadTest("mnist", limit: 3).Preprocessing);
    }

    public static TheoryData<string, string> Damaged() => new()
    {
        { "empty class", "train/bee: empty class" },
        { "no test", "test: folder not found" },
        { "extra test class", "test/dog: class 'dog' is not in" },
        { "missing test class", "test: has no class 'bee'" },
        { "larger than the input", "train/ant/000.png: 5×6 image is larger than the model's 4×6 input and the resize rule is pad" },
        { "no model", "an image folder is converted to a model's input as it is read" },
        { "too many values", "more than the 2,147,483,648-byte limit" },
        { "no classes", "train: no class subfolders" },
    };

    [Theory]
    [MemberData(nameof(Damaged))]
    public void A_damaged_folder_is_one_line_naming_what_is_wrong(string damage, string message)
    {
        Folder();
        InputShape? input = new InputShape(3, 5, 6);
        switch (damage)
        {
            case "empty class": foreach (var f in Directory.GetFiles(Path.Combine(_dir, "train", "bee"))) File.Delete(f); break;
            case "no test": Directory.Delete(Path.Combine(_dir, "test"), recursive: true); break;
            case "extra test class": Directory.Move(Path.Combine(_dir, "test", "cat"), Path.Combine(_dir, "test", "dog")); break;
            case "missing test class": Directory.Delete(Path.Combine(_dir, "test", "bee"), recursive: true); break;
            case "larger than the input": input = new InputShape(3, 4, 6); break;
            case "no model": input = null; break;
            case "too many values": input = new InputShape(3, 8192, 8192); break;
            case "no classes": foreach (var d in Directory.GetDirectories(Path.Combine(_dir, "train"))) Directory.Delete(d, recursive: true); break;
        }
        var e = Assert.Throws<ImageFolderException>(() => DatasetCatalog.Load(_dir, input, Preprocessing.Default));
        Assert.Contains(message.Replace('/', Path.DirectorySeparatorChar), e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
