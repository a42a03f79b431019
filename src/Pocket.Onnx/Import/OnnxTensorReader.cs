using System.Runtime.InteropServices;
using Onnx;

namespace Pocket.Onnx;

/// <summary>
/// Decodes a TensorProto (initializer or Constant value) whose data is in raw_data or in the typed repeated field,
/// float32/float64 as float32 and int32/int64 as int64. External data and other element types are refused.
/// </summary>
internal static class OnnxTensorReader
{
    private const int Float = (int)TensorProto.Types.DataType.Float;
    private const int Double = (int)TensorProto.Types.DataType.Double;
    private const int Int32 = (int)TensorProto.Types.DataType.Int32;
    private const int Int64 = (int)TensorProto.Types.DataType.Int64;

    /// <summary>Refuse anything a Pocket model cannot hold long before allocating for it.</summary>
    private const long MaxElements = 1L << 28;

    public static ConstantTensor Read(TensorProto t, string what)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External || t.ExternalData.Count > 0)
            throw new OnnxImportException($"{what} keeps its data in an external file, which is not supported (save the model with its weights inside)");
        long[] dims = t.Dims.ToArray();
        long count = 1;
        foreach (long d in dims)
        {
            if (d < 0) throw new OnnxImportException($"{what} has a negative dimension {d}");
            count = d == 0 ? 0 : count > MaxElements / d ? MaxElements + 1 : count * d;
        }
        if (count > MaxElements) throw new OnnxImportException($"{what} has more than {MaxElements} elements");
        int n = (int)count;
        bool raw = t.HasRawData;
        switch (t.DataType)
        {
            case Float:
                return ConstantTensor.Float(dims, raw ? Raw<float>(t, n, what) : Typed(t.FloatData, n, what));
            case Double:
                return ConstantTensor.Float(dims, (raw ? Raw<double>(t, n, what) : Typed(t.DoubleData, n, what)).Select(v => (float)v).ToArray());
            case Int64:
                return ConstantTensor.Int(dims, raw ? Raw<long>(t, n, what) : Typed(t.Int64Data, n, what));
            case Int32:
                return ConstantTensor.Int(dims, (raw ? Raw<int>(t, n, what) : Typed(t.Int32Data, n, what)).Select(v => (long)v).ToArray());
            default:
                string type = Enum.IsDefined(typeof(TensorProto.Types.DataType), t.DataType)
                    ? ((TensorProto.Types.DataType)t.DataType).ToString().ToUpperInvariant() : t.DataType.ToString();
                throw new OnnxImportException($"{what} has element type {type}; only FLOAT, DOUBLE, INT32 and INT64 are supported");
        }
    }

    private static T[] Raw<T>(TensorProto t, int count, string what) where T : unmanaged
    {
        ReadOnlySpan<byte> bytes = t.RawData.Span;
        int size = Marshal.SizeOf<T>();
        if (bytes.Length != (long)count * size)
            throw new OnnxImportException($"{what} raw_data holds {bytes.Length} bytes, its shape [{string.Join(",", t.Dims)}] needs {(long)count * size}");
        // raw_data is little-endian by the ONNX spec, as .NET is on every platform it runs on.
        return MemoryMarshal.Cast<byte, T>(bytes).ToArray();
    }

    private static T[] Typed<T>(IReadOnlyList<T> values, int count, string what)
    {
        if (values.Count != count)
            throw new OnnxImportException($"{what} holds {values.Count} values, its shape needs {count}");
        return values.ToArray();
    }
}
