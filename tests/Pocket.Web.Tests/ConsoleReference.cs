using Pocket.Format;
using Pocket.Runtime;

namespace Pocket.Web.Tests;

/// <summary>What Pocket.Runtime in this (console) process says for the same file and input: the reference for the page.</summary>
public sealed class ConsoleReference(string pocketFile)
{
    public PocketNetwork Network { get; } = PocketNetwork.Load(pocketFile);
    public string[] Labels => ModelMetadata.LabelsOrIndices(PocketFile.Read(pocketFile).Metadata, Network.OutputLength);

    /// <summary>Class and softmax probability of the most probable class.</summary>
    public (int Class, double Probability) Top(float[] input)
    {
        float[] logits = Network.Predict(input);
        int best = 0;
        for (int c = 1; c < logits.Length; c++) if (logits[c] > logits[best]) best = c;
        double sum = logits.Sum(v => Math.Exp(v - logits[best]));
        return (best, 1 / sum);
    }
}
