namespace Pocket.Onnx;

/// <summary>A node attribute (AttributeProto) of one of the three kinds the exported ops use.</summary>
internal abstract record OnnxAttribute(string Name)
{
    public static OnnxAttribute Int(string name, long value) => new IntAttribute(name, value);

    public static OnnxAttribute Ints(string name, params long[] values) => new IntsAttribute(name, values);

    public static OnnxAttribute Float(string name, float value) => new FloatAttribute(name, value);

    public abstract ProtoMessage ToProto();

    private sealed record IntAttribute(string Name, long Value) : OnnxAttribute(Name)
    {
        public override ProtoMessage ToProto() => new ProtoMessage()
            .String(OnnxFields.Attribute.Name, Name)
            .Varint(OnnxFields.Attribute.I, Value)
            .Varint(OnnxFields.Attribute.Type, OnnxFields.Attribute.TypeInt);
    }

    private sealed record IntsAttribute(string Name, long[] Values) : OnnxAttribute(Name)
    {
        public override ProtoMessage ToProto()
        {
            var proto = new ProtoMessage().String(OnnxFields.Attribute.Name, Name);
            // onnx.proto is proto2 without [packed=true]: one tag per element, which every reader accepts.
            foreach (long v in Values) proto.Varint(OnnxFields.Attribute.Ints, v);
            return proto.Varint(OnnxFields.Attribute.Type, OnnxFields.Attribute.TypeInts);
        }
    }

    private sealed record FloatAttribute(string Name, float Value) : OnnxAttribute(Name)
    {
        public override ProtoMessage ToProto() => new ProtoMessage()
            .String(OnnxFields.Attribute.Name, Name)
            .Float(OnnxFields.Attribute.F, Value)
            .Varint(OnnxFields.Attribute.Type, OnnxFields.Attribute.TypeFloat);
    }
}
