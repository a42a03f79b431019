using System.Diagnostics;
using Pocket.Training.Data;
using Pocket.Training.Models;
using Pocket.Training.Training;
using static TorchSharp.torch;

// Usage:
//   check                      time of TorchBackend's conv check (libtorch already loaded; first and second run),
//                              the path it chose, and the worst relative error on that path
//   epoch PATH [TRAIN_IMAGES]  one LeNet-5 epoch on the first TRAIN_IMAGES MNIST images (default 10000) with conv on
//                              PATH: "checked" (what Pocket does: the check decides), "onednn" or "native" (forced,
//                              no check: onednn is wrong where the check fails); prints seconds and test accuracy.
string mode = args.Length > 0 ? args[0] : "check";
if (mode == "check")
{
    using (var warm = ones(1)) { } // load libtorch first: the check's own cost is what is measured
    var clock = Stopwatch.StartNew();
    var chosen = TorchBackend.Ensure();
    double first = clock.Elapsed.TotalMilliseconds;
    clock.Restart();
    var again = LibTorchConvCheck.Run();
    Console.WriteLine($"first check (with libtorch's own first-use set-up) {first:F1} ms, again {clock.Elapsed.TotalMilliseconds:F1} ms; conv path {chosen}; worst {again.WorstCase}: {again.WorstError:E1}");
    return 0;
}
if (mode != "epoch" || args.Length < 2) { Console.Error.WriteLine("usage: check | epoch checked|onednn|native [TRAIN_IMAGES]"); return 2; }
switch (args[1])
{
    case "checked": TorchBackend.Ensure(); break;
    case "onednn": TorchBackend.UseWithoutCheck(ConvPath.OneDnn); break;
    case "native": TorchBackend.UseWithoutCheck(ConvPath.Native); break;
    default: Console.Error.WriteLine($"unknown path '{args[1]}'"); return 2;
}
int images = args.Length > 2 ? int.Parse(args[2]) : 10000;
var data = DatasetCatalog.Load("mnist");
var input = new InputShape(1, 28, 28);
manual_seed(1);
using var model = ModelZoo.Create(new ModelSpec("lenet5", new Dictionary<string, string>()), input, 10);
var options = TrainingRecipes.For("lenet5") with { Epochs = 1, EvaluateEachEpoch = false };
var time = Stopwatch.StartNew();
double loss = double.NaN;
try
{
    Trainer.Train(model, data.Train.Take(images), options, progress: p => loss = p.Loss);
}
catch (TrainingDivergedException e)
{
    Console.WriteLine($"conv {args[1]} ({TorchBackend.ConvPath}): diverged after {time.Elapsed.TotalSeconds:F1} s: {e.Message}");
    return 1;
}
double seconds = time.Elapsed.TotalSeconds;
var accuracy = Evaluator.Evaluate(model, data.Test.Take(2000), input).Accuracy;
Console.WriteLine($"conv {args[1]} ({TorchBackend.ConvPath}): {seconds:F2} s for {images} images, last loss {loss:F4}, test accuracy (2000) {accuracy:P2}");
return 0;
