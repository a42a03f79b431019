using Pocket.Format;

namespace Pocket.Runtime.Tests;

public class ValidationTests
{
    private static void Refused(PocketModel model, string nodeName, string fragment)
    {
        var e = Assert.Throws<PocketRuntimeException>(() => PocketNetwork.Load(model));
        Assert.Contains($"'{nodeName}'", e.Message);
        Assert.Contains(fragment, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    private static (ModelBuilder B, int X) Start()
    {
        var b = new ModelBuilder(1);
        return (b, b.Input(3, 8, 8));
    }

    [Fact]
    public void WrongAttributeCountIsRefused()
    {
        (ModelBuilder b, int x) = Start();
        b.Add(GraphNode.Create("pool", OpKind.MaxPool2d, [x], [2, 2, 2, 2, 0, 0]));
        Refused(b.Build(), "pool", "expects 7 attributes");
    }

    [Fact]
    public void ConvChannelMismatchIsRefused()
    {
        (ModelBuilder b, int x) = Start();
        int c = b.Conv(x, "conv1", 3, 4, 3, 3);
        b.Conv(c, "conv2", 5, 4, 3, 3);
        Refused(b.Build(), "conv2", "input channels");
    }

    [Fact]
    public void LinearFeatureMismatchIsRefused()
    {
        (ModelBuilder b, int x) = Start();
        b.Linear(b.Op("flat", OpKind.Flatten, x), "fc", 100, 10);
        Refused(b.Build(), "fc", "input features");
    }

    [Fact]
    public void AddShapeMismatchIsRefused()
    {
        (ModelBuilder b, int x) = Start();
        int c = b.Conv(x, "conv", 3, 3, 3, 3);
        b.Op("sum", OpKind.Add, x, c);
        Refused(b.Build(), "sum", "shapes differ");
    }

    [Fact]
    public void MissingTensorIsRefused()
    {
        (ModelBuilder b, int x) = Start();
        b.Add(GraphNode.Create("conv", OpKind.Conv2d, [x], [4, 3, 3, 3, 1, 1, 0, 0, 1], ["nowhere.weight", ""]));
        Refused(b.Build(), "conv", "missing");
    }

    [Fact]
    public void WrongTensorSizeIsRefused()
    {
        (ModelBuilder b, int x) = Start();
        b.Linear(b.Op("flat", OpKind.Flatten, x), "fc", 192, 10, weight: new DenseTensor("fc.weight", [10, 191], new float[1910]));
        Refused(b.Build(), "fc", "expected 1920 elements");
    }

    [Fact]
    public void BadGroupsAndForwardReferencesAreRefused()
    {
        (ModelBuilder b, int x) = Start();
        b.Conv(x, "grouped", 3, 4, 3, 3, groups: 2);
        Refused(b.Build(), "grouped", "groups=2");

        (ModelBuilder b2, int x2) = Start();
        b2.Add(GraphNode.Create("relu", OpKind.Relu, [x2 + 1]));
        Refused(b2.Build(), "relu", "earlier node");
    }

    [Fact]
    public void SparseCodesOutsideTheCodebookAreRefused()
    {
        (ModelBuilder b, int x) = Start();
        var bad = new SparseQuantizedTensor("fc.weight", [10, 192], [0.5f, -0.5f], [1, 5, 9], [0, 1, 2], 5);
        b.Linear(b.Op("flat", OpKind.Flatten, x), "fc", 192, 10, weight: bad);
        Refused(b.Build(), "fc", "codebook");
    }

    [Fact]
    public void WrongInputSizeAtPredictIsRefused()
    {
        (ModelBuilder b, int x) = Start();
        b.Op("relu", OpKind.Relu, x);
        PocketNetwork net = PocketNetwork.Load(b.Build());
        Assert.Throws<PocketRuntimeException>(() => net.Predict(new float[10]));
    }
}
