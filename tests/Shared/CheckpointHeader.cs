using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace Pocket.Tests;

/// <summary>
/// Reads and rewrites the JSON header of a `.ckpt` file (magic, u64 header length, header, tensor data), so tests can
/// damage one field and leave the rest of the file as written.
/// </summary>
public static class CheckpointHeader
{
    public static JsonObject Read(byte[] checkpoint)
    {
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(checkpoint.AsSpan(8));
        return JsonNode.Parse(checkpoint.AsSpan(16, length))!.AsObject();
    }

    /// <summary>The checkpoint with its header replaced by <paramref name="header"/> and its tensor data kept.</summary>
    public static byte[] With(byte[] checkpoint, JsonObject header)
    {
        int oldLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(checkpoint.AsSpan(8));
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var result = new byte[16 + json.Length + checkpoint.Length - 16 - oldLength];
        checkpoint.AsSpan(0, 8).CopyTo(result);
        BinaryPrimitives.WriteUInt64LittleEndian(result.AsSpan(8), (ulong)json.Length);
        json.CopyTo(result, 16);
        checkpoint.AsSpan(16 + oldLength).CopyTo(result.AsSpan(16 + json.Length));
        return result;
    }
}
