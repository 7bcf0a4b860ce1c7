using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Registration;
using Geometrize.Reports;

namespace Geometrize.Tests.Cli;

/// <summary>
/// Full registrations through the CLI (<c>register</c>, <c>apply</c> on its output, cancellation, <c>demo</c>). They need
/// a registration method in the build (vector-momentum shooting, the default).
/// </summary>
public sealed partial class RegisterCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("geometrize-cli-register-").FullName;

    public RegisterCliTests() => GeometrizeReports.RegisterFormats();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    /// <summary>A 64² phantom pair with a known smooth deformation of at most 3 pixels.</summary>
    private (Image Fixed, Image Moving) WritePair()
    {
        var fixedImage = Image.FromField(Phantoms.SheppLogan2D(64));
        var truth = SyntheticDeformation.Smooth(fixedImage.Geometry, 3, 10, seed: 5);
        var moving = SyntheticDeformation.MovingImage(fixedImage, truth);
        ImageIO.Write(fixedImage, P("f.nii.gz"));
        ImageIO.Write(moving, P("m.nii.gz"));
        return (fixedImage, moving);
    }

    [Fact]
    public void RegisterWritesEveryOutputAndApplyReproducesTheWarpedImage()
    {
        WritePair();
        var r = CliRunner.Run(_dir, "register", "--fixed", "f.nii.gz", "--moving", "m.nii.gz", "--output", "out",
            "--shrink", "2x1", "--iterations", "30x20", "--json", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal("", r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var s = doc.RootElement;
        foreach (string key in new[] { "method", "seconds", "iterations", "mse_before", "mse_after", "ncc_before", "ncc_after",
                     "jacobian_min", "jacobian_max", "energy_regularity", "energy_data" })
            Assert.True(s.TryGetProperty(key, out _), $"summary lacks {key}");
        Assert.Equal("shooting", s.GetProperty("method").GetString());
        Assert.True(s.GetProperty("mse_after").GetDouble() < 0.5 * s.GetProperty("mse_before").GetDouble(), r.StdOut);
        Assert.True(s.GetProperty("jacobian_min").GetDouble() > 0);
        foreach (string f in new[] { "warped.nii.gz", "displacement.nii.gz", "inverse_displacement.nii.gz", "jacobian.nii.gz",
                     "momentum.nii.gz", "energy.csv", "summary.json", "report.png" })
            Assert.True(File.Exists(P(Path.Combine("out", f))), f);
        Assert.Equal(r.StdOut.Trim(), File.ReadAllText(P("out/summary.json")).Trim());
        var report = ImageIO.Read(P("out/report.png"));
        Assert.Equal(RegistrationReport.CanvasSize(2), (report.Geometry.Nx, report.Geometry.Ny));

        // apply with the written field brings the moving image onto the fixed grid as register did (both cubic).
        var a = CliRunner.Run(_dir, "apply", "--transform", "out", "--input", "m.nii.gz", "--reference", "f.nii.gz", "--output", "w.nii.gz",
            "--interpolation", "cubic");
        Assert.True(a.ExitCode == 0, a.StdErr);
        var applied = ImageIO.Read(P("w.nii.gz"));
        var warped = ImageIO.Read(P("out/warped.nii.gz"));
        // register clamps x + u(x) to the fixed box (as its optimiser saw the image) while apply reads 0 outside the
        // input, as ITK does; the two agree wherever x + u(x) stays inside, i.e. away from the border here.
        double maxDiff = 0;
        var g = applied.Geometry;
        for (int y = 4; y < g.Ny - 4; y++)
            for (int x = 4; x < g.Nx - 4; x++)
                maxDiff = Math.Max(maxDiff, Math.Abs(applied.Data[g.Index(x, y)] - warped.Data[g.Index(x, y)]));
        Assert.True(maxDiff < 1e-3, $"apply and register disagree by {maxDiff}");
    }

    [Fact]
    public void ProgressIsPrintedAsPlainLinesWhenRedirectedAndTheSummaryAsATable()
    {
        WritePair();
        var r = CliRunner.Run(_dir, "register", "--fixed", "f.nii.gz", "--moving", "m.nii.gz", "--output", "out2",
            "--shrink", "2x1", "--iterations", "15x10", "--metric", "ncc", "--sigma", "0.1", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("level 1/2 [", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("level 2/2 [", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.DoesNotContain("\r", l));
        Assert.Matches(@"it \d+/\d+  E=\d\.\d{3}e[+-]\d\d \(reg ", lines[0]);
        Assert.Contains("mse_before", r.StdOut);
        Assert.Contains("jacobian_min", r.StdOut);
        Assert.Contains("wrote ", r.StdOut);
        using var doc = JsonDocument.Parse(File.ReadAllText(P("out2/summary.json")));
        Assert.Equal("ncc", doc.RootElement.GetProperty("settings").GetProperty("data_term").GetString());
    }

    [SkippableFact]
    public void CtrlCCancelsWithExit130AndNoOutputs()
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "sends SIGINT with kill(1)");
        // 2-D keeps every iteration short, so the cancellation is seen within a fraction of a second; the iteration
        // budget is far beyond what the run could finish before the signal arrives. The flow runs on the image grid:
        // on the default coarse grid the optimiser can converge and stop before the signal arrives.
        // Textured, so that the optimiser keeps finding descent and cannot stop on its own before the signal.
        var big = SyntheticDeformation.Texture(Image.FromField(Phantoms.SheppLogan2D(128)), 0.3, 1.5, 3);
        ImageIO.Write(big, P("f3.nii.gz"));
        ImageIO.Write(SyntheticDeformation.MovingImage(big, SyntheticDeformation.Smooth(big.Geometry, 4, 12, seed: 1)), P("m3.nii.gz"));
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _dir };
        foreach (string a in new[] { "exec", CliRunner.DllPath, "register", "--fixed", "f3.nii.gz", "--moving", "m3.nii.gz", "--output", "cancelled",
                     "--shrink", "1", "--iterations", "100000", "--tolerance", "0", "--flow-shrink", "1" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        // Wait for the first progress line: the registration is running.
        string? first = p.StandardError.ReadLine();
        Assert.NotNull(first);
        Assert.StartsWith("level 1/1", first);
        // A process started in the background by a non-interactive shell inherits SIGINT as ignored (and so does the
        // CLI we start); .NET then never sees Ctrl-C. There the test sends SIGTERM, which takes the same cancel path.
        string signal = SigIntIgnored() ? "-TERM" : "-INT";
        using (var kill = Process.Start("kill", [signal, p.Id.ToString(CultureInfo.InvariantCulture)])) kill!.WaitForExit();
        string rest = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(1)), "the registration did not stop after SIGINT");
        Assert.True(p.ExitCode == 130, $"exit code {p.ExitCode}; stderr after the signal: {rest[Math.Max(0, rest.Length - 600)..]}; stdout: {stdout.Result}");
        Assert.Contains("cancelled", rest);
        Assert.Equal("", stdout.Result);
        Assert.False(Directory.Exists(P("cancelled")), "a cancelled run must leave no output folder");
        Assert.Empty(Directory.GetFileSystemEntries(_dir, ".*"));
    }

    [Fact]
    public void DemoWritesPhantomsRegistersAndReportsTheEndPointError()
    {
        var r = CliRunner.Run(_dir, "demo", "--output", "out", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        foreach (string f in new[] { "phantom2d.png", "phantom2d.nii.gz", "phantom3d.nii.gz" })
            Assert.True(File.Exists(P(Path.Combine("out", f))), f);
        Assert.Contains("dimensions: 256 x 256", r.StdOut);
        Assert.Contains("dimensions: 96 x 96 x 96", r.StdOut);
        Assert.Equal(Phantoms.SheppLogan3D(96).Data, ImageIO.Read(P("out/phantom3d.nii.gz")).Data);
        Assert.Equal(255f, ImageIO.Read(P("out/phantom2d.png")).Data.Max());
        foreach (string f in new[] { "report.png", "displacement.nii.gz", "warped.nii.gz", "summary.json", "fixed.nii.gz", "moving.nii.gz", "true_displacement.nii.gz" })
            Assert.True(File.Exists(P(Path.Combine("out", "registration", f))), f);

        var epe = EndPointError().Match(r.StdOut);
        var truth = TrueMean().Match(r.StdOut);
        Assert.True(epe.Success && truth.Success, r.StdOut);
        double error = double.Parse(epe.Groups[1].Value, CultureInfo.InvariantCulture);
        double trueMean = double.Parse(truth.Groups[1].Value, CultureInfo.InvariantCulture);
        // The textured phantom shows the motion everywhere, so most of it must be recovered (0.135 of 1.38 measured).
        Assert.True(error < 0.2 * trueMean, $"end-point error {error} vs true mean displacement {trueMean}");

        // The written truth is the field the error was measured against.
        var written = ImageIO.Read(P("out/registration/true_displacement.nii.gz"));
        var expected = SyntheticDeformation.Smooth(ImageGeometry.Create2D(256, 256), 4, 24, 2026);
        Assert.Equal(expected.Data, written.Data);
    }

    /// <summary>True when this process ignores SIGINT (bit 2 of SigIgn in /proc/self/status; false where that file is absent).</summary>
    private static bool SigIntIgnored()
    {
        if (!File.Exists("/proc/self/status")) return false;
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("SigIgn:", StringComparison.Ordinal))
                return (ulong.Parse(line[7..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 2UL) != 0;
        return false;
    }

    [GeneratedRegex(@"end-point error \|u - u_true\|: ([0-9.]+) pixel over the phantom")]
    private static partial Regex EndPointError();

    [GeneratedRegex(@"true displacement: mean ([0-9.]+) pixel")]
    private static partial Regex TrueMean();
}
