using Pocket.Format;
using TorchSharp;
using static TorchSharp.torch;

namespace Pocket.Training.Models;

/// <summary>
/// A network of Pocket's zoo: a TorchSharp module that can also describe itself as a <see cref="ModelGraph"/>,
/// so the runtime can rebuild it without TorchSharp.
/// </summary>
public abstract class PocketModule : nn.Module<Tensor, Tensor>
{
    protected PocketModule(string name, ModelSpec spec, InputShape input, int classes) : base(name)
    {
        // Every forward pass of a Pocket model starts from one of these: the place to make sure libtorch's conv is right.
        Training.TorchBackend.Ensure();
        Spec = spec;
        InputShape = input;
        Classes = classes;
    }

    public ModelSpec Spec { get; }
    public InputShape InputShape { get; }
    public int Classes { get; }

    /// <summary>The forward pass as a graph of operations whose tensor names are this module's state_dict keys.</summary>
    public abstract ModelGraph ExportGraph();

    /// <summary>
    /// The weights compression works on: every conv and fc weight (biases and BatchNorm parameters stay float),
    /// keyed by state_dict name, in forward order.
    /// </summary>
    public virtual IReadOnlyList<(string Name, TorchSharp.Modules.Parameter Weight)> CompressibleWeights() =>
        named_parameters().Where(p => p.name.EndsWith(".weight", StringComparison.Ordinal) && p.parameter.dim() >= 2)
            .Select(p => (p.name, p.parameter)).ToList();

    /// <summary>The layer name of a weight ("fc1.weight" → "fc1").</summary>
    public static string LayerName(string weightName) =>
        weightName.EndsWith(".weight", StringComparison.Ordinal) ? weightName[..^".weight".Length] : weightName;
}
