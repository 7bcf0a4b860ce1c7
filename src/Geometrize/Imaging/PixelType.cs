namespace Geometrize.Imaging;

/// <summary>Voxel storage types of the image formats Geometrize reads and writes.</summary>
public enum PixelType
{
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8,
    /// <summary>Signed 8-bit integer.</summary>
    Int8,
    /// <summary>Signed 16-bit integer.</summary>
    Int16,
    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16,
    /// <summary>Signed 32-bit integer.</summary>
    Int32,
    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32,
    /// <summary>Signed 64-bit integer.</summary>
    Int64,
    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64,
    /// <summary>IEEE 32-bit float.</summary>
    Float32,
    /// <summary>IEEE 64-bit float.</summary>
    Float64,
    /// <summary>Three 8-bit colour channels; read as gray (ITU-R BT.601 luma).</summary>
    Rgb24,
}

/// <summary>Size and naming helpers for <see cref="PixelType"/>.</summary>
public static class PixelTypes
{
    /// <summary>Bytes per stored value.</summary>
    public static int SizeOf(this PixelType t) => t switch
    {
        PixelType.UInt8 or PixelType.Int8 => 1,
        PixelType.Int16 or PixelType.UInt16 => 2,
        PixelType.Int32 or PixelType.UInt32 or PixelType.Float32 => 4,
        PixelType.Int64 or PixelType.UInt64 or PixelType.Float64 => 8,
        PixelType.Rgb24 => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>Lower-case name used by the CLI (<c>uint8</c>, <c>float32</c>, ...).</summary>
    public static string Name(this PixelType t) => t.ToString().ToLowerInvariant();

    /// <summary>Parses a CLI type name (<c>uint8</c>, <c>int16</c>, <c>float32</c>, <c>float</c>, <c>double</c>, ...).</summary>
    public static PixelType Parse(string name, string option = "--type") => name.ToLowerInvariant() switch
    {
        "uint8" or "uchar" or "u8" => PixelType.UInt8,
        "int8" or "char" or "i8" => PixelType.Int8,
        "int16" or "short" or "i16" => PixelType.Int16,
        "uint16" or "ushort" or "u16" => PixelType.UInt16,
        "int32" or "int" or "i32" => PixelType.Int32,
        "uint32" or "uint" or "u32" => PixelType.UInt32,
        "int64" or "long" or "i64" => PixelType.Int64,
        "uint64" or "ulong" or "u64" => PixelType.UInt64,
        "float32" or "float" or "f32" => PixelType.Float32,
        "float64" or "double" or "f64" => PixelType.Float64,
        _ => throw new InvalidParameterException(option, $"unknown pixel type '{name}'; use one of uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32, float64."),
    };
}
