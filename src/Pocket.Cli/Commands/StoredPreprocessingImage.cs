using Pocket.Runtime;
using Pocket.Runtime.Input;
using Pocket.Training.Data;

namespace Pocket.Cli.Commands;

/// <summary>
/// A picture made into the input of a model that stores its preprocessing: decoded as an image folder's files are
/// (<see cref="ImageFile"/>: gray for a 1-channel model, else RGB, over white), optionally inverted, then the model's
/// <see cref="Preprocessing"/> — the same resize, channel order and normalisation that eval, run and retraining apply.
/// </summary>
public static class StoredPreprocessingImage
{
    public static PreparedImage Prepare(string path, TensorShape input, Preprocessing preprocessing, string? dataset, InvertMode invert)
    {
        if (input.Channels is not (1 or 3)) throw new InputException($"{path}: the model's input has {input.Channels} channels; a picture gives 1 (gray) or 3 (RGB)");
        ImageFile.Image image;
        try { image = ImageFile.Decode(path, input.Channels); }
        catch (ImageFolderException e) { throw new InputException(e.Message); }

        bool mnistStyle = dataset is not null && (dataset.Equals("mnist", StringComparison.OrdinalIgnoreCase)
                                                  || dataset.Equals("fashion-mnist", StringComparison.OrdinalIgnoreCase));
        double border = GrayImageInput.BorderMean(image.Pixels.AsSpan(0, image.Height * image.Width), image.Width, image.Height);
        bool inverted = invert switch
        {
            InvertMode.Always => true,
            InvertMode.Never => false,
            _ => mnistStyle && image.Channels == 1 && border > GrayImageInput.LightBackgroundAbove,
        };
        if (inverted) GrayImageInput.Invert(image.Pixels);

        var pixels = new float[input.Length];
        try { preprocessing.Apply(image.Pixels, image.Channels, image.Height, image.Width, input, pixels); }
        catch (PreprocessingException e) { throw new InputException($"{path}: {e.Message}"); }
        string description = $"{image.Width}x{image.Height} image, {(image.Channels == 1 ? "grayscale" : "RGB")}, " +
                             $"{(inverted ? "inverted" : "not inverted")}, the model's preprocessing ({preprocessing}) -> input {input}";
        return new PreparedImage(pixels, inverted, description);
    }
}
