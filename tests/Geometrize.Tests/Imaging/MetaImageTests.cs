using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Geometrize.Imaging;
using Geometrize.Imaging.MetaImage;

namespace Geometrize.Tests.Imaging;

public class MetaImageTests
{
    private static readonly PixelType[] StoredTypes =
        [PixelType.UInt8, PixelType.Int8, PixelType.Int16, PixelType.UInt16, PixelType.Int32, PixelType.UInt32,
         PixelType.Int64, PixelType.UInt64, PixelType.Float32, PixelType.Float64];

    public static TheoryData<PixelType, int, string, bool> RoundTripCases()
    {
        var d = new TheoryData<PixelType, int, string, bool>();
        foreach (var t in StoredTypes)
            foreach (int dim in new[] { 2, 3 })
                foreach (string ext in new[] { ".mha", ".mhd" })
                    foreach (bool z in new[] { false, true })
                        d.Add(t, dim, ext, z);
        return d;
    }

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void RoundTripKeepsValuesGeometryAndType(PixelType type, int dim, string ext, bool compress)
    {
        using var tmp = new TempDir();
        var img = ImageSamples.Make(dim, type, seed: (int)type * 10 + dim);
        string path = tmp.File("img" + ext);
        ImageIO.Write(img, path, new ImageWriteOptions { PixelType = type, Compress = compress });
        if (ext == ".mhd") Assert.True(File.Exists(tmp.File(compress ? "img.zraw" : "img.raw")));
        var back = ImageIO.Read(path);
        ImageSamples.AssertSame(img, back, 1e-12);
        Assert.Equal(type, back.SourceType);
    }

    [Theory]
    [InlineData(".mha", false)]
    [InlineData(".mhd", true)]
    public void VectorImagesAreInterleavedOnDisk(string ext, bool compress)
    {
        using var tmp = new TempDir();
        var img = ImageSamples.Make(3, PixelType.Float32, 3, seed: 3);
        string path = tmp.File("v" + ext);
        ImageIO.Write(img, path, new ImageWriteOptions { Compress = compress });
        ImageSamples.AssertSame(img, ImageIO.Read(path), 1e-12);
        string header = File.ReadAllText(path, Encoding.ASCII);
        Assert.Contains("ElementNumberOfChannels = 3", header);
        if (ext == ".mhd")
        {
            using var z = new ZLibStream(File.OpenRead(tmp.File("v.zraw")), CompressionMode.Decompress);
            var raw = new MemoryStream();
            z.CopyTo(raw);
            var b = raw.ToArray();
            int n = img.Geometry.Count;
            // Voxel 1, component 2 is the 6th float on disk.
            Assert.Equal(img.Data[2 * n + 1], BinaryPrimitives.ReadSingleLittleEndian(b.AsSpan(4 * (1 * 3 + 2))));
        }
    }

    [SkippableFact]
    public void ReadsBorder20AndItsCompressedRotatedTwin()
    {
        string plain = TestData.Require("itk/BrainProtonDensitySliceBorder20.mhd");
        string rotated = TestData.Require("itk/BrainProtonDensitySliceBorder20DirectionPlus30.mhd");
        var a = ImageIO.Read(plain);
        var b = ImageIO.Read(rotated);
        Assert.Equal(new[] { 221, 257 }, a.Geometry.Size.ToArray());
        Assert.Equal(new[] { 1.0, 1.0 }, a.Geometry.Spacing.ToArray());
        Assert.Equal(new[] { 0.0, 0.0 }, a.Geometry.Origin.ToArray());
        Assert.True(a.Geometry.IsAxisAligned);
        Assert.Equal(PixelType.UInt8, a.SourceType);
        Assert.Equal(File.ReadAllBytes(Path.ChangeExtension(plain, ".raw")).Select(x => (float)x), a.Data);
        // Compressed (.zraw) and uncompressed files hold identical voxels.
        Assert.Equal(a.Data, b.Data);
        // TransformMatrix "0.866 0.5 -0.5 0.866" lists axis directions: axis 0 = (cos30, sin30), a +30° rotation.
        double c = Math.Cos(Math.PI / 6), s = Math.Sin(Math.PI / 6);
        double[] expected = [c, -s, s, c];
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], b.Geometry.Direction[i], 6);
    }

    [SkippableFact]
    public void ShiftedSliceIsBorder20MovedBy13And17()
    {
        var a = ImageIO.Read(TestData.Require("itk/BrainProtonDensitySliceBorder20.mhd"));
        var s = ImageIO.Read(TestData.Require("itk/BrainProtonDensitySliceShifted13x17y.mhd"));
        Assert.True(a.Geometry.IsSameGrid(s.Geometry));
        int nx = a.Geometry.Nx, ny = a.Geometry.Ny;
        for (int y = 17; y < ny; y++)
            for (int x = 13; x < nx; x++)
                Assert.Equal(a.Data[(x - 13) + nx * (y - 17)], s.Data[x + nx * y]);
    }

    [SkippableFact]
    public void ReadsThreeSliceMhaWithExternalData()
    {
        string path = TestData.Require("itk/BrainProtonDensity3Slices.mha");
        var img = ImageIO.Read(path);
        Assert.Equal(new[] { 181, 217, 3 }, img.Geometry.Size.ToArray());
        Assert.Equal(new[] { 1.0, 1.0, 1.0 }, img.Geometry.Spacing.ToArray());
        Assert.Equal(File.ReadAllBytes(Path.ChangeExtension(path, ".raw")).Select(x => (float)x), img.Data);
    }

    [Fact]
    public void ReadsHandWrittenHeaderVariants()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.File("sub"));
        // Big-endian MET_LONG (4 bytes), ElementSize instead of spacing, Origin alias, data in a subfolder after a
        // 5-byte preamble.
        var data = new byte[5 + 6 * 4];
        for (int i = 0; i < 6; i++) BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(5 + 4 * i), -70000 + i * 1000);
        File.WriteAllBytes(tmp.File("sub/d.bin"), data);
        File.WriteAllText(tmp.File("h.mhd"),
            "NDims = 2\nDimSize = 3 2\nElementSize = 0.5 4\nOrigin = 1 -2\nElementByteOrderMSB = True\n" +
            "HeaderSize = 5\nElementType = MET_LONG\nElementDataFile = sub/d.bin\n");
        var img = ImageIO.Read(tmp.File("h.mhd"));
        Assert.Equal(new[] { 0.5, 4 }, img.Geometry.Spacing.ToArray());
        Assert.Equal(new[] { 1.0, -2 }, img.Geometry.Origin.ToArray());
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (float)(-70000 + i * 1000)), img.Data);
        Assert.Equal(PixelType.Int32, img.SourceType);

        // HeaderSize = -1: the data are the last bytes of the file.
        File.WriteAllText(tmp.File("h2.mhd"),
            "ObjectType = Image\r\nNDims = 2\r\nDimSize = 3 2\r\nBinaryDataByteOrderMSB = True\r\nHeaderSize = -1\r\n" +
            "ElementType = MET_INT\r\nElementDataFile = sub/d.bin\r\n");
        Assert.Equal(img.Data, ImageIO.Read(tmp.File("h2.mhd")).Data);
    }

    [Fact]
    public void WritesTransformMatrixAxisByAxis()
    {
        using var tmp = new TempDir();
        var img = ImageSamples.Make(2, PixelType.UInt8);
        ImageIO.Write(img, tmp.File("a.mha"), new ImageWriteOptions { PixelType = PixelType.UInt8 });
        string line = File.ReadAllLines(tmp.File("a.mha")).First(l => l.StartsWith("TransformMatrix"));
        double[] m = line.Split('=')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(double.Parse).ToArray();
        var d = img.Geometry.Direction;
        Assert.Equal(new[] { d[0], d[2], d[1], d[3] }, m);
    }

    [Fact]
    public void FormatIsRegistered()
    {
        Assert.IsType<MetaImageFormat>(ImageIO.FormatFor("x.MHA"));
        Assert.IsType<MetaImageFormat>(ImageIO.FormatFor("x.mhd"));
    }
}
