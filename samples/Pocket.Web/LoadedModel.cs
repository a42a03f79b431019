using Pocket.Format;
using Pocket.Runtime;

namespace Pocket.Web;

/// <summary>A .pocket file compiled for this page: the network, its class names and what the page shows about it.</summary>
public sealed class LoadedModel
{
    private LoadedModel(string fileName, long fileBytes, PocketModel model, PocketNetwork network)
    {
        FileName = fileName;
        FileBytes = fileBytes;
        Network = network;
        Dataset = model.Metadata.GetValueOrDefault(ModelMetadata.Dataset);
        Name = model.Metadata.GetValueOrDefault(ModelMetadata.Model) ?? fileName;
        Labels = ModelMetadata.LabelsOrIndices(model.Metadata, network.OutputLength);
        HasLabels = ModelMetadata.ReadLabels(model.Metadata)?.Length == network.OutputLength;
        EndsInSoftmax = model.Graph.Nodes.Count > 0 && model.Graph.Nodes[^1].Op == OpKind.Softmax;
        Image = ImageGeometry.For(network.InputShape);
    }

    public string FileName { get; }
    public long FileBytes { get; }
    public PocketNetwork Network { get; }
    public string Name { get; }
    public string? Dataset { get; }
    public string[] Labels { get; }

    /// <summary>Whether the names come from the file's "labels" (else they are the class indices).</summary>
    public bool HasLabels { get; }

    /// <summary>A graph that ends in Softmax already outputs probabilities; any other outputs logits.</summary>
    public bool EndsInSoftmax { get; }

    public ImageGeometry Image { get; }

    /// <summary>MNIST and Fashion-MNIST show light strokes on black: a picture with a light background is inverted for them.</summary>
    public bool MnistStyle => Dataset is not null && (Dataset.Equals("mnist", StringComparison.OrdinalIgnoreCase)
                                                      || Dataset.Equals("fashion-mnist", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Decodes and compiles the bytes of a .pocket file. A damaged or unsupported file throws <see cref="ModelLoadException"/>
    /// with one line naming the file and what is wrong.
    /// </summary>
    public static LoadedModel Load(string fileName, byte[] bytes)
    {
        try
        {
            PocketModel model = PocketFile.Decode(bytes, fileName);
            var network = PocketNetwork.Load(model);
            if (network.InputShape.Length == 0 || network.OutputLength == 0)
                throw new ModelLoadException($"{fileName}: the network has an empty input or output");
            return new LoadedModel(fileName, bytes.LongLength, model, network);
        }
        catch (ModelLoadException) { throw; }
        catch (Exception e) when (e is PocketFormatException or PocketRuntimeException)
        {
            throw new ModelLoadException(OneLine(e.Message.StartsWith(fileName, StringComparison.Ordinal) ? e.Message : $"{fileName}: {e.Message}"));
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or NotSupportedException or OverflowException)
        {
            throw new ModelLoadException(OneLine($"{fileName}: cannot be used ({e.Message})"));
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}

/// <summary>A .pocket file this page cannot run; the message is one line naming the file.</summary>
public sealed class ModelLoadException(string message) : Exception(message);
