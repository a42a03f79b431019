namespace Pocket.Training;
public static class Stub { public static string Probe() { using var t = TorchSharp.torch.ones(3); return t.sum().item<float>().ToString(); } }
