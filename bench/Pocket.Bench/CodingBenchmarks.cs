using BenchmarkDotNet.Attributes;
using Pocket.Format;
using Pocket.Format.IO;
using Pocket.Format.Streams;
using Pocket.Training.Compression;

namespace Pocket.Bench;

/// <summary>
/// The speed figures that used to be timed assertions in unit tests: Huffman decoding of a skewed 300,000-symbol stream
/// (an fc1-sized weight stream) and 1-D k-means of 400,000 weights (LeNet-5 fc1) at 5 bits. Inputs are made once in setup.
/// </summary>
[MedianColumn]
[MemoryDiagnoser]
public class CodingBenchmarks
{
    private const int Alphabet = 257;
    private byte[] _stream = [];
    private int _symbols;
    private float[] _weights = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(5);
        var symbols = Enumerable.Range(0, 300_000).Select(_ => (int)(Alphabet * Math.Pow(rng.NextDouble(), 3))).ToArray();
        var writer = new ByteWriter();
        SymbolStream.Write(writer, symbols, Alphabet, StreamCodingChoice.Huffman);
        _stream = writer.ToArray();
        _symbols = symbols.Length;

        var normal = new Random(2);
        _weights = Enumerable.Range(0, 400_000)
            .Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - normal.NextDouble())) * Math.Cos(2 * Math.PI * normal.NextDouble()))).ToArray();
    }

    [Benchmark]
    public int HuffmanDecode300kSymbols()
    {
        var reader = new SectionReader(_stream, 0, _stream.Length, new ErrorContext("bench"));
        return SymbolStream.Read(ref reader, _symbols, Alphabet, "bench stream", out _).Length;
    }

    [Benchmark]
    public int KMeans400kWeights5Bits() => KMeans1D.Fit(_weights, 32, CentroidInitialization.Linear).Centroids.Length;
}
