using Google.Protobuf;

namespace Pocket.Onnx;

/// <summary>
/// One protobuf message being written, field by field, with <see cref="CodedOutputStream"/>. A nested message is
/// finished into its own buffer first because the wire format prefixes it with its length.
/// </summary>
internal sealed class ProtoMessage
{
    private readonly MemoryStream _buffer = new();
    private readonly CodedOutputStream _out;

    public ProtoMessage() => _out = new CodedOutputStream(_buffer, leaveOpen: true);

    public ProtoMessage Varint(int field, long value)
    {
        _out.WriteTag(field, WireFormat.WireType.Varint);
        _out.WriteInt64(value);
        return this;
    }

    public ProtoMessage Float(int field, float value)
    {
        _out.WriteTag(field, WireFormat.WireType.Fixed32);
        _out.WriteFloat(value);
        return this;
    }

    public ProtoMessage String(int field, string value)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteString(value);
        return this;
    }

    public ProtoMessage Bytes(int field, ReadOnlyMemory<byte> value)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteBytes(UnsafeByteOperations.UnsafeWrap(value));
        return this;
    }

    public ProtoMessage Message(int field, ProtoMessage nested) => Bytes(field, nested.ToMemory());

    /// <summary>The encoded message (valid until this message is written to again).</summary>
    public ReadOnlyMemory<byte> ToMemory()
    {
        _out.Flush();
        return _buffer.GetBuffer().AsMemory(0, checked((int)_buffer.Length));
    }
}
