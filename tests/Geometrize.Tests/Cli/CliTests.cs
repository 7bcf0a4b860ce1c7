using System.Text.Json;
using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Reports;

namespace Geometrize.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("geometrize-cli-").FullName;

    public CliTests() => GeometrizeReports.RegisterFormats();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A 30×20 PNG with values 0..(30+2·19) and known statistics.</summary>
    private string MakePng(string name)
    {
        var g = ImageGeometry.Create2D(30, 20);
        var d = new float[g.Count];
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 30; x++) d[g.Index(x, y)] = x + 2 * y;
        string p = Path.Combine(_dir, name);
        ImageIO.Write(new Image(g, d), p);
        return p;
    }

    private const double ExpectedMean = 14.5 + 2 * 9.5;

    [Fact]
    public void Info_Text()
    {
        string p = MakePng("a.png");
        var r = CliRunner.Run(_dir, "info", "a.png");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.StdErr);
        Assert.Contains("dimensions: 30 x 20", r.StdOut);
        Assert.Contains("spacing:    1 x 1", r.StdOut);
        Assert.Contains("direction:  [1 0; 0 1]", r.StdOut);
        Assert.Contains("datatype:   uint8", r.StdOut);
        Assert.Contains("range:      0 .. 67", r.StdOut);
        Assert.Contains("mean:       33.5", r.StdOut);
        Assert.True(File.Exists(p));
    }

    [Fact]
    public void Info_Json_IsOneObjectWithTheDocumentedKeys()
    {
        MakePng("b.png");
        var r = CliRunner.Run(_dir, "info", "b.png", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.StdOut);
        var o = doc.RootElement;
        Assert.Equal(JsonValueKind.Object, o.ValueKind);
        Assert.Equal([30, 20], o.GetProperty("dims").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([1.0, 1.0], o.GetProperty("spacing").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal([0.0, 0.0], o.GetProperty("origin").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal([1.0, 0, 0, 1], o.GetProperty("direction").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal("uint8", o.GetProperty("datatype").GetString());
        Assert.Equal(1, o.GetProperty("components").GetInt32());
        Assert.Equal(0, o.GetProperty("min").GetDouble());
        Assert.Equal(67, o.GetProperty("max").GetDouble());
        Assert.Equal(ExpectedMean, o.GetProperty("mean").GetDouble(), 9);
    }

    [Fact]
    public void Convert_PngTo16BitPng_ThenKeepsSourceTypeByDefault()
    {
        MakePng("c.png");
        var r = CliRunner.Run(_dir, "convert", "c.png", "c16.png", "--type", "uint16");
        Assert.Equal(0, r.ExitCode);
        var img = ImageIO.Read(Path.Combine(_dir, "c16.png"));
        Assert.Equal(PixelType.UInt16, img.SourceType);
        Assert.Equal(ImageIO.Read(Path.Combine(_dir, "c.png")).Data, img.Data);

        // Without --type, a uint16 source stays uint16 in PNG.
        var r2 = CliRunner.Run(_dir, "convert", "c16.png", "again.png");
        Assert.Equal(0, r2.ExitCode);
        Assert.Equal(PixelType.UInt16, ImageIO.Read(Path.Combine(_dir, "again.png")).SourceType);
    }

    [Fact]
    public void UnknownCommandAndOption_ExitWithUsage()
    {
        var r = CliRunner.Run(_dir, "frobnicate");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown command 'frobnicate'", r.StdErr);
        Assert.Contains("usage:", r.StdErr);

        var r2 = CliRunner.Run(_dir, "info", "x.png", "--bogus");
        Assert.Equal(2, r2.ExitCode);
        Assert.Contains("unknown option '--bogus'", r2.StdErr);
        Assert.Contains("--help", r2.StdErr);
    }

    [Fact]
    public void MissingFile_IsOneErrorLineWithTheName()
    {
        var r = CliRunner.Run(_dir, "info", "does-not-exist.png");
        Assert.Equal(1, r.ExitCode);
        string[] lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("geometrize: error: ", lines[0]);
        Assert.Contains("does-not-exist.png", lines[0]);
        Assert.DoesNotContain("   at ", r.StdErr);
    }

    [Fact]
    public void UnwritableOutput_Exit1AndNoPartialFile()
    {
        MakePng("d.png");
        var r = CliRunner.Run(_dir, "convert", "d.png", Path.Combine("missing-folder", "out.png"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("missing-folder", r.StdErr);
        Assert.DoesNotContain("   at ", r.StdErr);
        Assert.Equal(["d.png"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));

        // A type PNG cannot store is a parameter error naming --type, and again nothing is written.
        var r2 = CliRunner.Run(_dir, "convert", "d.png", "e.png", "--type", "float32");
        Assert.Equal(1, r2.ExitCode);
        Assert.Contains("--type", r2.StdErr);
        Assert.False(File.Exists(Path.Combine(_dir, "e.png")));
    }

    [Fact]
    public void Help_ListsCommands_AndCommandHelpShowsOptions()
    {
        var r = CliRunner.Run(_dir, "--help");
        Assert.Equal(0, r.ExitCode);
        foreach (string c in new[] { "info", "convert", "demo" }) Assert.Contains($"  {c}", r.StdOut);

        var r2 = CliRunner.Run(_dir, "convert", "--help");
        Assert.Equal(0, r2.ExitCode);
        Assert.Contains("usage: geometrize convert IN OUT", r2.StdOut);
        Assert.Contains("--type", r2.StdOut);
    }
}
