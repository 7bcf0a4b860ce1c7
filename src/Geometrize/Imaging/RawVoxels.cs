using System.Buffers.Binary;

namespace Geometrize.Imaging;

/// <summary>
/// Raw voxel blocks shared by the NIfTI and MetaImage codecs: bounded reading (a header's size claim is never
/// trusted before the bytes have arrived), decoding any <see cref="PixelType"/> of either byte order to float32,
/// and encoding float32 back with rounding and clamping for integer types.
/// </summary>
internal static class RawVoxels
{
    private const int FirstChunk = 1 << 20;
    private const int CodecChunk = 1 << 14;

    /// <summary>
    /// Checks a claimed voxel count (values × components) against <see cref="ImageIO.MaxVoxels"/> and the largest
    /// array, and returns the byte count of the block. Overflowing or absurd products fail here, before any allocation.
    /// </summary>
    public static long CheckedByteCount(string file, ReadOnlySpan<long> dims, PixelType type)
    {
        long count = 1;
        long max = Math.Min(ImageIO.MaxVoxels, Array.MaxLength / Math.Max(1, type.SizeOf()));
        foreach (long d in dims)
        {
            if (d < 1) throw new ImageFormatException(file, $"dimension {d} is not positive; the header is corrupt.");
            if (d > max || count > max / d)
                throw new ImageFormatException(file, $"dimensions {string.Join('x', dims.ToArray())} exceed the {max} values Geometrize will allocate; the header is corrupt or the image is too large for this machine.");
            count *= d;
        }
        return count * type.SizeOf();
    }

    /// <summary>
    /// Reads exactly <paramref name="byteCount"/> bytes. When <paramref name="available"/> is known (an uncompressed
    /// file) a short file fails before allocating; otherwise (a decompressing stream) the buffer grows only as data
    /// actually arrives, so a corrupt size claim costs at most about twice the real data.
    /// </summary>
    public static byte[] ReadExactly(Stream s, long byteCount, long? available, string file, string what)
    {
        if (available is long a && a < byteCount)
            throw new ImageFormatException(file, $"{what} is truncated: {byteCount} bytes expected, {Math.Max(0, a)} present.");
        if (byteCount > Array.MaxLength)
            throw new ImageFormatException(file, $"{what} needs {byteCount} bytes, more than one array can hold.");
        int total = (int)byteCount;
        var buf = new byte[available.HasValue ? total : Math.Min(total, FirstChunk)];
        int filled = 0;
        while (filled < total)
        {
            if (filled == buf.Length)
                Array.Resize(ref buf, (int)Math.Min(total, 2L * buf.Length));
            int n = s.Read(buf, filled, buf.Length - filled);
            if (n <= 0)
                throw new ImageFormatException(file, $"{what} is truncated: {byteCount} bytes expected, only {filled} present.");
            filled += n;
        }
        return buf;
    }

    /// <summary>
    /// Decodes <c>dst.Length</c> stored values (RGB24 counts whole pixels and yields BT.601 luma) into float32.
    /// </summary>
    public static void Decode(ReadOnlySpan<byte> src, PixelType type, bool bigEndian, Span<float> dst)
    {
        int n = dst.Length;
        switch (type)
        {
            case PixelType.UInt8: for (int i = 0; i < n; i++) dst[i] = src[i]; break;
            case PixelType.Int8: for (int i = 0; i < n; i++) dst[i] = (sbyte)src[i]; break;
            case PixelType.Rgb24:
                for (int i = 0; i < n; i++)
                    dst[i] = (float)(0.299 * src[3 * i] + 0.587 * src[3 * i + 1] + 0.114 * src[3 * i + 2]);
                break;
            case PixelType.Int16:
                for (int i = 0; i < n; i++)
                {
                    var b = src.Slice(2 * i, 2);
                    dst[i] = bigEndian ? BinaryPrimitives.ReadInt16BigEndian(b) : BinaryPrimitives.ReadInt16LittleEndian(b);
                }
                break;
            case PixelType.UInt16:
                for (int i = 0; i < n; i++)
                {
                    var b = src.Slice(2 * i, 2);
                    dst[i] = bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b);
                }
                break;
            case PixelType.Int32:
                for (int i = 0; i < n; i++)
                {
                    var b = src.Slice(4 * i, 4);
                    dst[i] = bigEndian ? BinaryPrimitives.ReadInt32BigEndian(b) : BinaryPrimitives.ReadInt32LittleEndian(b);
                }
                break;
            case PixelType.UInt32:
                for (int i = 0; i < n; i++)
                {
                    var b = src.Slice(4 * i, 4);
                    dst[i] = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);
                }
                break;
            case PixelType.Int64:
                for (int i = 0; i < n; i++)
                {
                    var b = src.Slice(8 * i, 8);
                    dst[i] = bigEndian ? BinaryPrimitives.ReadInt64BigEndian(b) : BinaryPrimitives.ReadInt64LittleEndian(b);
                }
                break;
            case PixelType.UInt64:
                for (int i = 0; i < n; i++)
                {
                    var b = src.Slice(8 * i, 8);
                    dst[i] = bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b);
                }
                break;
            case PixelType.Float32:
                for (int i = 0; i < n; i++)
                {
                    var b = src.Slice(4 * i, 4);
                    dst[i] = bigEndian ? BinaryPrimitives.ReadSingleBigEndian(b) : BinaryPrimitives.ReadSingleLittleEndian(b);
                }
                break;
            case PixelType.Float64:
                for (int i = 0; i < n; i++)
                {
                    var b = src.Slice(8 * i, 8);
                    dst[i] = (float)(bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(b) : BinaryPrimitives.ReadDoubleLittleEndian(b));
                }
                break;
            default: throw new ArgumentOutOfRangeException(nameof(type));
        }
    }

    /// <summary>Decodes a whole block into a new float array of <paramref name="count"/> values.</summary>
    public static float[] Decode(byte[] raw, long count, PixelType type, bool bigEndian)
    {
        var dst = new float[count];
        Decode(raw, type, bigEndian, dst);
        return dst;
    }

    /// <summary>
    /// Writes <paramref name="values"/> as <paramref name="type"/>. Integer types get values rounded half away from
    /// zero and clamped to the type's range (NaN becomes 0); RGB24 stores the value as gray in all three channels.
    /// Works through a small reused buffer so that large images are not duplicated in memory.
    /// </summary>
    public static void Write(Stream s, ReadOnlySpan<float> values, PixelType type, bool bigEndian)
    {
        int size = type.SizeOf();
        var buf = new byte[CodecChunk * size];
        for (int start = 0; start < values.Length; start += CodecChunk)
        {
            var chunk = values.Slice(start, Math.Min(CodecChunk, values.Length - start));
            Encode(chunk, type, bigEndian, buf);
            s.Write(buf, 0, chunk.Length * size);
        }
    }

    private static double Clamp(float v, double lo, double hi)
    {
        if (float.IsNaN(v)) return 0;
        double r = Math.Round((double)v, MidpointRounding.AwayFromZero);
        return r < lo ? lo : r > hi ? hi : r;
    }

    private static void Encode(ReadOnlySpan<float> src, PixelType type, bool be, Span<byte> dst)
    {
        int n = src.Length;
        switch (type)
        {
            case PixelType.UInt8: for (int i = 0; i < n; i++) dst[i] = (byte)Clamp(src[i], 0, 255); break;
            case PixelType.Int8: for (int i = 0; i < n; i++) dst[i] = (byte)(sbyte)Clamp(src[i], -128, 127); break;
            case PixelType.Rgb24:
                for (int i = 0; i < n; i++) dst[3 * i] = dst[3 * i + 1] = dst[3 * i + 2] = (byte)Clamp(src[i], 0, 255);
                break;
            case PixelType.Int16:
                for (int i = 0; i < n; i++)
                {
                    short v = (short)Clamp(src[i], short.MinValue, short.MaxValue);
                    if (be) BinaryPrimitives.WriteInt16BigEndian(dst.Slice(2 * i), v); else BinaryPrimitives.WriteInt16LittleEndian(dst.Slice(2 * i), v);
                }
                break;
            case PixelType.UInt16:
                for (int i = 0; i < n; i++)
                {
                    ushort v = (ushort)Clamp(src[i], 0, ushort.MaxValue);
                    if (be) BinaryPrimitives.WriteUInt16BigEndian(dst.Slice(2 * i), v); else BinaryPrimitives.WriteUInt16LittleEndian(dst.Slice(2 * i), v);
                }
                break;
            case PixelType.Int32:
                for (int i = 0; i < n; i++)
                {
                    int v = (int)Clamp(src[i], int.MinValue, int.MaxValue);
                    if (be) BinaryPrimitives.WriteInt32BigEndian(dst.Slice(4 * i), v); else BinaryPrimitives.WriteInt32LittleEndian(dst.Slice(4 * i), v);
                }
                break;
            case PixelType.UInt32:
                for (int i = 0; i < n; i++)
                {
                    uint v = (uint)Clamp(src[i], 0, uint.MaxValue);
                    if (be) BinaryPrimitives.WriteUInt32BigEndian(dst.Slice(4 * i), v); else BinaryPrimitives.WriteUInt32LittleEndian(dst.Slice(4 * i), v);
                }
                break;
            case PixelType.Int64:
                for (int i = 0; i < n; i++)
                {
                    // 2^63 is exactly representable; anything at or above it saturates (a double cast would overflow).
                    double d = Clamp(src[i], -9.2233720368547758E18, 9.2233720368547758E18);
                    long v = d >= 9.2233720368547758E18 ? long.MaxValue : (long)d;
                    if (be) BinaryPrimitives.WriteInt64BigEndian(dst.Slice(8 * i), v); else BinaryPrimitives.WriteInt64LittleEndian(dst.Slice(8 * i), v);
                }
                break;
            case PixelType.UInt64:
                for (int i = 0; i < n; i++)
                {
                    double d = Clamp(src[i], 0, 1.8446744073709552E19);
                    ulong v = d >= 1.8446744073709552E19 ? ulong.MaxValue : (ulong)d;
                    if (be) BinaryPrimitives.WriteUInt64BigEndian(dst.Slice(8 * i), v); else BinaryPrimitives.WriteUInt64LittleEndian(dst.Slice(8 * i), v);
                }
                break;
            case PixelType.Float32:
                for (int i = 0; i < n; i++)
                    if (be) BinaryPrimitives.WriteSingleBigEndian(dst.Slice(4 * i), src[i]); else BinaryPrimitives.WriteSingleLittleEndian(dst.Slice(4 * i), src[i]);
                break;
            case PixelType.Float64:
                for (int i = 0; i < n; i++)
                    if (be) BinaryPrimitives.WriteDoubleBigEndian(dst.Slice(8 * i), src[i]); else BinaryPrimitives.WriteDoubleLittleEndian(dst.Slice(8 * i), src[i]);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(type));
        }
    }

    /// <summary>
    /// Runs a reader body and turns the exceptions a corrupt or unreadable file can cause (I/O errors, bad
    /// compressed data, a geometry the core rejects) into <see cref="ImageFormatException"/> naming the file.
    /// </summary>
    public static T Guard<T>(string file, Func<T> read)
    {
        try { return read(); }
        catch (ImageFormatException) { throw; }
        catch (GeometrizeException e) { throw new ImageFormatException(file, e.Message, e); }
        catch (FileNotFoundException e) { throw new ImageFormatException(file, $"file not found ({e.FileName ?? file}).", e); }
        catch (DirectoryNotFoundException e) { throw new ImageFormatException(file, $"folder not found: {e.Message}", e); }
        catch (InvalidDataException e) { throw new ImageFormatException(file, $"corrupt compressed data ({e.Message}).", e); }
        catch (IOException e) { throw new ImageFormatException(file, $"cannot read: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new ImageFormatException(file, "cannot read (permission denied).", e); }
    }
}
