using System.Buffers.Binary;
using System.IO.Compression;
using Geometrize.Imaging;
using Geometrize.Imaging.Nifti;

namespace Geometrize.Tests.Imaging;

/// <summary>
/// Byte-level NIfTI-1/NIfTI-2 header builder written from the standard's field table, independent of the
/// library's encoder, so that reading is tested against files the library did not write.
/// </summary>
internal sealed class NiftiBytes
{
    private readonly byte[] _b;
    private readonly bool _be;
    public int Version { get; }

    public NiftiBytes(int version, bool bigEndian, bool single = true)
    {
        Version = version;
        _be = bigEndian;
        _b = new byte[version == 1 ? 352 : 544];
        I32(0, version == 1 ? 348 : 540);
        if (version == 1) (single ? "n+1\0"u8 : "ni1\0"u8).CopyTo(_b.AsSpan(344));
        else (single ? "n+2\0\r\n\u001a\n"u8 : "ni2\0\r\n\u001a\n"u8).CopyTo(_b.AsSpan(4));
        VoxOffset(single ? _b.Length : 0);
        Slope(1, 0);
    }

    public byte[] Bytes => _b;
    public void I16(int at, short v) { if (_be) BinaryPrimitives.WriteInt16BigEndian(_b.AsSpan(at), v); else BinaryPrimitives.WriteInt16LittleEndian(_b.AsSpan(at), v); }
    public void I32(int at, int v) { if (_be) BinaryPrimitives.WriteInt32BigEndian(_b.AsSpan(at), v); else BinaryPrimitives.WriteInt32LittleEndian(_b.AsSpan(at), v); }
    public void I64(int at, long v) { if (_be) BinaryPrimitives.WriteInt64BigEndian(_b.AsSpan(at), v); else BinaryPrimitives.WriteInt64LittleEndian(_b.AsSpan(at), v); }
    public void F32(int at, float v) { if (_be) BinaryPrimitives.WriteSingleBigEndian(_b.AsSpan(at), v); else BinaryPrimitives.WriteSingleLittleEndian(_b.AsSpan(at), v); }
    public void F64(int at, double v) { if (_be) BinaryPrimitives.WriteDoubleBigEndian(_b.AsSpan(at), v); else BinaryPrimitives.WriteDoubleLittleEndian(_b.AsSpan(at), v); }

    public NiftiBytes Dims(params long[] dims)
    {
        for (int i = 0; i < 8; i++)
        {
            long v = i == 0 ? dims.Length : i <= dims.Length ? dims[i - 1] : 1;
            if (Version == 1) I16(40 + 2 * i, (short)v); else I64(16 + 8 * i, v);
        }
        return this;
    }

    public NiftiBytes Type(short code, short bitpix)
    {
        if (Version == 1) { I16(70, code); I16(72, bitpix); } else { I16(12, code); I16(14, bitpix); }
        return this;
    }

    public NiftiBytes PixDim(params double[] p)
    {
        for (int i = 0; i < p.Length; i++)
            if (Version == 1) F32(76 + 4 * i, (float)p[i]); else F64(104 + 8 * i, p[i]);
        return this;
    }

    public NiftiBytes VoxOffset(long v) { if (Version == 1) F32(108, v); else I64(168, v); return this; }

    public NiftiBytes Slope(double slope, double inter)
    {
        if (Version == 1) { F32(112, (float)slope); F32(116, (float)inter); } else { F64(176, slope); F64(184, inter); }
        return this;
    }

    public NiftiBytes Intent(int code) { if (Version == 1) I16(68, (short)code); else I32(504, code); return this; }

    public NiftiBytes Qform(int code, double b, double c, double d, double ox, double oy, double oz)
    {
        double[] v = [b, c, d, ox, oy, oz];
        if (Version == 1) { I16(252, (short)code); for (int i = 0; i < 6; i++) F32(256 + 4 * i, (float)v[i]); }
        else { I32(344, code); for (int i = 0; i < 6; i++) F64(352 + 8 * i, v[i]); }
        return this;
    }

    public NiftiBytes Sform(int code, params double[] rows)
    {
        if (Version == 1) { I16(254, (short)code); for (int i = 0; i < 12; i++) F32(280 + 4 * i, (float)rows[i]); }
        else { I32(348, code); for (int i = 0; i < 12; i++) F64(400 + 8 * i, rows[i]); }
        return this;
    }

    public byte[] With(byte[] data) => [.. _b, .. data];
}

public class NiftiTests
{
    private static readonly PixelType[] StoredTypes =
        [PixelType.UInt8, PixelType.Int8, PixelType.Int16, PixelType.UInt16, PixelType.Int32, PixelType.UInt32,
         PixelType.Int64, PixelType.UInt64, PixelType.Float32, PixelType.Float64];

    public static TheoryData<PixelType, int, string> RoundTripCases()
    {
        var d = new TheoryData<PixelType, int, string>();
        foreach (var t in StoredTypes)
            foreach (int dim in new[] { 2, 3 })
                foreach (string ext in new[] { ".nii", ".nii.gz", ".hdr", ".img.gz" })
                    d.Add(t, dim, ext);
        return d;
    }

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void RoundTripKeepsValuesGeometryAndType(PixelType type, int dim, string ext)
    {
        using var tmp = new TempDir();
        var img = ImageSamples.Make(dim, type, seed: (int)type * 10 + dim);
        string path = tmp.File("img" + ext);
        ImageIO.Write(img, path, new ImageWriteOptions { PixelType = type });
        var back = ImageIO.Read(path);
        ImageSamples.AssertSame(img, back);
        Assert.Equal(type, back.SourceType);
        Assert.Equal(dim, back.Dimension);
    }

    [Fact]
    public void DefaultTypeIsFloat32AndGzipIsCompressed()
    {
        using var tmp = new TempDir();
        var img = ImageSamples.Make(3, PixelType.UInt8);
        ImageIO.Write(img, tmp.File("a.nii.gz"));
        byte[] file = File.ReadAllBytes(tmp.File("a.nii.gz"));
        Assert.Equal(new byte[] { 0x1f, 0x8b }, file[..2]);
        using var gz = new GZipStream(new MemoryStream(file), CompressionMode.Decompress);
        var raw = new MemoryStream();
        gz.CopyTo(raw);
        var b = raw.ToArray();
        Assert.Equal(352 + img.Data.Length * 4, b.Length);
        Assert.Equal(16, BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(70)));
        Assert.Equal(2, b[123]); // xyzt_units: mm
        Assert.Equal(PixelType.Float32, ImageIO.Read(tmp.File("a.nii.gz")).SourceType);
    }

    [Fact]
    public void TwoDImagesAreWrittenWithDim0Two()
    {
        using var tmp = new TempDir();
        ImageIO.Write(ImageSamples.Make(2, PixelType.Float32), tmp.File("a.nii"));
        var b = File.ReadAllBytes(tmp.File("a.nii"));
        Assert.Equal(2, BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(40)));
        Assert.Equal(1, BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(46)));
    }

    [Theory]
    [InlineData(3, 3)]
    [InlineData(2, 2)]
    public void VectorImagesUseTheItkDisplacementLayout(int dim, int comps)
    {
        using var tmp = new TempDir();
        var img = ImageSamples.Make(dim, PixelType.Float32, comps, seed: 7);
        string path = tmp.File("disp.nii.gz");
        ImageIO.Write(img, path);
        using (var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress))
        {
            var h = new byte[348];
            gz.ReadExactly(h);
            short[] dims = Enumerable.Range(0, 8).Select(i => BinaryPrimitives.ReadInt16LittleEndian(h.AsSpan(40 + 2 * i))).ToArray();
            Assert.Equal(new short[] { 5, (short)img.Geometry.Nx, (short)img.Geometry.Ny, (short)img.Geometry.Nz, 1, (short)comps, 1, 1 }, dims);
            Assert.Equal(1007, BinaryPrimitives.ReadInt16LittleEndian(h.AsSpan(68)));
        }
        var back = ImageIO.Read(path);
        ImageSamples.AssertSame(img, back);
    }

    [Fact]
    public void QformAloneGivesTheSameGeometryAsSform()
    {
        using var tmp = new TempDir();
        foreach (bool reflect in new[] { false, true })
        {
            var r = ImageSamples.RotationMatrix(2.5, [-1, 0.5, 2]);
            if (reflect) for (int i = 0; i < 3; i++) r[3 * i + 1] = -r[3 * i + 1];
            var g = new Geometrize.Numerics.ImageGeometry([4, 3, 2], [0.5, 1.5, 2.5], [10, -20, 30], r);
            var img = new Image(g, new float[g.Count]);
            string path = tmp.File("q.nii");
            ImageIO.Write(img, path);
            var b = File.ReadAllBytes(path);
            Assert.Equal(reflect ? -1f : 1f, BinaryPrimitives.ReadSingleLittleEndian(b.AsSpan(76)));
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(254), 0); // sform_code = 0
            File.WriteAllBytes(path, b);
            var back = ImageIO.Read(path);
            Assert.True(g.IsSameGrid(back.Geometry, 1e-5), $"{back.Geometry} vs {g}");
            for (int i = 0; i < 9; i++) Assert.Equal(r[i], back.Geometry.Direction[i], 5);
        }
    }

    [SkippableFact]
    public void ReadsTheItkT1Volume()
    {
        string path = TestData.Require("itk/KmeansTest_T1RawSkullStrip.nii.gz");
        var img = ImageIO.Read(path);
        Assert.Equal(new[] { 128, 128, 62 }, img.Geometry.Size.ToArray());
        Assert.Equal(new[] { 2.0, 2.0, 3.0 }, img.Geometry.Spacing.ToArray());
        // Header: sform rows (-2,0,0,0), (0,0,3,-254), (0,2,0,0) in RAS → LPS negates the first two rows.
        Assert.Equal(new[] { 0.0, 254.0, 0.0 }, img.Geometry.Origin.ToArray());
        double[] dir = [1, 0, 0, 0, 0, -1, 0, 1, 0];
        for (int i = 0; i < 9; i++) Assert.Equal(dir[i], img.Geometry.Direction[i], 6);
        Assert.Equal(PixelType.UInt8, img.SourceType);
        // Voxels against the raw bytes after the 352-byte prefix.
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var all = new MemoryStream();
        gz.CopyTo(all);
        byte[] raw = all.ToArray()[352..];
        Assert.Equal(raw.Length, img.Data.Length);
        for (int i = 0; i < raw.Length; i++) Assert.Equal(raw[i], img.Data[i]);
        Assert.True(img.Statistics().Max > 0);

        // The qform (quaternion b=0, c=d=√½, a 180° rotation) gives the same geometry when the sform is dropped.
        using var tmp = new TempDir();
        var bytes = all.ToArray();
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(254), 0);
        File.WriteAllBytes(tmp.File("q.nii"), bytes);
        Assert.True(img.Geometry.IsSameGrid(ImageIO.Read(tmp.File("q.nii")).Geometry, 1e-6));
    }

    [Fact]
    public void ReadsHandBuiltNifti2()
    {
        using var tmp = new TempDir();
        var h = new NiftiBytes(2, bigEndian: false).Dims(3, 2, 2).Type(64, 64).PixDim(1, 1, 1, 1)
            .Sform(2, 0, 0, 2.5, 7, -1.5, 0, 0, 8, 0, 3, 0, 9);
        var data = new byte[12 * 8];
        for (int i = 0; i < 12; i++) BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8 * i), i * 1.25 - 3);
        File.WriteAllBytes(tmp.File("n2.nii"), h.With(data));
        var img = ImageIO.Read(tmp.File("n2.nii"));
        Assert.Equal(new[] { 3, 2, 2 }, img.Geometry.Size.ToArray());
        Assert.Equal(new[] { 1.5, 3.0, 2.5 }, img.Geometry.Spacing.ToArray());
        Assert.Equal(new[] { -7.0, -8.0, 9.0 }, img.Geometry.Origin.ToArray());
        // Axis 0 → -y (RAS) → +P (LPS); axis 1 → +S; axis 2 → +R → -L.
        Assert.Equal(new[] { 0.0, 0, -1, 1, 0, 0, 0, 1, 0 }, img.Geometry.Direction.ToArray());
        for (int i = 0; i < 12; i++) Assert.Equal((float)(i * 1.25 - 3), img.Data[i]);
        Assert.Equal(PixelType.Float64, img.SourceType);
    }

    [Fact]
    public void ReadsHandBuiltBigEndianNifti1WithQformAndScaling()
    {
        using var tmp = new TempDir();
        // 90° about z: quaternion (a, b, c, d) = (√½, 0, 0, √½).
        double q = Math.Sqrt(0.5);
        var h = new NiftiBytes(1, bigEndian: true).Dims(2, 3, 2).Type(4, 16).PixDim(-1, 2, 3, 4)
            .Qform(1, 0, 0, q, 5, 6, 7).Slope(0.5, 10);
        var data = new byte[12 * 2];
        for (int i = 0; i < 12; i++) BinaryPrimitives.WriteInt16BigEndian(data.AsSpan(2 * i), (short)(i * 100 - 600));
        File.WriteAllBytes(tmp.File("be.nii"), h.With(data));
        var img = ImageIO.Read(tmp.File("be.nii"));
        Assert.Equal(new[] { 2, 3, 2 }, img.Geometry.Size.ToArray());
        double[] spacing = [2, 3, 4], origin = [-5, -6, 7];
        for (int a = 0; a < 3; a++) { Assert.Equal(spacing[a], img.Geometry.Spacing[a], 6); Assert.Equal(origin[a], img.Geometry.Origin[a], 6); }
        // RAS rotation [[0,-1,0],[1,0,0],[0,0,1]] with qfac -1 → third column (0,0,-1); LPS negates rows 0 and 1.
        double[] expected = [0, 1, 0, -1, 0, 0, 0, 0, -1];
        for (int i = 0; i < 9; i++) Assert.Equal(expected[i], img.Geometry.Direction[i], 6);
        for (int i = 0; i < 12; i++) Assert.Equal((i * 100 - 600) * 0.5f + 10, img.Data[i]);
        Assert.Equal(PixelType.Float32, img.SourceType);
    }

    [Fact]
    public void ZeroSlopeMeansNoScalingAndNoOrientationMeansPixdimOnly()
    {
        using var tmp = new TempDir();
        var h = new NiftiBytes(1, false).Dims(2, 2, 1).Type(2, 8).PixDim(0, 1.5, 2.5, 3.5).Slope(0, 100);
        File.WriteAllBytes(tmp.File("a.nii"), h.With([1, 2, 3, 4]));
        var img = ImageIO.Read(tmp.File("a.nii"));
        Assert.Equal(new float[] { 1, 2, 3, 4 }, img.Data);
        Assert.Equal(PixelType.UInt8, img.SourceType);
        // dim[3] = 1 with an axis-aligned affine → read as 2-D; RAS x,y → LPS flips both axes.
        Assert.Equal(2, img.Dimension);
        Assert.Equal(new[] { 1.5, 2.5 }, img.Geometry.Spacing.ToArray());
        Assert.Equal(new[] { -1.0, 0, 0, -1 }, img.Geometry.Direction.ToArray());
    }

    [Fact]
    public void ObliqueSingleSliceStaysThreeDimensional()
    {
        using var tmp = new TempDir();
        double c = Math.Cos(0.3), s = Math.Sin(0.3);
        // Axis 0 tilts out of the x-y plane, so the slice cannot be flattened to 2-D.
        var h = new NiftiBytes(1, false).Dims(2, 2, 1).Type(2, 8).PixDim(1, 1, 1, 1).Sform(1, c, 0, -s, 0, 0, 1, 0, 0, s, 0, c, 0);
        File.WriteAllBytes(tmp.File("a.nii"), h.With([1, 2, 3, 4]));
        var img = ImageIO.Read(tmp.File("a.nii"));
        Assert.Equal(3, img.Dimension);
        Assert.Equal(1, img.Geometry.Nz);
    }

    [Fact]
    public void RgbIsReadAsLumaAndFourDIsMultiComponent()
    {
        using var tmp = new TempDir();
        var rgb = new NiftiBytes(1, false).Dims(2, 1).Type(128, 24).PixDim(1, 1, 1);
        File.WriteAllBytes(tmp.File("rgb.nii"), rgb.With([255, 0, 0, 10, 20, 200]));
        var img = ImageIO.Read(tmp.File("rgb.nii"));
        Assert.Equal(0.299f * 255, img.Data[0], 3);
        Assert.Equal(0.299f * 10 + 0.587f * 20 + 0.114f * 200, img.Data[1], 3);

        var t = new NiftiBytes(1, false).Dims(2, 2, 1, 3).Type(2, 8).PixDim(1, 1, 1, 1, 1);
        File.WriteAllBytes(tmp.File("t.nii"), t.With([.. Enumerable.Range(0, 12).Select(i => (byte)i)]));
        var four = ImageIO.Read(tmp.File("t.nii"));
        Assert.Equal(3, four.Components);
        Assert.Equal(2, four.Dimension);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)i), four.Data);
    }

    [Fact]
    public void IntegerWritesRoundAndClamp()
    {
        using var tmp = new TempDir();
        var g = Geometrize.Numerics.ImageGeometry.Create2D(6, 1);
        var img = new Image(g, [-5f, 2.5f, 254.4f, 300f, float.NaN, -2.5f]);
        ImageIO.Write(img, tmp.File("u8.nii"), new ImageWriteOptions { PixelType = PixelType.UInt8 });
        Assert.Equal(new float[] { 0, 3, 254, 255, 0, 0 }, ImageIO.Read(tmp.File("u8.nii")).Data);
        ImageIO.Write(img, tmp.File("i8.nii"), new ImageWriteOptions { PixelType = PixelType.Int8 });
        Assert.Equal(new float[] { -5, 3, 127, 127, 0, -3 }, ImageIO.Read(tmp.File("i8.nii")).Data);
    }

    [Fact]
    public void HeaderImagePairNeedsBothFiles()
    {
        using var tmp = new TempDir();
        var img = ImageSamples.Make(3, PixelType.Int16);
        ImageIO.Write(img, tmp.File("p.hdr"), new ImageWriteOptions { PixelType = PixelType.Int16 });
        Assert.Equal(348, new FileInfo(tmp.File("p.hdr")).Length);
        Assert.Equal(img.Data.Length * 2, new FileInfo(tmp.File("p.img")).Length);
        ImageSamples.AssertSame(img, ImageIO.Read(tmp.File("p.img")));
        File.Delete(tmp.File("p.img"));
        var e = Assert.Throws<ImageFormatException>(() => ImageIO.Read(tmp.File("p.hdr")));
        Assert.Contains("p.img", e.Message);
    }

    [Fact]
    public void FormatIsRegisteredForAllNiftiNames()
    {
        foreach (var n in new[] { "a.nii", "a.NII.GZ", "a.hdr", "a.img", "a.hdr.gz" })
            Assert.IsType<NiftiFormat>(ImageIO.FormatFor(n));
    }
}
