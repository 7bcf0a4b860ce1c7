using System.Buffers.Binary;
using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Reports;
using Geometrize.Reports.Png;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using GImage = Geometrize.Imaging.Image;
using ImageFormatException = Geometrize.Imaging.ImageFormatException;
using IsImage = SixLabors.ImageSharp.Image;

namespace Geometrize.Tests.Reports;

public sealed class PngTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("geometrize-png-").FullName;

    public PngTests() => GeometrizeReports.RegisterFormats();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Temp(string name) => Path.Combine(_dir, name);

    [SkippableFact]
    public void Border20_MatchesItsRawTwin()
    {
        // The MetaImage twin stores the same slice as raw uchar bytes, x fastest: the PNG must decode to exactly that.
        string png = TestData.Require("itk/BrainProtonDensitySliceBorder20.png");
        byte[] raw = File.ReadAllBytes(TestData.Require("itk/BrainProtonDensitySliceBorder20.raw"));
        var img = ImageIO.Read(png);
        Assert.Equal(2, img.Dimension);
        Assert.Equal(221, img.Geometry.Nx);
        Assert.Equal(257, img.Geometry.Ny);
        Assert.Equal(PixelType.UInt8, img.SourceType);
        Assert.Equal(1, img.Components);
        Assert.Equal(raw.Length, img.Data.Length);
        for (int i = 0; i < raw.Length; i++) Assert.Equal(raw[i], img.Data[i]);
        Assert.Equal([1.0, 1.0], img.Geometry.Spacing.ToArray());
        Assert.Equal([0.0, 0.0], img.Geometry.Origin.ToArray());
        Assert.True(img.Geometry.IsAxisAligned);
    }

    [SkippableFact]
    public void PaletteSlice_IsReadAsGray()
    {
        var img = ImageIO.Read(TestData.Require("itk/BrainProtonDensitySlice.png"));
        Assert.Equal(181, img.Geometry.Nx);
        Assert.Equal(217, img.Geometry.Ny);
        Assert.Equal(PixelType.UInt8, img.SourceType);
        var (min, max, mean) = img.Statistics();
        Assert.Equal(0, min);
        Assert.InRange(max, 200, 255);
        Assert.InRange(mean, 50, 200);
        Assert.All(img.Data, v => Assert.Equal(MathF.Round(v), v));
    }

    [SkippableFact]
    public void Circle_IsBinary()
    {
        var img = ImageIO.Read(TestData.Require("itk/Circle.png"));
        Assert.Equal(100, img.Geometry.Nx);
        Assert.Equal(100, img.Geometry.Ny);
        var distinct = img.Data.Distinct().OrderBy(v => v).ToArray();
        Assert.Equal(2, distinct.Length);
        Assert.Equal(0f, distinct[0]);
        Assert.Equal(0f, img.Data[0]);
        // The disc covers the centre.
        Assert.Equal(distinct[1], img.Data[img.Geometry.Index(50, 50)]);
    }

    [SkippableFact]
    public void BSplinedSlice_HasTheFixedImagesSize()
    {
        var img = ImageIO.Read(TestData.Require("itk/BrainProtonDensitySliceBSplined10.png"));
        Assert.Equal(221, img.Geometry.Nx);
        Assert.Equal(257, img.Geometry.Ny);
        var (min, max, _) = img.Statistics();
        Assert.True(min >= 0 && max <= 255 && max > 100);
    }

    [Fact]
    public void RoundTrip_8Bit_IsExact()
    {
        var rng = new Random(1);
        var g = ImageGeometry.Create2D(37, 23);
        var data = new float[g.Count];
        for (int i = 0; i < data.Length; i++) data[i] = rng.Next(256);
        string p = Temp("a.png");
        ImageIO.Write(new GImage(g, data), p);
        var back = ImageIO.Read(p);
        Assert.Equal(PixelType.UInt8, back.SourceType);
        Assert.Equal(37, back.Geometry.Nx);
        Assert.Equal(23, back.Geometry.Ny);
        Assert.Equal(data, back.Data);
    }

    [Fact]
    public void RoundTrip_16Bit_IsExact()
    {
        var rng = new Random(2);
        var g = ImageGeometry.Create2D(19, 31);
        var data = new float[g.Count];
        for (int i = 0; i < data.Length; i++) data[i] = rng.Next(65536);
        data[0] = 0;
        data[1] = 65535;
        string p = Temp("b.png");
        ImageIO.Write(new GImage(g, data), p, new ImageWriteOptions { PixelType = PixelType.UInt16 });
        var back = ImageIO.Read(p);
        Assert.Equal(PixelType.UInt16, back.SourceType);
        Assert.Equal(data, back.Data);
    }

    [Fact]
    public void Write_RoundsAndClamps()
    {
        float[] values = [-3f, 0.5f, 1.49f, 254.5f, 300f, float.NaN, 127.5f];
        float[] expected = [0, 1, 1, 255, 255, 0, 128];
        string p = Temp("c.png");
        ImageIO.Write(new GImage(ImageGeometry.Create2D(values.Length, 1), values), p);
        Assert.Equal(expected, ImageIO.Read(p).Data);

        float[] big = [-1f, 70000f, 65534.5f, 1000.4f];
        ImageIO.Write(new GImage(ImageGeometry.Create2D(4, 1), big), p, new ImageWriteOptions { PixelType = PixelType.UInt16 });
        Assert.Equal([0f, 65535f, 65535f, 1000f], ImageIO.Read(p).Data);
    }

    [Fact]
    public void Rgb_IsConvertedWithBt601Luma()
    {
        string p = Temp("rgb.png");
        using (var img = new SixLabors.ImageSharp.Image<Rgb24>(5, 1))
        {
            img[0, 0] = new Rgb24(255, 0, 0);
            img[1, 0] = new Rgb24(0, 255, 0);
            img[2, 0] = new Rgb24(0, 0, 255);
            img[3, 0] = new Rgb24(10, 10, 10);
            img[4, 0] = new Rgb24(100, 150, 200);
            img.SaveAsPng(p);
        }
        var back = ImageIO.Read(p);
        Assert.Equal(PixelType.UInt8, back.SourceType);
        // 0.299·255 = 76.2, 0.587·255 = 149.7, 0.114·255 = 29.1, gray exact, 29.9 + 88.05 + 22.8 = 140.75.
        Assert.Equal([76f, 150f, 29f, 10f, 141f], back.Data);
    }

    [Fact]
    public void Rgba64_KeepsSixteenBitPrecision()
    {
        string p = Temp("rgb16.png");
        using (var img = new SixLabors.ImageSharp.Image<Rgba64>(3, 1))
        {
            img[0, 0] = new Rgba64(65535, 0, 0, 65535);
            img[1, 0] = new Rgba64(1000, 1000, 1000, 0);     // alpha is ignored
            img[2, 0] = new Rgba64(257, 40000, 12345, 30000);
            img.SaveAsPng(p, new SixLabors.ImageSharp.Formats.Png.PngEncoder
            {
                ColorType = SixLabors.ImageSharp.Formats.Png.PngColorType.RgbWithAlpha,
                BitDepth = SixLabors.ImageSharp.Formats.Png.PngBitDepth.Bit16,
            });
        }
        var back = ImageIO.Read(p);
        Assert.Equal(PixelType.UInt16, back.SourceType);
        double y2 = 0.299 * 257 + 0.587 * 40000 + 0.114 * 12345; // 24901.173 → 24901
        Assert.Equal([19595f, 1000f, (float)Math.Round(y2)], back.Data);
    }

    [Fact]
    public void Write_Rejects3DAndVectorImagesAndOtherTypes()
    {
        string p = Temp("bad.png");
        var e3 = Assert.Throws<ImageFormatException>(() =>
            ImageIO.Write(new GImage(ImageGeometry.Create3D(4, 4, 2), new float[32]), p));
        Assert.Contains("2-D scalar", e3.Message);
        Assert.StartsWith(p, e3.Message);
        var ev = Assert.Throws<ImageFormatException>(() =>
            ImageIO.Write(new GImage(ImageGeometry.Create2D(4, 4), new float[32], 2), p));
        Assert.Contains("2 component", ev.Message);
        var et = Assert.Throws<InvalidParameterException>(() =>
            ImageIO.Write(new GImage(ImageGeometry.Create2D(4, 4), new float[16]), p, new ImageWriteOptions { PixelType = PixelType.Float32 }));
        Assert.Equal("--type", et.Parameter);
        Assert.False(File.Exists(p));
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Write_ToMissingFolder_LeavesNothing()
    {
        string p = Path.Combine(_dir, "nope", "x.png");
        var e = Assert.Throws<ImageFormatException>(() => ImageIO.Write(new GImage(ImageGeometry.Create2D(2, 2), new float[4]), p));
        Assert.Contains("does not exist", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Read_WrongMagicEmptyAndTruncated_NameTheFile()
    {
        string text = Temp("text.png");
        File.WriteAllText(text, "this is not an image at all");
        var e1 = Assert.Throws<ImageFormatException>(() => ImageIO.Read(text));
        Assert.Equal(text, e1.FileName);
        Assert.Contains("signature", e1.Message);

        string empty = Temp("empty.png");
        File.WriteAllBytes(empty, []);
        Assert.Equal(empty, Assert.Throws<ImageFormatException>(() => ImageIO.Read(empty)).FileName);

        string good = Temp("good.png");
        ImageIO.Write(Gradient(40, 30), good);
        byte[] bytes = File.ReadAllBytes(good);
        string cut = Temp("cut.png");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var e3 = Assert.Throws<ImageFormatException>(() => ImageIO.Read(cut));
        Assert.StartsWith(cut, e3.Message);
    }

    [Fact]
    public void Read_AbsurdDimensions_AreRejectedBeforeDecoding()
    {
        // A valid signature and IHDR (correct CRC) claiming 200000 x 200000 pixels, followed by a tiny IDAT.
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, 200_000);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), 200_000);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 0; // grayscale
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(ms, "IHDR", ihdr);
        WriteChunk(ms, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        WriteChunk(ms, "IEND", []);
        string p = Temp("huge.png");
        File.WriteAllBytes(p, ms.ToArray());
        var e = RunWithTimeout(() => Assert.Throws<ImageFormatException>(() => ImageIO.Read(p)));
        Assert.Equal(p, e.FileName);
    }

    [Fact]
    public void Read_CorruptedFiles_OnlyEverThrowImageFormatException()
    {
        string good = Temp("fuzz-src.png");
        ImageIO.Write(Gradient(24, 20), good, new ImageWriteOptions { PixelType = PixelType.UInt16 });
        byte[] original = File.ReadAllBytes(good);
        string p = Temp("fuzz.png");
        int failures = 0, successes = 0;
        for (int seed = 0; seed < 200; seed++)
        {
            var rng = new Random(seed);
            byte[] b = (byte[])original.Clone();
            int mode = seed % 3;
            if (mode != 1)
            {
                int flips = 1 + rng.Next(8);
                // Spare the signature half of the time so that the chunk parser, not the magic check, sees damage.
                int from = rng.Next(2) == 0 ? 8 : 0;
                for (int k = 0; k < flips; k++) b[from + rng.Next(b.Length - from)] ^= (byte)(1 + rng.Next(255));
            }
            if (mode != 0) b = b[..rng.Next(b.Length)];
            File.WriteAllBytes(p, b);
            var outcome = RunWithTimeout(() =>
            {
                try { return ImageIO.Read(p); }
                catch (ImageFormatException e)
                {
                    Assert.Equal(p, e.FileName);
                    return null;
                }
            });
            if (outcome == null) failures++;
            else
            {
                successes++;
                Assert.Equal(outcome.Data.Length, outcome.Geometry.Count);
            }
        }
        // Truncations and most flips must be detected; the test would be vacuous if none were.
        Assert.True(failures > 100, $"only {failures} of 200 corruptions were detected");
    }

    private static GImage Gradient(int nx, int ny)
    {
        var g = ImageGeometry.Create2D(nx, ny);
        var d = new float[g.Count];
        for (int y = 0; y < ny; y++)
            for (int x = 0; x < nx; x++) d[g.Index(x, y)] = 7 * x + 11 * y;
        return new GImage(g, d);
    }

    private static T RunWithTimeout<T>(Func<T> f)
    {
        // A dedicated thread: a Task.Run item can wait for a saturated thread pool, which would read as a hang.
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { result = f(); }
            catch (Exception e) { error = e; }
        }) { IsBackground = true };
        thread.Start();
        if (!thread.Join(TimeSpan.FromSeconds(30))) throw new TimeoutException("PNG decoding did not finish within 30 s.");
        if (error != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        return result;
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        byte[] typeAndData = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
        s.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(len, Crc32(typeAndData));
        s.Write(len);
    }

    // PNG's CRC-32 (ISO 3309, reflected polynomial 0xEDB88320), bitwise: only used on a few bytes.
    private static uint Crc32(byte[] bytes)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return c ^ 0xFFFFFFFF;
    }
}
