using System.Runtime.InteropServices;

namespace Pocket.Training.Checkpoints;

/// <summary>One named array in a checkpoint: its element type ("f32", "i64", "u8", "u16"), shape and little-endian bytes.</summary>
public sealed record CheckpointTensor(string DType, long[] Shape, byte[] Data)
{
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);

    public static int ElementSize(string dtype) => dtype switch
    {
        "f32" => 4, "i64" => 8, "u8" => 1, "u16" => 2,
        _ => throw new CheckpointException($"unknown element type '{dtype}'"),
    };

    public static CheckpointTensor FromFloats(float[] values, long[] shape) => new("f32", shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    public static CheckpointTensor FromLongs(long[] values, long[] shape) => new("i64", shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    public static CheckpointTensor FromBytes(byte[] values, long[] shape) => new("u8", shape, (byte[])values.Clone());
    public static CheckpointTensor FromUShorts(ushort[] values, long[] shape) => new("u16", shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public float[] AsFloats() => Expect("f32", MemoryMarshal.Cast<byte, float>(Data).ToArray());
    public long[] AsLongs() => Expect("i64", MemoryMarshal.Cast<byte, long>(Data).ToArray());
    public byte[] AsBytes() => Expect("u8", Data);
    public ushort[] AsUShorts() => Expect("u16", MemoryMarshal.Cast<byte, ushort>(Data).ToArray());

    private T Expect<T>(string dtype, T value) =>
        DType == dtype ? value : throw new CheckpointException($"tensor holds {DType}, not {dtype}");
}
