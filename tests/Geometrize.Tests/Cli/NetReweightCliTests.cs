using System.Globalization;
using System.Text.Json;
using Geometrize.Imaging;
using Geometrize.Reports;

namespace Geometrize.Tests.Cli;

/// <summary><c>geometrize net reweight</c>: the output files of a tiny run on generated data, and bad input.</summary>
public sealed class NetReweightCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("geometrize-net-reweight-").FullName;

    public NetReweightCliTests() => GeometrizeReports.RegisterFormats();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void UniformNoiseRunWritesHistoryWeightsSummaryAndPlot()
    {
        var r = CliRunner.Run(_dir, "net", "reweight", "--data", "moons", "--noise", "uniform:0.3", "--clean-validation", "20",
            "--train-limit", "220", "--test-limit", "100", "--epochs", "3", "--batch", "40", "--lr", "0.01", "--width", "8", "--seed", "1",
            "--output", "rw", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("net reweight: wrote rw", r.StdOut);
        string run = Path.Combine(_dir, "rw");
        Assert.Equal(["history.csv", "reweight.png", "summary.json", "weights.csv"],
            Directory.GetFiles(run).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal([run], Directory.GetFileSystemEntries(_dir)); // no staging folder left

        var history = File.ReadAllLines(Path.Combine(run, "history.csv"));
        Assert.Equal("epoch,run,loss,train_acc,test_acc,seconds", history[0]);
        Assert.Equal(1 + 3 * 3, history.Length);
        Assert.Equal(["plain", "reweighted", "clean-only"], history.Skip(1).Select(l => l.Split(',')[1]).Distinct().ToArray());
        foreach (var line in history.Skip(1))
        {
            var v = line.Split(',');
            Assert.InRange(double.Parse(v[4], CultureInfo.InvariantCulture), 0, 1);
            Assert.True(double.Parse(v[2], CultureInfo.InvariantCulture) > 0);
        }

        var weights = File.ReadAllLines(Path.Combine(run, "weights.csv"));
        Assert.Equal("index,source_index,label,true_label,corrupted,mean_weight", weights[0]);
        Assert.Equal(1 + 200, weights.Length); // 220 − 20 clean validation samples
        var rows = weights.Skip(1).Select(l => l.Split(',')).ToArray();
        int corrupted = rows.Count(v => v[4] == "1");
        Assert.Equal(60, corrupted); // round(0.3 · 200)
        Assert.All(rows, v => Assert.Equal(v[4] == "1", v[2] != v[3]));
        double sum = rows.Sum(v => double.Parse(v[5], CultureInfo.InvariantCulture));
        Assert.Equal(5, sum, 6); // each of the 5 batches of the last epoch sums to 1

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        var s = summary.RootElement;
        Assert.Equal("uniform:0.3", s.GetProperty("noise").GetString());
        Assert.Equal(20, s.GetProperty("cleanValidation").GetInt32());
        Assert.Equal(60, s.GetProperty("corruptedSamples").GetInt32());
        var runs = s.GetProperty("runs");
        double plainAcc = double.Parse(history[3].Split(',')[4], CultureInfo.InvariantCulture);
        Assert.Equal(plainAcc, runs.GetProperty("plain").GetProperty("finalTestAccuracy").GetDouble());
        Assert.Equal(15, runs.GetProperty("clean-only").GetProperty("steps").GetInt32()); // as many steps as the other runs
        var w = s.GetProperty("weights");
        double meanClean = rows.Where(v => v[4] == "0").Average(v => double.Parse(v[5], CultureInfo.InvariantCulture));
        Assert.Equal(meanClean, w.GetProperty("meanClean").GetDouble(), 12);
        Assert.True(w.GetProperty("meanCorrupted").GetDouble() < meanClean);

        var image = ImageIO.Read(Path.Combine(run, "reweight.png"));
        Assert.True(image.Geometry.Count > 10_000);
    }

    [Fact]
    public void ImbalanceRunReportsMajorityAndMinorityWeights()
    {
        var r = CliRunner.Run(_dir, "net", "reweight", "--data", "moons", "--noise", "imbalance:0.8", "--clean-validation", "10",
            "--train-limit", "200", "--test-limit", "60", "--epochs", "1", "--batch", "32", "--meta", "first-order", "--output", "imb", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "imb", "summary.json")));
        var s = summary.RootElement;
        Assert.Equal("first-order", s.GetProperty("metaGradient").GetString());
        Assert.Equal(0, s.GetProperty("corruptedSamples").GetInt32());
        Assert.Equal(95 + 24, s.GetProperty("trainSamples").GetInt32()); // 95 majority left, round(95 · 0.2/0.8) minority
        Assert.True(s.GetProperty("weights").TryGetProperty("meanMinority", out _));
    }

    [Theory]
    [InlineData(1, "--noise", "--noise", "uniform:1", "--clean-validation", "10")]
    [InlineData(1, "unknown label noise", "--noise", "flip:0.2", "--clean-validation", "10")]
    [InlineData(1, "--clean-validation", "--noise", "uniform:0.4", "--clean-validation", "500")]
    [InlineData(1, "--clean-validation", "--noise", "uniform:0.4", "--clean-validation", "0")]
    [InlineData(1, "lbfgs", "--noise", "uniform:0.4", "--clean-validation", "10", "--optimizer", "lbfgs")]
    [InlineData(1, "--meta", "--noise", "uniform:0.4", "--clean-validation", "10", "--meta", "second-order")]
    [InlineData(1, "--classes", "--noise", "imbalance:0.9", "--clean-validation", "10", "--classes", "0")]
    [InlineData(1, "does not apply to uniform:0.4", "--noise", "uniform:0.4", "--clean-validation", "10", "--classes", "0,1")]
    [InlineData(2, "missing required option '--clean-validation N'", "--noise", "uniform:0.4")]
    [InlineData(2, "missing required option '--noise'", "--clean-validation", "10")]
    public void BadInputIsAClearErrorAndWritesNothing(int exitCode, string message, params string[] options)
    {
        var r = CliRunner.Run(_dir, ["net", "reweight", "--data", "moons", "--train-limit", "100", .. options, "--output", "bad", "--quiet"]);
        Assert.Equal(exitCode, r.ExitCode);
        Assert.Contains(message, r.StdErr);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }
}
