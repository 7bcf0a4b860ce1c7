using System.Buffers.Binary;
using System.IO.Compression;
using Geometrize.Networks.Data;
using Geometrize.Tests.Imaging;

namespace Geometrize.Tests.Networks;

/// <summary>The IDX reader and Fashion-MNIST loader on handcrafted files, bad files, and the real data.</summary>
public class FashionMnistTests
{
    /// <summary>IDX bytes: big-endian magic 0x000008 + rank, big-endian extents, then the values.</summary>
    private static byte[] Idx(int[] dims, byte[] data, int? magic = null)
    {
        var b = new byte[4 + 4 * dims.Length + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, magic ?? (0x0800 | dims.Length));
        for (int a = 0; a < dims.Length; a++) BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 + 4 * a), dims[a]);
        data.CopyTo(b, 4 + 4 * dims.Length);
        return b;
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(raw);
        return ms.ToArray();
    }

    /// <summary>n 28×28 images where image i has every pixel equal to 10·i + (row+col) mod 10, and labels i mod 10.</summary>
    private static (byte[] Images, byte[] Labels) Fake(int n)
    {
        var px = new byte[n * 784];
        for (int i = 0; i < n; i++)
            for (int r = 0; r < 28; r++)
                for (int c = 0; c < 28; c++) px[i * 784 + r * 28 + c] = (byte)(10 * i + (r + c) % 10);
        var labels = Enumerable.Range(0, n).Select(i => (byte)(i % 10)).ToArray();
        return (Idx([n, 28, 28], px), Idx([n], labels));
    }

    private static void WriteSplit(string dir, string prefix, byte[] images, byte[] labels, bool gz)
    {
        File.WriteAllBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte" + (gz ? ".gz" : "")), gz ? Gzip(images) : images);
        File.WriteAllBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte" + (gz ? ".gz" : "")), gz ? Gzip(labels) : labels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IdxReadsPlainAndGzipByMagicNotExtension(bool gz)
    {
        using var tmp = new TempDir();
        byte[] raw = Idx([3, 2, 2], [.. Enumerable.Range(0, 12).Select(i => (byte)(i * 20))]);
        string path = tmp.File("images.bin"); // no .gz even when compressed
        File.WriteAllBytes(path, gz ? Gzip(raw) : raw);
        var a = IdxReader.ReadImages(path);
        Assert.Equal([3, 2, 2], a.Dimensions);
        Assert.Equal(3, a.StoredCount);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (byte)(i * 20)), a.Data);
        var two = IdxReader.ReadImages(path, limit: 2);
        Assert.Equal([2, 2, 2], two.Dimensions);
        Assert.Equal(3, two.StoredCount);
        Assert.Equal(8, two.Data.Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LoadScalesPixelsAndKeepsLabels(bool gz)
    {
        using var tmp = new TempDir();
        var (img, lab) = Fake(12);
        WriteSplit(tmp.Path, "t10k", img, lab, gz);
        var d = FashionMnist.Load(tmp.Path, train: false);
        Assert.Equal(12, d.Count);
        Assert.Equal([1, 28, 28], d.FeatureShape);
        Assert.Equal(784, d.FeatureDimension);
        Assert.Equal(10, d.ClassCount);
        Assert.Equal("Ankle boot", d.ClassNames![9]);
        Assert.Equal("fashion-mnist-test", d.Name);
        Assert.Equal((10 * 7 + (3 + 5) % 10) / 255f, d.FeatureRow(7)[3 * 28 + 5]);
        Assert.Equal(7, d.Label(7));
        Assert.Equal(5, FashionMnist.Load(tmp.Path, train: false, limit: 5).Count);
        Assert.Equal(12, FashionMnist.Load(tmp.Path, train: false, limit: 500).Count);
        Assert.Throws<InvalidParameterException>(() => FashionMnist.Load(tmp.Path, train: false, limit: 0));
        var e = Assert.Throws<DataFormatException>(() => FashionMnist.Load(tmp.Path, train: true));
        Assert.Contains("train-images-idx3-ubyte", e.Message);
        Assert.Contains("not found", e.Message);
    }

    private static DataFormatException BadSplit(byte[] images, byte[] labels, string because, bool gz = false)
    {
        using var tmp = new TempDir();
        WriteSplit(tmp.Path, "train", images, labels, gz);
        var e = Assert.Throws<DataFormatException>(() => FashionMnist.Load(tmp.Path, train: true));
        Assert.StartsWith(tmp.Path, e.Message);
        Assert.Contains(because, e.Message, StringComparison.OrdinalIgnoreCase);
        return e;
    }

    [Fact]
    public void SwappedFilesFailOnTheMagic()
    {
        var (img, lab) = Fake(3);
        var e = BadSplit(lab, img, "wrong magic 0x00000801");
        Assert.Contains("label file", e.Message);
        BadSplit(Idx([3, 28, 28], new byte[3 * 784], magic: 0x00000D03), img, "wrong magic");
    }

    [Fact]
    public void CountMismatchBetweenImagesAndLabels()
    {
        var (img, _) = Fake(4);
        var (_, lab) = Fake(5);
        var e = BadSplit(img, lab, "4 images");
        Assert.Contains("5 labels", e.Message);
        // Even a limited read must notice.
        using var tmp = new TempDir();
        WriteSplit(tmp.Path, "train", img, lab, false);
        Assert.Throws<DataFormatException>(() => FashionMnist.Load(tmp.Path, true, limit: 2));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedFiles(bool gz)
    {
        var (img, lab) = Fake(3);
        BadSplit(img[..^10], lab, "truncated", gz);
        BadSplit(img, lab[..6], "truncated", gz);
        BadSplit(img[..2], lab, "truncated", gz);
    }

    [Theory]
    [InlineData(int.MaxValue, 28, 28, "exceed")]
    [InlineData(3, 65536, 65536, "exceed")]
    [InlineData(0, 28, 28, "positive")]
    [InlineData(3, -28, 28, "positive")]
    public void AbsurdDimensions(int n, int rows, int cols, string because)
    {
        var (_, lab) = Fake(3);
        BadSplit(Idx([n, rows, cols], new byte[64]), lab, because);
    }

    [Fact]
    public void WrongImageSizeAndBadLabels()
    {
        var (img, lab) = Fake(3);
        BadSplit(Idx([3, 27, 27], new byte[3 * 27 * 27]), lab, "28×28");
        BadSplit(img, Idx([3], [1, 2, 10]), "label 10");
    }

    [Fact]
    public void GzipGarbageIsADataFormatError()
    {
        using var tmp = new TempDir();
        var junk = new byte[300];
        new Random(2).NextBytes(junk);
        junk[0] = 0x1f; junk[1] = 0x8b; junk[2] = 8; junk[3] = 0;
        File.WriteAllBytes(tmp.File("x.gz"), junk);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(tmp.File("x.gz")));
        Assert.StartsWith(tmp.File("x.gz"), e.Message);
        Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(tmp.File("missing.gz")));
    }

    [Fact]
    public void ResolveDirectoryHonoursTheOptionAndNamesWhatItTried()
    {
        using var tmp = new TempDir();
        var (img, lab) = Fake(2);
        WriteSplit(tmp.Path, "t10k", img, lab, true);
        Assert.Equal(Path.GetFullPath(tmp.Path), FashionMnist.ResolveDirectory(tmp.Path));
        string missing = tmp.File("nowhere");
        Assert.Contains(missing, Assert.ThrowsAny<GeometrizeException>(() => FashionMnist.ResolveDirectory(missing)).Message);
        Directory.CreateDirectory(tmp.File("empty"));
        Assert.Contains("no Fashion-MNIST", Assert.ThrowsAny<GeometrizeException>(() => FashionMnist.ResolveDirectory(tmp.File("empty"))).Message);
    }

    [SkippableFact]
    public void DefaultDirectoryFindsTheSharedData()
    {
        string labels = TestData.Require("fashion-mnist/t10k-labels-idx1-ubyte.gz");
        string dir = FashionMnist.ResolveDirectory(null);
        Assert.True(File.Exists(Path.Combine(dir, "t10k-labels-idx1-ubyte.gz")) || File.Exists(Path.Combine(dir, "t10k-labels-idx1-ubyte")), dir);
        Assert.NotNull(labels);
    }

    [SkippableFact]
    public void RealTestSplitHasAThousandImagesPerClass()
    {
        string dir = Path.GetDirectoryName(TestData.Require("fashion-mnist/t10k-images-idx3-ubyte.gz"))!;
        var test = FashionMnist.Load(dir, train: false);
        Assert.Equal(10_000, test.Count);
        Assert.All(test.ClassCounts(), c => Assert.Equal(1000, c));
        float min = float.MaxValue, max = float.MinValue;
        foreach (float v in test.Features) { min = Math.Min(min, v); max = Math.Max(max, v); }
        Assert.Equal(0f, min);
        Assert.Equal(1f, max);
        // Sanity of the decoding: images are dark on the border and bright in the middle on average.
        double border = 0, centre = 0;
        for (int i = 0; i < 1000; i++) { border += test.FeatureRow(i)[0]; centre += test.FeatureRow(i)[14 * 28 + 14]; }
        Assert.True(centre > 10 * border + 100, $"centre {centre}, border {border}");
        var shirts = test.ClassesFilter(0, 6);
        Assert.Equal(2000, shirts.Count);
        Assert.Equal(["T-shirt/top", "Shirt"], shirts.ClassNames!);
    }

    [SkippableFact]
    public void RealTrainSplitLoadsInFullAndLimited()
    {
        string dir = Path.GetDirectoryName(TestData.Require("fashion-mnist/train-images-idx3-ubyte.gz"))!;
        var train = FashionMnist.Load(dir, train: true);
        Assert.Equal(60_000, train.Count);
        Assert.All(train.ClassCounts(), c => Assert.Equal(6000, c));
        var first = FashionMnist.Load(dir, train: true, limit: 100);
        Assert.Equal(100, first.Count);
        Assert.Equal(train.Take(100).Features.ToArray(), first.Features.ToArray());
        Assert.Equal(train.Take(100).Labels.ToArray(), first.Labels.ToArray());
    }
}
