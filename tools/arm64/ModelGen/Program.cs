using Pocket.Format;
using Pocket.Training.Models;

// Usage: Pocket.Arm64ModelGen OUT_DIR [--phone]. Every zoo model, freshly initialised from torch seed 1, encoded dense at a
// small input (the emulated ARM64 run must take seconds, not minutes); the LeNets at their own 1×28×28. With --phone,
// instead three compact models at phone resolutions and 1000 classes, for timing builds of the sample app (the NativeAOT
// instruction-set comparison in bench/results/runtime.md).
bool phone = args.Length == 2 && args[1] == "--phone";
if (args.Length != 1 && !phone)
{
    Console.Error.WriteLine("usage: Pocket.Arm64ModelGen OUT_DIR [--phone]");
    return 2;
}
Directory.CreateDirectory(args[0]);
(string Name, Dictionary<string, string> Options, InputShape Input, int Classes)[] models = phone ?
[
    ("mobilenet_v1", new() { ["alpha"] = "0.25" }, new InputShape(3, 128, 128), 1000),
    ("mobilenet_v1", new() { ["alpha"] = "1.0" }, new InputShape(3, 224, 224), 1000),
    ("squeezenet1_1", new(), new InputShape(3, 224, 224), 1000),
] :
[
    ("lenet300", new(), new InputShape(1, 28, 28), 10),
    ("lenet5", new(), new InputShape(1, 28, 28), 10),
    ("mobilenet_v1", new() { ["alpha"] = "0.25" }, new InputShape(3, 64, 64), 100),
    ("mobilenet_v1", new() { ["alpha"] = "0.5" }, new InputShape(3, 48, 48), 100),
    ("squeezenet1_0", new(), new InputShape(3, 64, 64), 100),
    ("squeezenet1_1", new(), new InputShape(3, 64, 64), 100),
    ("sepnet", new(), new InputShape(3, 64, 64), 100),
];
foreach (var (name, options, input, classes) in models)
{
    PocketModel model = RandomZooCheckpoint.Encode(new ModelSpec(name, options), input, classes, seed: 1);
    string file = Path.Combine(args[0], $"{name}{string.Concat(options.Select(o => $"-{o.Key}{o.Value}"))}.pocket");
    PocketFile.Write(file, model);
    Console.WriteLine(file);
}
return 0;
