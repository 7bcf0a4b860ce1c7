using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Reports;

namespace Geometrize.Tests.Cli;

/// <summary>CLI tests that need the NIfTI/MetaImage formats (run after merging the formats branch).</summary>
public sealed class CliNiftiTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("geometrize-cli-nii-").FullName;

    public CliNiftiTests() => GeometrizeReports.RegisterFormats();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Convert_PngToNiftiAndMetaImage_KeepsTypeAndValues()
    {
        var g = ImageGeometry.Create2D(12, 9);
        var d = Enumerable.Range(0, g.Count).Select(i => (float)(i % 200)).ToArray();
        ImageIO.Write(new Image(g, d), Path.Combine(_dir, "a.png"));
        Assert.Equal(0, CliRunner.Run(_dir, "convert", "a.png", "a.nii.gz").ExitCode);
        Assert.Equal(0, CliRunner.Run(_dir, "convert", "a.nii.gz", "a.mha", "--type", "float32").ExitCode);
        var nii = ImageIO.Read(Path.Combine(_dir, "a.nii.gz"));
        var mha = ImageIO.Read(Path.Combine(_dir, "a.mha"));
        Assert.Equal(PixelType.UInt8, nii.SourceType);
        Assert.Equal(PixelType.Float32, mha.SourceType);
        Assert.Equal(d, nii.Data);
        Assert.Equal(d, mha.Data);
    }

    [SkippableFact]
    public void Info_Json_OnRealNifti()
    {
        string p = TestData.Require("itk/KmeansTest_T1RawSkullStrip.nii.gz");
        var r = CliRunner.Run(_dir, "info", p, "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = System.Text.Json.JsonDocument.Parse(r.StdOut);
        Assert.Equal([128, 128, 62], doc.RootElement.GetProperty("dims").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([2.0, 2.0, 3.0], doc.RootElement.GetProperty("spacing").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(9, doc.RootElement.GetProperty("direction").GetArrayLength());
    }

    [Fact]
    public void Convert_3DToPng_IsAClearError()
    {
        ImageIO.Write(Image.FromField(Phantoms.SheppLogan3D(8)), Path.Combine(_dir, "v.nii.gz"));
        var r = CliRunner.Run(_dir, "convert", "v.nii.gz", "v.png");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("2-D scalar", r.StdErr);
        Assert.False(File.Exists(Path.Combine(_dir, "v.png")));
    }
}
