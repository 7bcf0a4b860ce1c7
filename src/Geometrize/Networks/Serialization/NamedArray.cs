using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Geometrize.Networks.Serialization;

/// <summary>Element types of the safetensors format, spelled as in its header.</summary>
public enum SafeTensorsDType
{
    /// <summary>Boolean, one byte (0 or 1).</summary>
    BOOL,
    /// <summary>Unsigned 8-bit integer.</summary>
    U8,
    /// <summary>Signed 32-bit integer.</summary>
    I32,
    /// <summary>Signed 64-bit integer.</summary>
    I64,
    /// <summary>IEEE 754 half precision.</summary>
    F16,
    /// <summary>bfloat16: the upper 16 bits of a float32.</summary>
    BF16,
    /// <summary>IEEE 754 single precision.</summary>
    F32,
    /// <summary>IEEE 754 double precision.</summary>
    F64,
}

/// <summary>
/// One named array of a safetensors file: a name, an element type, a shape (row-major, last axis fastest, an empty
/// shape being a scalar) and the raw little-endian bytes. Keeping the bytes lets any type round-trip unchanged;
/// <see cref="ToSingles"/> and <see cref="ToDoubles"/> convert when the numbers are wanted.
/// </summary>
public sealed class NamedArray
{
    private readonly int[] _shape;

    /// <summary>
    /// Creates an array from raw little-endian bytes; their length must equal the element count times the element size.
    /// </summary>
    public NamedArray(string name, SafeTensorsDType dtype, ReadOnlySpan<int> shape, ReadOnlyMemory<byte> bytes)
    {
        if (string.IsNullOrEmpty(name))
            throw new InvalidParameterException("name", "a safetensors array needs a non-empty name.");
        if (name == SafeTensorsFile.MetadataKey)
            throw new InvalidParameterException("name", $"'{SafeTensorsFile.MetadataKey}' is reserved for the metadata map.");
        if (!Enum.IsDefined(dtype))
            throw new InvalidParameterException("dtype", $"unknown element type {(int)dtype}.");
        long count = CheckedCount(shape, out string? error);
        if (error != null) throw new InvalidParameterException("shape", $"array '{name}': {error}");
        if (count * SizeOf(dtype) != bytes.Length)
            throw new InvalidParameterException("bytes", $"array '{name}' of type {dtype} and shape [{string.Join(',', shape.ToArray())}] needs {count * SizeOf(dtype)} bytes, got {bytes.Length}.");
        Name = name;
        DType = dtype;
        _shape = shape.ToArray();
        ElementCount = count;
        Bytes = bytes;
    }

    /// <summary>The array's name (its key in the file).</summary>
    public string Name { get; }

    /// <summary>Element type.</summary>
    public SafeTensorsDType DType { get; }

    /// <summary>Extents, outermost first; empty for a scalar.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>Number of elements (the product of the extents; 1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>The raw little-endian element bytes.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>A float32 array from values (copied).</summary>
    public static NamedArray FromSingles(string name, ReadOnlySpan<int> shape, ReadOnlySpan<float> values)
    {
        var b = new byte[values.Length * 4];
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(values).CopyTo(b);
        else for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), values[i]);
        return new NamedArray(name, SafeTensorsDType.F32, shape, b);
    }

    /// <summary>A float64 array from values (copied).</summary>
    public static NamedArray FromDoubles(string name, ReadOnlySpan<int> shape, ReadOnlySpan<double> values)
    {
        var b = new byte[values.Length * 8];
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(values).CopyTo(b);
        else for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(8 * i), values[i]);
        return new NamedArray(name, SafeTensorsDType.F64, shape, b);
    }

    /// <summary>An int64 array from values (copied); PyTorch stores integer tensors such as counters this way.</summary>
    public static NamedArray FromInt64s(string name, ReadOnlySpan<int> shape, ReadOnlySpan<long> values)
    {
        var b = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(8 * i), values[i]);
        return new NamedArray(name, SafeTensorsDType.I64, shape, b);
    }

    /// <summary>An int32 array from values (copied).</summary>
    public static NamedArray FromInt32s(string name, ReadOnlySpan<int> shape, ReadOnlySpan<int> values)
    {
        var b = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4 * i), values[i]);
        return new NamedArray(name, SafeTensorsDType.I32, shape, b);
    }

    /// <summary>The elements as float32 (float64 and integers rounded to nearest, F16/BF16 widened exactly, BOOL as 0/1).</summary>
    public float[] ToSingles()
    {
        var r = new float[ElementCount];
        ReadOnlySpan<byte> b = Bytes.Span;
        switch (DType)
        {
            case SafeTensorsDType.F32:
                if (BitConverter.IsLittleEndian) MemoryMarshal.Cast<byte, float>(b).CopyTo(r);
                else for (int i = 0; i < r.Length; i++) r[i] = BinaryPrimitives.ReadSingleLittleEndian(b[(4 * i)..]);
                break;
            case SafeTensorsDType.BF16:
                for (int i = 0; i < r.Length; i++) r[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b[(2 * i)..]) << 16);
                break;
            default:
                var d = ToDoubles();
                for (int i = 0; i < r.Length; i++) r[i] = (float)d[i];
                break;
        }
        return r;
    }

    /// <summary>The elements as float64 (exact for every type except I64 beyond 2⁵³).</summary>
    public double[] ToDoubles()
    {
        var r = new double[ElementCount];
        ReadOnlySpan<byte> b = Bytes.Span;
        for (int i = 0; i < r.Length; i++)
            r[i] = DType switch
            {
                SafeTensorsDType.F64 => BinaryPrimitives.ReadDoubleLittleEndian(b[(8 * i)..]),
                SafeTensorsDType.F32 => BinaryPrimitives.ReadSingleLittleEndian(b[(4 * i)..]),
                SafeTensorsDType.F16 => (double)BinaryPrimitives.ReadHalfLittleEndian(b[(2 * i)..]),
                SafeTensorsDType.BF16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b[(2 * i)..]) << 16),
                SafeTensorsDType.I64 => BinaryPrimitives.ReadInt64LittleEndian(b[(8 * i)..]),
                SafeTensorsDType.I32 => BinaryPrimitives.ReadInt32LittleEndian(b[(4 * i)..]),
                SafeTensorsDType.U8 => b[i],
                SafeTensorsDType.BOOL => b[i] != 0 ? 1 : 0,
                _ => throw new InvalidOperationException($"unhandled dtype {DType}"),
            };
        return r;
    }

    /// <summary>The elements as int64; only for integer and boolean types (floating types would silently truncate).</summary>
    public long[] ToInt64s()
    {
        var r = new long[ElementCount];
        ReadOnlySpan<byte> b = Bytes.Span;
        for (int i = 0; i < r.Length; i++)
            r[i] = DType switch
            {
                SafeTensorsDType.I64 => BinaryPrimitives.ReadInt64LittleEndian(b[(8 * i)..]),
                SafeTensorsDType.I32 => BinaryPrimitives.ReadInt32LittleEndian(b[(4 * i)..]),
                SafeTensorsDType.U8 => b[i],
                SafeTensorsDType.BOOL => b[i] != 0 ? 1 : 0,
                _ => throw new GeometrizeException($"array '{Name}' holds {DType} values, not integers; read it with ToSingles or ToDoubles."),
            };
        return r;
    }

    /// <summary>Size in bytes of one element of <paramref name="dtype"/>.</summary>
    public static int SizeOf(SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.BOOL or SafeTensorsDType.U8 => 1,
        SafeTensorsDType.F16 or SafeTensorsDType.BF16 => 2,
        SafeTensorsDType.I32 or SafeTensorsDType.F32 => 4,
        SafeTensorsDType.I64 or SafeTensorsDType.F64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {DType}[{string.Join(',', _shape)}]";

    /// <summary>Product of the extents with overflow and sign checks; <paramref name="error"/> says what is wrong.</summary>
    internal static long CheckedCount(ReadOnlySpan<int> shape, out string? error)
    {
        error = null;
        long count = 1;
        foreach (int e in shape)
        {
            if (e < 0) { error = $"extent {e} is negative."; return 0; }
            if (e != 0 && count > Array.MaxLength / e) { error = $"shape [{string.Join(',', shape.ToArray())}] holds more elements than one array can."; return 0; }
            count *= e;
        }
        return count;
    }
}
