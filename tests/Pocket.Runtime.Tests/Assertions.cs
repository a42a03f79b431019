namespace Pocket.Runtime.Tests;

internal static class Assertions
{
    /// <summary>Relative tolerance 1e-4, measured against the element's magnitude plus the tensor's RMS so that
    /// values near zero (sums that cancel) are not held to an impossible relative standard.</summary>
    public static void Close(float[] expected, float[] actual, double relative = 1e-4)
    {
        Assert.Equal(expected.Length, actual.Length);
        double rms = Math.Sqrt(expected.Sum(v => (double)v * v) / Math.Max(1, expected.Length));
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = relative * (Math.Abs(expected[i]) + rms) + 1e-7;
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance))
                Assert.Fail($"element {i}: expected {expected[i]}, got {actual[i]} (tolerance {tolerance:G3}, rms {rms:G3})");
        }
    }

    public static float[] RandomInput(int seed, int length)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>Runs the runtime on a batch and compares with TorchSharp; also checks each sample predicted alone.</summary>
    public static PocketNetwork MatchesTorch(Pocket.Format.PocketModel model, int batch, int seed = 1, PocketNetworkOptions? options = null, double relative = 1e-4)
    {
        PocketNetwork network = PocketNetwork.Load(model, options);
        float[] input = RandomInput(seed, batch * network.InputLength);
        float[] expected = TorchReference.Run(model, input, batch);
        var actual = new float[batch * network.OutputLength];
        network.Predict(input, batch, actual);
        Close(expected, actual, relative);
        for (int b = 0; b < batch; b++)
        {
            float[] single = network.Predict(input.AsSpan(b * network.InputLength, network.InputLength));
            Close(expected.AsSpan(b * network.OutputLength, network.OutputLength).ToArray(), single, relative);
        }
        return network;
    }
}
