using System.Buffers.Binary;
using System.Text;

namespace Geometrize.Imaging.Nifti;

/// <summary>
/// The fields of a NIfTI-1 (348-byte) or NIfTI-2 (540-byte) header that Geometrize uses, held in the wider
/// NIfTI-2 types so that both versions share one code path. Byte order is found from <c>sizeof_hdr</c>.
/// </summary>
internal sealed class NiftiHeader
{
    /// <summary>Size of a NIfTI-1 header.</summary>
    public const int Size1 = 348;
    /// <summary>Size of a NIfTI-2 header.</summary>
    public const int Size2 = 540;

    public int Version { get; set; } = 1;
    public bool BigEndian { get; set; }
    /// <summary>True for <c>n+1</c>/<c>n+2</c> (header and data in one file), false for a <c>.hdr</c>/<c>.img</c> pair.</summary>
    public bool SingleFile { get; set; } = true;
    public long[] Dim { get; } = new long[8];
    public double[] PixDim { get; } = new double[8];
    public int DataType { get; set; }
    public int BitPix { get; set; }
    public double VoxOffset { get; set; }
    public double SclSlope { get; set; }
    public double SclInter { get; set; }
    public int IntentCode { get; set; }
    public int QformCode { get; set; }
    public int SformCode { get; set; }
    public double QuaternB { get; set; }
    public double QuaternC { get; set; }
    public double QuaternD { get; set; }
    public double[] QOffset { get; } = new double[3];
    /// <summary>srow_x, srow_y, srow_z, row-major 3×4.</summary>
    public double[] SRow { get; } = new double[12];
    public int XyztUnits { get; set; }
    public string Description { get; set; } = "";

    /// <summary>Header length in bytes for this version.</summary>
    public int HeaderSize => Version == 1 ? Size1 : Size2;

    /// <summary>Reads and parses a header from the start of <paramref name="s"/>.</summary>
    public static NiftiHeader Read(Stream s, string file)
    {
        Span<byte> buf = stackalloc byte[Size2];
        ReadFully(s, buf[..4], file);
        int le = BinaryPrimitives.ReadInt32LittleEndian(buf), be = BinaryPrimitives.ReadInt32BigEndian(buf);
        var h = new NiftiHeader();
        if (le == Size1 || be == Size1) { h.Version = 1; h.BigEndian = le != Size1; }
        else if (le == Size2 || be == Size2) { h.Version = 2; h.BigEndian = le != Size2; }
        else throw new ImageFormatException(file, $"not a NIfTI file: sizeof_hdr is {le}, expected 348 (NIfTI-1) or 540 (NIfTI-2) in either byte order.");
        ReadFully(s, buf[4..h.HeaderSize], file);
        if (h.Version == 1) h.Parse1(buf[..Size1], file); else h.Parse2(buf[..Size2], file);
        return h;
    }

    private static void ReadFully(Stream s, Span<byte> dst, string file)
    {
        int filled = 0;
        while (filled < dst.Length)
        {
            int n = s.Read(dst[filled..]);
            if (n <= 0) throw new ImageFormatException(file, $"truncated NIfTI header: the file ends after {filled} byte(s) of the header block.");
            filled += n;
        }
    }

    private short I16(ReadOnlySpan<byte> b, int at) => BigEndian ? BinaryPrimitives.ReadInt16BigEndian(b[at..]) : BinaryPrimitives.ReadInt16LittleEndian(b[at..]);
    private int I32(ReadOnlySpan<byte> b, int at) => BigEndian ? BinaryPrimitives.ReadInt32BigEndian(b[at..]) : BinaryPrimitives.ReadInt32LittleEndian(b[at..]);
    private long I64(ReadOnlySpan<byte> b, int at) => BigEndian ? BinaryPrimitives.ReadInt64BigEndian(b[at..]) : BinaryPrimitives.ReadInt64LittleEndian(b[at..]);
    private float F32(ReadOnlySpan<byte> b, int at) => BigEndian ? BinaryPrimitives.ReadSingleBigEndian(b[at..]) : BinaryPrimitives.ReadSingleLittleEndian(b[at..]);
    private double F64(ReadOnlySpan<byte> b, int at) => BigEndian ? BinaryPrimitives.ReadDoubleBigEndian(b[at..]) : BinaryPrimitives.ReadDoubleLittleEndian(b[at..]);

    private static string Text(ReadOnlySpan<byte> b)
    {
        int end = b.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? b : b[..end]);
    }

    private void Parse1(ReadOnlySpan<byte> b, string file)
    {
        ReadOnlySpan<byte> magic = b.Slice(344, 4);
        if (magic.SequenceEqual("n+1\0"u8)) SingleFile = true;
        else if (magic.SequenceEqual("ni1\0"u8)) SingleFile = false;
        else throw new ImageFormatException(file, "wrong NIfTI-1 magic (expected \"n+1\" or \"ni1\"); plain Analyze 7.5 headers are not supported.");
        for (int i = 0; i < 8; i++) Dim[i] = I16(b, 40 + 2 * i);
        IntentCode = I16(b, 68);
        DataType = I16(b, 70);
        BitPix = I16(b, 72);
        for (int i = 0; i < 8; i++) PixDim[i] = F32(b, 76 + 4 * i);
        VoxOffset = F32(b, 108);
        SclSlope = F32(b, 112);
        SclInter = F32(b, 116);
        XyztUnits = b[123];
        Description = Text(b.Slice(148, 80));
        QformCode = I16(b, 252);
        SformCode = I16(b, 254);
        QuaternB = F32(b, 256);
        QuaternC = F32(b, 260);
        QuaternD = F32(b, 264);
        for (int i = 0; i < 3; i++) QOffset[i] = F32(b, 268 + 4 * i);
        for (int i = 0; i < 12; i++) SRow[i] = F32(b, 280 + 4 * i);
    }

    private void Parse2(ReadOnlySpan<byte> b, string file)
    {
        ReadOnlySpan<byte> magic = b.Slice(4, 8);
        if (magic.SequenceEqual("n+2\0\r\n\u001a\n"u8)) SingleFile = true;
        else if (magic.SequenceEqual("ni2\0\r\n\u001a\n"u8)) SingleFile = false;
        else throw new ImageFormatException(file, "wrong NIfTI-2 magic (expected \"n+2\\0\\r\\n\\032\\n\" or \"ni2...\").");
        DataType = I16(b, 12);
        BitPix = I16(b, 14);
        for (int i = 0; i < 8; i++) Dim[i] = I64(b, 16 + 8 * i);
        for (int i = 0; i < 8; i++) PixDim[i] = F64(b, 104 + 8 * i);
        VoxOffset = I64(b, 168);
        SclSlope = F64(b, 176);
        SclInter = F64(b, 184);
        Description = Text(b.Slice(240, 80));
        QformCode = I32(b, 344);
        SformCode = I32(b, 348);
        QuaternB = F64(b, 352);
        QuaternC = F64(b, 360);
        QuaternD = F64(b, 368);
        for (int i = 0; i < 3; i++) QOffset[i] = F64(b, 376 + 8 * i);
        for (int i = 0; i < 12; i++) SRow[i] = F64(b, 400 + 8 * i);
        XyztUnits = I32(b, 500);
        IntentCode = I32(b, 504);
    }

    /// <summary>
    /// Encodes this header as little-endian NIfTI-1 followed by the four-byte extension flag (all zero), i.e.
    /// the 352 bytes that precede the data of a <c>.nii</c> file. Dimensions must fit in int16.
    /// </summary>
    public byte[] EncodeNifti1()
    {
        var b = new byte[Size1 + 4];
        var s = b.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(s, Size1);
        b[38] = (byte)'r'; // "regular", as the Analyze heritage asks
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteInt16LittleEndian(s[(40 + 2 * i)..], checked((short)Dim[i]));
        BinaryPrimitives.WriteInt16LittleEndian(s[68..], checked((short)IntentCode));
        BinaryPrimitives.WriteInt16LittleEndian(s[70..], checked((short)DataType));
        BinaryPrimitives.WriteInt16LittleEndian(s[72..], checked((short)BitPix));
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteSingleLittleEndian(s[(76 + 4 * i)..], (float)PixDim[i]);
        BinaryPrimitives.WriteSingleLittleEndian(s[108..], (float)VoxOffset);
        BinaryPrimitives.WriteSingleLittleEndian(s[112..], (float)SclSlope);
        BinaryPrimitives.WriteSingleLittleEndian(s[116..], (float)SclInter);
        b[123] = (byte)XyztUnits;
        Encoding.ASCII.GetBytes(Description.Length > 79 ? Description[..79] : Description, s.Slice(148, 80));
        BinaryPrimitives.WriteInt16LittleEndian(s[252..], checked((short)QformCode));
        BinaryPrimitives.WriteInt16LittleEndian(s[254..], checked((short)SformCode));
        BinaryPrimitives.WriteSingleLittleEndian(s[256..], (float)QuaternB);
        BinaryPrimitives.WriteSingleLittleEndian(s[260..], (float)QuaternC);
        BinaryPrimitives.WriteSingleLittleEndian(s[264..], (float)QuaternD);
        for (int i = 0; i < 3; i++) BinaryPrimitives.WriteSingleLittleEndian(s[(268 + 4 * i)..], (float)QOffset[i]);
        for (int i = 0; i < 12; i++) BinaryPrimitives.WriteSingleLittleEndian(s[(280 + 4 * i)..], (float)SRow[i]);
        (SingleFile ? "n+1\0"u8 : "ni1\0"u8).CopyTo(s[344..]);
        return b;
    }

    /// <summary>NIfTI datatype code of a pixel type.</summary>
    public static int CodeOf(PixelType t) => t switch
    {
        PixelType.UInt8 => 2,
        PixelType.Int16 => 4,
        PixelType.Int32 => 8,
        PixelType.Float32 => 16,
        PixelType.Float64 => 64,
        PixelType.Rgb24 => 128,
        PixelType.Int8 => 256,
        PixelType.UInt16 => 512,
        PixelType.UInt32 => 768,
        PixelType.Int64 => 1024,
        PixelType.UInt64 => 1280,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>Pixel type of a NIfTI datatype code, or an error naming the unsupported type.</summary>
    public static PixelType TypeOf(int code, string file) => code switch
    {
        2 => PixelType.UInt8,
        4 => PixelType.Int16,
        8 => PixelType.Int32,
        16 => PixelType.Float32,
        64 => PixelType.Float64,
        128 => PixelType.Rgb24,
        256 => PixelType.Int8,
        512 => PixelType.UInt16,
        768 => PixelType.UInt32,
        1024 => PixelType.Int64,
        1280 => PixelType.UInt64,
        1 => throw Unsupported(file, code, "binary (1-bit)"),
        32 => throw Unsupported(file, code, "complex64"),
        1536 => throw Unsupported(file, code, "float128"),
        1792 => throw Unsupported(file, code, "complex128"),
        2048 => throw Unsupported(file, code, "complex256"),
        2304 => throw Unsupported(file, code, "RGBA32"),
        _ => throw Unsupported(file, code, "unknown"),
    };

    private static ImageFormatException Unsupported(string file, int code, string name) =>
        new(file, $"unsupported NIfTI datatype {code} ({name}); Geometrize reads uint8/int8/int16/uint16/int32/uint32/int64/uint64/float32/float64 and RGB24. Convert the image (e.g. to float32) first.");
}
