using Pocket.Format;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pocket.Training.Models;

/// <summary>LeNet-300-100: 784 → 300 → 100 → 10 with ReLU, 266,610 parameters (Han et al. 2015, Table 1).</summary>
public sealed class LeNet300 : PocketModule
{
    private readonly Linear fc1, fc2, fc3;

    /// <summary>The keys this model accepts in its spec.</summary>
    public static IReadOnlyList<ModelOption> Options { get; } = [ModelOption.Resolution];

    public LeNet300(ModelSpec spec, InputShape input, int classes) : base(nameof(LeNet300), spec, input, classes)
    {
        fc1 = nn.Linear(input.Size, 300);
        fc2 = nn.Linear(300, 100);
        fc3 = nn.Linear(100, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = x.flatten(1);
        x = nn.functional.relu(fc1.forward(x));
        x = nn.functional.relu(fc2.forward(x));
        return fc3.forward(x).MoveToOuterDisposeScope();
    }

    public override ModelGraph ExportGraph()
    {
        var g = new GraphBuilder(InputShape);
        int x = g.Flatten(g.Input);
        x = g.Relu(g.Linear("fc1", x, fc1));
        x = g.Relu(g.Linear("fc2", x, fc2));
        g.Linear("fc3", x, fc3);
        return g.Build();
    }
}
