namespace Pocket.Onnx;

/// <summary>
/// Field numbers and enum values from onnx.proto (ONNX 1.x, stable since IR version 3) for the messages the exporter
/// writes. They are written by hand rather than generated: the exporter needs a dozen fields, not the whole schema.
/// </summary>
internal static class OnnxFields
{
    public static class Model
    {
        public const int IrVersion = 1;
        public const int ProducerName = 2;
        public const int ProducerVersion = 3;
        public const int DocString = 6;
        public const int Graph = 7;
        public const int OpsetImport = 8;
        public const int MetadataProps = 14;
    }

    public static class OperatorSetId
    {
        public const int Domain = 1;
        public const int Version = 2;
    }

    public static class StringStringEntry
    {
        public const int Key = 1;
        public const int Value = 2;
    }

    public static class Graph
    {
        public const int Node = 1;
        public const int Name = 2;
        public const int Initializer = 5;
        public const int Input = 11;
        public const int Output = 12;
    }

    public static class Node
    {
        public const int Input = 1;
        public const int Output = 2;
        public const int Name = 3;
        public const int OpType = 4;
        public const int Attribute = 5;
    }

    public static class Attribute
    {
        public const int Name = 1;
        public const int F = 2;
        public const int I = 3;
        public const int Ints = 8;
        public const int Type = 20;

        // AttributeProto.AttributeType
        public const int TypeFloat = 1;
        public const int TypeInt = 2;
        public const int TypeInts = 7;
    }

    public static class Tensor
    {
        public const int Dims = 1;
        public const int DataType = 2;
        public const int Name = 8;
        public const int RawData = 9;

        // TensorProto.DataType
        public const int Float = 1;
        public const int Int64 = 7;
    }

    public static class ValueInfo
    {
        public const int Name = 1;
        public const int Type = 2;
    }

    public static class Type
    {
        public const int TensorType = 1;
        public const int TensorElemType = 1; // TypeProto.Tensor.elem_type
        public const int TensorShape = 2;    // TypeProto.Tensor.shape
    }

    public static class Shape
    {
        public const int Dim = 1;
        public const int DimValue = 1; // TensorShapeProto.Dimension.dim_value
        public const int DimParam = 2; // TensorShapeProto.Dimension.dim_param
    }
}
