using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Reports;

namespace Geometrize.Tests.Cli;

/// <summary>
/// <c>register</c> on bad input: each case fails before any registration starts (so these tests need no registration
/// method), with exit 1 (bad file or parameter) or 2 (usage), one line naming the option or file, and no output.
/// </summary>
public sealed class CliRegisterInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("geometrize-cli-reg-").FullName;

    public CliRegisterInputTests()
    {
        GeometrizeReports.RegisterFormats();
        ImageIO.Write(Image.FromField(Phantoms.Disc(24, 7)), Path.Combine(_dir, "f.nii.gz"));
        ImageIO.Write(Image.FromField(Phantoms.Disc(24, 8)), Path.Combine(_dir, "m.nii.gz"));
        ImageIO.Write(Image.FromField(Phantoms.SheppLogan3D(12)), Path.Combine(_dir, "v3.nii.gz"));
        var nan = Phantoms.Disc(24, 8);
        nan[5, 6] = float.NaN;
        ImageIO.Write(Image.FromField(nan), Path.Combine(_dir, "nan.nii.gz"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void AssertFails(int exitCode, string[] mustMention, params string[] args)
    {
        var r = CliRunner.Run(_dir, ["register", .. args]);
        Assert.Equal(exitCode, r.ExitCode);
        string first = r.StdErr.Split('\n')[0];
        foreach (string s in mustMention) Assert.Contains(s, first);
        if (exitCode == 1) Assert.Equal(1, r.StdErr.TrimEnd().Split('\n').Length);
        Assert.Equal("", r.StdOut);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")), "no output folder may be created");
        Assert.Empty(Directory.GetFiles(_dir, ".*", SearchOption.AllDirectories));
    }

    private static string[] Pair(string f = "f.nii.gz", string m = "m.nii.gz") => ["--fixed", f, "--moving", m, "--output", "out"];

    [Fact]
    public void MismatchedDimensionalityNamesBothFiles() =>
        AssertFails(1, ["f.nii.gz", "v3.nii.gz", "2-D", "3-D"], Pair(m: "v3.nii.gz"));

    [Fact]
    public void NaNVoxelsNameTheFile() => AssertFails(1, ["nan.nii.gz", "--moving", "non-finite"], Pair(m: "nan.nii.gz"));

    [Fact]
    public void NonPositiveSigmaAndAlphaNameTheOption()
    {
        AssertFails(1, ["--sigma", "positive"], [.. Pair(), "--sigma", "0"]);
        AssertFails(1, ["--alpha", "positive"], [.. Pair(), "--alpha", "-2"]);
    }

    [Fact]
    public void BadSmoothingAndFinalInterpolationNameTheOption()
    {
        AssertFails(1, ["--smoothing", "[0, 100]"], [.. Pair(), "--smoothing", "-1"]);
        AssertFails(1, ["--final-interpolation", "linear, cubic or nearest"], [.. Pair(), "--final-interpolation", "quintic"]);
        AssertFails(1, ["--final-interpolation", "linear or cubic"], [.. Pair(), "--final-interpolation", "nearest"]);
    }

    [Fact]
    public void UnwritableOutputFolderIsRefusedBeforeRegistering()
    {
        // A path through an existing file cannot be created, even by root (permission bits would not stop root).
        var r = CliRunner.Run(_dir, "register", "--fixed", "f.nii.gz", "--moving", "m.nii.gz", "--output", "f.nii.gz/out");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--output", r.StdErr);
        Assert.Contains("is a file", r.StdErr);
        Assert.Equal(1, r.StdErr.TrimEnd().Split('\n').Length);
        Assert.Empty(Directory.GetFiles(_dir, ".*"));
    }

    [Fact]
    public void ScheduleErrorsNameTheOption()
    {
        AssertFails(1, ["--iterations", "has 2 levels", "--shrink has 3"], [.. Pair(), "--shrink", "4x2x1", "--iterations", "10x10"]);
        AssertFails(1, ["--shrink", "4x2xa"], [.. Pair(), "--shrink", "4x2xa", "--iterations", "1x1x1"]);
    }

    [Fact]
    public void UsageErrorsExitWith2()
    {
        AssertFails(2, ["--fixed", "required"], "--moving", "m.nii.gz", "--output", "out");
        AssertFails(2, ["--sigma", "number"], [.. Pair(), "--sigma", "abc"]);
    }

    [Fact]
    public void HelpDocumentsEveryOptionWithItsDefault()
    {
        var r = CliRunner.Run(_dir, "register", "--help");
        Assert.Equal(0, r.ExitCode);
        foreach (string option in new[] { "--fixed", "--moving", "--output", "--method", "--metric", "--radius", "--sigma", "--alpha", "--gamma",
                     "--s ", "--beta", "--time-steps", "--flow-shrink", "--smoothing", "--final-interpolation", "--shrink", "--iterations", "--tolerance", "--optimizer", "--threads", "--json", "--quiet" })
            Assert.Contains(option, r.StdOut);
        foreach (string text in new[] { "(default shooting)", "(default ssd)", "(default 0.02)", "(default 4)", "(default 16; 1 = full grid)", "(default cubic)", "(default 4x2x1)", "(default 100x50x25)",
                     "(default 10)", "Beg", "Vialard", "displacement.nii.gz", "report.png" })
            Assert.Contains(text, r.StdOut);
    }
}
