using System.Text.Json;
using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Reports;

namespace Geometrize.Tests.Cli;

/// <summary><c>register --method metamorphosis</c> on small 8-bit PNGs: outputs, summary and the report's extra row.</summary>
public sealed class MetamorphosisCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("geometrize-cli-meta-").FullName;

    public MetamorphosisCliTests()
    {
        GeometrizeReports.RegisterFormats();
        // Moving: a disc; fixed: the disc shifted by two pixels plus a bright dot that no deformation can create.
        var g = ImageGeometry.Create2D(32, 32, 1, 1);
        var moving = new float[g.Count];
        var fixedData = new float[g.Count];
        for (int y = 0; y < g.Ny; y++)
            for (int x = 0; x < g.Nx; x++)
            {
                double m = Math.Clamp(7.5 - Math.Sqrt((x - 14.0) * (x - 14.0) + (y - 15.0) * (y - 15.0)), 0, 1);
                double f = Math.Clamp(7.5 - Math.Sqrt((x - 16.0) * (x - 16.0) + (y - 16.0) * (y - 16.0)), 0, 1)
                    + Math.Exp(-((x - 26.0) * (x - 26.0) + (y - 6.0) * (y - 6.0)) / 2.5);
                moving[g.Index(x, y)] = MathF.Round((float)(200 * m));
                fixedData[g.Index(x, y)] = MathF.Round((float)(200 * Math.Min(1, f)));
            }
        var png = new ImageWriteOptions { PixelType = PixelType.UInt8 };
        ImageIO.Write(new Image(g, fixedData, 1, PixelType.UInt8), P("f.png"), png);
        ImageIO.Write(new Image(g, moving, 1, PixelType.UInt8), P("m.png"), png);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void RegisterWritesTheIntensityChange()
    {
        var r = CliRunner.Run(_dir, "register", "--fixed", "f.png", "--moving", "m.png", "--output", "out", "--method", "metamorphosis",
            "--rho", "0.01", "--sigma", "0.02", "--shrink", "2x1", "--iterations", "15x15", "--json", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var s = doc.RootElement;
        Assert.Equal("metamorphosis", s.GetProperty("method").GetString());
        Assert.Equal(0.01, s.GetProperty("settings").GetProperty("rho").GetDouble());
        double before = s.GetProperty("mse_before").GetDouble(), after = s.GetProperty("mse_after").GetDouble();
        Assert.True(after < 0.2 * before, r.StdOut);
        Assert.True(s.GetProperty("mse_after_deformation_only").GetDouble() > after, r.StdOut);
        Assert.True(s.GetProperty("jacobian_min").GetDouble() > 0, r.StdOut);
        foreach (string f in new[] { "warped.nii.gz", "warped.png", "displacement.nii.gz", "momentum.nii.gz", "intensity_change.nii.gz", "report.png" })
            Assert.True(File.Exists(P(Path.Combine("out", f))), f);
        var change = ImageIO.Read(P("out/intensity_change.nii.gz"));
        Assert.Equal((32, 32), (change.Geometry.Nx, change.Geometry.Ny));
        // The dot (about 200 units above the background) comes from the intensity change.
        Assert.True(change.Data[change.Geometry.Index(26, 6)] > 100, $"intensity change at the dot {change.Data[change.Geometry.Index(26, 6)]}");
        var report = ImageIO.Read(P("out/report.png"));
        Assert.Equal(RegistrationReport.CanvasSize(2, pathRow: true), (report.Geometry.Nx, report.Geometry.Ny));
    }

    [Fact]
    public void RhoOutsideTheUnitIntervalIsRefused()
    {
        var r = CliRunner.Run(_dir, "register", "--fixed", "f.png", "--moving", "m.png", "--output", "bad", "--method", "metamorphosis", "--rho", "1.5");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--rho", r.StdErr);
        Assert.False(Directory.Exists(P("bad")));
    }
}
