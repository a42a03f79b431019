using Pocket.Format;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pocket.Training.Models;

/// <summary>
/// LeNet-5 in the Caffe layout Han et al. used: conv 20@5×5 → maxpool 2 → conv 50@5×5 → maxpool 2 →
/// fc 800→500 → ReLU → fc 500→10; 431,080 parameters. (Caffe's version has no ReLU after the convolutions.)
/// </summary>
public sealed class LeNet5 : PocketModule
{
    private readonly Conv2d conv1, conv2;
    private readonly Linear fc1, fc2;

    /// <summary>The keys this model accepts in its spec.</summary>
    public static IReadOnlyList<ModelOption> Options { get; } = [ModelOption.Resolution];

    public LeNet5(ModelSpec spec, InputShape input, int classes) : base(nameof(LeNet5), spec, input, classes)
    {
        conv1 = nn.Conv2d(input.Channels, 20, 5);
        conv2 = nn.Conv2d(20, 50, 5);
        int h = ((input.Height - 4) / 2 - 4) / 2, w = ((input.Width - 4) / 2 - 4) / 2;
        fc1 = nn.Linear(50 * h * w, 500);
        fc2 = nn.Linear(500, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = nn.functional.max_pool2d(conv1.forward(x), 2, 2);
        x = nn.functional.max_pool2d(conv2.forward(x), 2, 2);
        x = nn.functional.relu(fc1.forward(x.flatten(1)));
        return fc2.forward(x).MoveToOuterDisposeScope();
    }

    public override ModelGraph ExportGraph()
    {
        var g = new GraphBuilder(InputShape);
        int x = g.MaxPool(g.Conv("conv1", g.Input, conv1), 2, 2);
        x = g.MaxPool(g.Conv("conv2", x, conv2), 2, 2);
        x = g.Relu(g.Linear("fc1", g.Flatten(x), fc1));
        g.Linear("fc2", x, fc2);
        return g.Build();
    }
}
