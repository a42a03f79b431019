using Onnx;

namespace Pocket.Onnx;

/// <summary>A node attribute (AttributeProto) of one of the three kinds the exported ops use.</summary>
internal abstract record OnnxAttribute(string Name)
{
    public static OnnxAttribute Int(string name, long value) => new IntAttribute(name, value);

    public static OnnxAttribute Ints(string name, params long[] values) => new IntsAttribute(name, values);

    public static OnnxAttribute Float(string name, float value) => new FloatAttribute(name, value);

    public abstract AttributeProto ToProto();

    private sealed record IntAttribute(string Name, long Value) : OnnxAttribute(Name)
    {
        public override AttributeProto ToProto() => new() { Name = Name, I = Value, Type = AttributeProto.Types.AttributeType.Int };
    }

    private sealed record IntsAttribute(string Name, long[] Values) : OnnxAttribute(Name)
    {
        public override AttributeProto ToProto()
        {
            var proto = new AttributeProto { Name = Name, Type = AttributeProto.Types.AttributeType.Ints };
            proto.Ints.Add(Values);
            return proto;
        }
    }

    private sealed record FloatAttribute(string Name, float Value) : OnnxAttribute(Name)
    {
        public override AttributeProto ToProto() => new() { Name = Name, F = Value, Type = AttributeProto.Types.AttributeType.Float };
    }
}
