using System.Buffers.Binary;
using System.IO.Compression;
using Geometrize.Imaging;

namespace Geometrize.Tests.Imaging;

/// <summary>
/// Every kind of bad file must end in <see cref="ImageFormatException"/> naming the file — never another
/// exception type, a hang or an allocation driven by a corrupt header.
/// </summary>
public class ImageCorruptionTests
{
    private static ImageFormatException Fails(string path, string because)
    {
        var e = Assert.Throws<ImageFormatException>(() => ImageIO.Read(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains(because, e.Message, StringComparison.OrdinalIgnoreCase);
        return e;
    }

    private static byte[] ValidNifti(int nx = 4, int ny = 3, int nz = 2) =>
        new NiftiBytes(1, false).Dims(nx, ny, nz).Type(16, 32).PixDim(1, 1, 1, 1).With(new byte[nx * ny * nz * 4]);

    private const string ValidMha = "ObjectType = Image\nNDims = 2\nDimSize = 3 2\nElementSpacing = 1 1\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n";

    [Theory]
    [InlineData("missing.nii")]
    [InlineData("missing.nii.gz")]
    [InlineData("missing.mha")]
    [InlineData("missing.mhd")]
    public void MissingFile(string name)
    {
        using var tmp = new TempDir();
        Fails(tmp.File(name), "not found");
        foreach (var f in ImageIO.RegisteredFormats.Where(f => f.Extensions.Any(name.EndsWith)))
            Assert.Throws<ImageFormatException>(() => f.Read(tmp.File(name)));
    }

    [Fact]
    public void TruncatedHeader()
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp.File("a.nii"), ValidNifti()[..200]);
        Fails(tmp.File("a.nii"), "truncated");
        File.WriteAllText(tmp.File("a.mha"), ValidMha[..40]);
        Fails(tmp.File("a.mha"), "truncated");
    }

    [Fact]
    public void TruncatedData()
    {
        using var tmp = new TempDir();
        var nii = ValidNifti();
        File.WriteAllBytes(tmp.File("a.nii"), nii[..^5]);
        Fails(tmp.File("a.nii"), "truncated");
        using (var fs = File.Create(tmp.File("a.nii.gz")))
        using (var gz = new GZipStream(fs, CompressionLevel.Fastest))
            gz.Write(nii.AsSpan(0, nii.Length - 5));
        Fails(tmp.File("a.nii.gz"), "truncated");
        File.WriteAllBytes(tmp.File("a.mha"), [.. System.Text.Encoding.ASCII.GetBytes(ValidMha), 1, 2, 3]);
        Fails(tmp.File("a.mha"), "truncated");
    }

    [Fact]
    public void WrongMagic()
    {
        using var tmp = new TempDir();
        var nii = ValidNifti();
        nii[345] = (byte)'x';
        File.WriteAllBytes(tmp.File("a.nii"), nii);
        Fails(tmp.File("a.nii"), "magic");
        File.WriteAllBytes(tmp.File("b.nii"), new byte[400]);
        Fails(tmp.File("b.nii"), "sizeof_hdr");
        File.WriteAllBytes(tmp.File("c.mha"), [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0]);
        Fails(tmp.File("c.mha"), "not a MetaImage");
    }

    [Fact]
    public void GzipGarbage()
    {
        using var tmp = new TempDir();
        var rng = new Random(5);
        var junk = new byte[500];
        rng.NextBytes(junk);
        junk[0] = 0x1f; junk[1] = 0x8b; junk[2] = 8; junk[3] = 0;
        File.WriteAllBytes(tmp.File("a.nii.gz"), junk);
        Fails(tmp.File("a.nii.gz"), "");
        File.WriteAllBytes(tmp.File("z.mha"), [.. System.Text.Encoding.ASCII.GetBytes(ValidMha.Replace("ElementType", "CompressedData = True\nElementType")), .. junk]);
        Fails(tmp.File("z.mha"), "");
    }

    [Theory]
    [InlineData(32767, 32767, 32767)]
    [InlineData(30000, 30000, 3)]
    public void AbsurdNiftiDimensions(int nx, int ny, int nz)
    {
        using var tmp = new TempDir();
        var h = new NiftiBytes(1, false).Dims(nx, ny, nz, 32767).Type(64, 64).PixDim(1, 1, 1, 1, 1);
        File.WriteAllBytes(tmp.File("a.nii"), h.With(new byte[64]));
        Assert.Throws<ImageFormatException>(() => ImageIO.Read(tmp.File("a.nii")));
        var n2 = new NiftiBytes(2, false).Dims(long.MaxValue / 2, 4, 4).Type(2, 8).PixDim(1, 1, 1, 1);
        File.WriteAllBytes(tmp.File("b.nii"), n2.With(new byte[64]));
        Fails(tmp.File("b.nii"), "exceed");
        var neg = new NiftiBytes(2, false).Dims(-3, 4, 4).Type(2, 8).PixDim(1, 1, 1, 1);
        File.WriteAllBytes(tmp.File("c.nii"), neg.With(new byte[64]));
        Fails(tmp.File("c.nii"), "dim[1]");
    }

    [Fact]
    public void AbsurdMetaImageDimensions()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("a.mha"), ValidMha.Replace("NDims = 2\nDimSize = 3 2", "NDims = 3\nDimSize = 4294967296 4294967296 4294967296") + "xx");
        Fails(tmp.File("a.mha"), "exceed");
        File.WriteAllText(tmp.File("b.mha"), ValidMha.Replace("DimSize = 3 2", "DimSize = 3 0") + "xx");
        Fails(tmp.File("b.mha"), "not positive");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void BadSpacing(double s)
    {
        using var tmp = new TempDir();
        var h = new NiftiBytes(1, false).Dims(2, 2, 2).Type(2, 8).PixDim(1, 1, s, 1);
        File.WriteAllBytes(tmp.File("a.nii"), h.With(new byte[8]));
        Fails(tmp.File("a.nii"), "pixdim[2]");
        h.Qform(1, 0, 0, 0, 0, 0, 0);
        File.WriteAllBytes(tmp.File("q.nii"), h.With(new byte[8]));
        Fails(tmp.File("q.nii"), "pixdim[2]");
        File.WriteAllBytes(tmp.File("b.mha"), [.. System.Text.Encoding.ASCII.GetBytes(ValidMha.Replace("ElementSpacing = 1 1", $"ElementSpacing = 1 {s.ToString(System.Globalization.CultureInfo.InvariantCulture)}")), 1, 2, 3, 4, 5, 6]);
        Fails(tmp.File("b.mha"), "ElementSpacing");
    }

    [Fact]
    public void ZeroSformColumnIsRejected()
    {
        using var tmp = new TempDir();
        var h = new NiftiBytes(1, false).Dims(2, 2, 2).Type(2, 8).PixDim(1, 1, 1, 1).Sform(1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0);
        File.WriteAllBytes(tmp.File("a.nii"), h.With(new byte[8]));
        Fails(tmp.File("a.nii"), "spacing");
    }

    [Fact]
    public void UnsupportedDatatype()
    {
        using var tmp = new TempDir();
        var h = new NiftiBytes(1, false).Dims(2, 2).Type(32, 64).PixDim(1, 1, 1);
        File.WriteAllBytes(tmp.File("a.nii"), h.With(new byte[32]));
        Fails(tmp.File("a.nii"), "complex64");
        File.WriteAllBytes(tmp.File("b.mha"), [.. System.Text.Encoding.ASCII.GetBytes(ValidMha.Replace("MET_UCHAR", "MET_STRING")), 1, 2, 3, 4, 5, 6]);
        Fails(tmp.File("b.mha"), "MET_STRING");
    }

    [Fact]
    public void MhdPointingToMissingData()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("a.mhd"), ValidMha.Replace("LOCAL", "gone.raw"));
        Fails(tmp.File("a.mhd"), "gone.raw");
    }

    [Theory]
    [InlineData("DimSize = 3 2", "DimSize = 3 two")]
    [InlineData("NDims = 2", "NDims = 2.5")]
    [InlineData("ElementSpacing = 1 1", "ElementSpacing = 1 1mm")]
    [InlineData("ElementSpacing = 1 1", "ElementSpacing = 1")]
    [InlineData("ElementType", "CompressedData = maybe\nElementType")]
    public void NonNumericHeaderValues(string from, string to)
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp.File("a.mha"), [.. System.Text.Encoding.ASCII.GetBytes(ValidMha.Replace(from, to)), 1, 2, 3, 4, 5, 6]);
        Fails(tmp.File("a.mha"), "");
    }

    [Fact]
    public void NiftiVoxOffsetBeyondFile()
    {
        using var tmp = new TempDir();
        var h = new NiftiBytes(1, false).Dims(2, 2).Type(2, 8).PixDim(1, 1, 1).VoxOffset(1_000_000);
        File.WriteAllBytes(tmp.File("a.nii"), h.With(new byte[4]));
        Fails(tmp.File("a.nii"), "vox_offset");
    }

    public static TheoryData<string, PixelType> CorruptionCases() => new()
    {
        { ".nii", PixelType.Int16 }, { ".nii.gz", PixelType.Float32 }, { ".mha", PixelType.UInt8 },
        { ".mha+z", PixelType.Float64 }, { ".mhd", PixelType.Int32 }, { ".hdr", PixelType.UInt16 },
    };

    /// <summary>
    /// 300 random corruptions per format (byte flips biased to the header, truncations, both): each read must
    /// succeed or raise a <see cref="GeometrizeException"/>, within 10 s and 64 MiB of allocation.
    /// </summary>
    [Theory]
    [MemberData(nameof(CorruptionCases))]
    public void RandomCorruptionOnlyEverRaisesImageFormatException(string kind, PixelType type)
    {
        using var tmp = new TempDir();
        bool compress = kind.EndsWith("+z");
        string ext = compress ? kind[..^2] : kind;
        string valid = tmp.File("valid" + ext);
        ImageIO.Write(ImageSamples.Make(3, type, kind == ".mhd" ? 2 : 1, seed: 11), valid, new ImageWriteOptions { PixelType = type, Compress = compress });
        // The file that is corrupted: the header for the two-file formats (their data file is copied intact).
        string target = valid;
        string? partner = ext switch { ".mhd" => tmp.File("valid.raw"), ".hdr" => tmp.File("valid.img"), _ => null };
        byte[] original = File.ReadAllBytes(target);
        int headerBytes = ext is ".mha" or ".mhd" ? 300 : 352;
        int outcomes = 0, failures = 0;
        for (int seed = 0; seed < 300; seed++)
        {
            var rng = new Random(seed);
            byte[] bytes = (byte[])original.Clone();
            int mode = rng.Next(3);
            if (mode != 1)
            {
                int flips = 1 + rng.Next(8);
                for (int k = 0; k < flips; k++)
                {
                    int at = rng.Next(2) == 0 ? rng.Next(Math.Min(headerBytes, bytes.Length)) : rng.Next(bytes.Length);
                    bytes[at] = rng.Next(4) == 0 ? (byte)rng.Next(256) : (byte)(bytes[at] ^ (1 << rng.Next(8)));
                }
            }
            if (mode != 0) bytes = bytes[..rng.Next(bytes.Length)];
            string dir = tmp.File($"case{seed}");
            Directory.CreateDirectory(dir);
            string path = Path.Combine(dir, Path.GetFileName(target));
            File.WriteAllBytes(path, bytes);
            if (partner != null) File.Copy(partner, Path.Combine(dir, Path.GetFileName(partner)));

            long allocated = 0;
            Exception? error = null;
            // A dedicated thread, not Task.Run: on a saturated thread pool (parallel tests on 2 cores) a queued task
            // can wait seconds before it starts, which would read as a hang.
            var reader = new Thread(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try { ImageIO.Read(path); }
                catch (Exception e) { error = e; }
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }) { IsBackground = true };
            reader.Start();
            Assert.True(reader.Join(TimeSpan.FromSeconds(30)), $"{kind} seed {seed}: read did not finish in 30 s");
            if (error != null)
            {
                Assert.True(error is GeometrizeException, $"{kind} seed {seed}: {error.GetType().Name}: {error.Message}\n{error.StackTrace}");
                failures++;
            }
            Assert.True(allocated < 64L << 20, $"{kind} seed {seed}: allocated {allocated} bytes");
            outcomes++;
            Directory.Delete(dir, true);
        }
        Assert.Equal(300, outcomes);
        Assert.True(failures > 0, "no corruption was detected at all; the test is not exercising the readers");
    }
}
