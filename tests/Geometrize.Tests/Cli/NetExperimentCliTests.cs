using System.Globalization;
using System.Text.Json;
using Geometrize.Imaging;
using Geometrize.Reports;

namespace Geometrize.Tests.Cli;

/// <summary>
/// <c>geometrize net experiment NAME --quick</c>: every experiment writes results.json, results.csv and experiment.png,
/// the numbers parse and are finite, the CSV has one row per run; bad names and options fail clearly.
/// </summary>
public sealed class NetExperimentCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("geometrize-net-experiment-").FullName;

    public NetExperimentCliTests() => GeometrizeReports.RegisterFormats();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Runs the experiment and checks the files every experiment writes; returns results.json's root.</summary>
    private JsonElement RunAndCheck(string name, int seeds, int expectedRuns, string[] finiteColumns, params string[] extra)
    {
        var r = CliRunner.Run(_dir, ["net", "experiment", name, "--quick", "--seeds", seeds.ToString(CultureInfo.InvariantCulture), "--output", name, .. extra]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains($"net experiment {name}: {expectedRuns} runs", r.StdOut);
        string dir = Path.Combine(_dir, name);
        Assert.Equal(["experiment.png", "results.csv", "results.json"], Directory.GetFiles(dir).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray());
        Assert.DoesNotContain(Directory.GetDirectories(_dir), d => Path.GetFileName(d).StartsWith('.'));

        var root = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json"))).RootElement;
        Assert.Equal(name, root.GetProperty("experiment").GetString());
        Assert.Equal(seeds, root.GetProperty("seeds").GetInt32());
        Assert.True(root.GetProperty("quick").GetBoolean());
        Assert.True(root.GetProperty("findings").GetArrayLength() > 0);
        var runs = root.GetProperty("runs");
        Assert.Equal(expectedRuns, runs.GetArrayLength());
        foreach (var run in runs.EnumerateArray())
            foreach (var column in finiteColumns)
            {
                var v = run.GetProperty(column);
                Assert.True(v.ValueKind == JsonValueKind.Number && double.IsFinite(v.GetDouble()), $"{name}: run value '{column}' is {v}");
            }

        var lines = File.ReadAllLines(Path.Combine(dir, "results.csv"));
        Assert.Equal(expectedRuns + 1, lines.Length);
        var header = lines[0].Split(',');
        foreach (var column in finiteColumns)
        {
            int c = Array.IndexOf(header, column);
            Assert.True(c >= 0, $"results.csv lacks column '{column}'");
            foreach (var line in lines.Skip(1))
                Assert.True(double.TryParse(line.Split(',')[c], NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d),
                    $"results.csv: '{column}' in '{line}'");
        }
        var image = ImageIO.Read(Path.Combine(dir, "experiment.png"));
        Assert.True(image.Geometry.Count > 100_000);
        return root;
    }

    [Fact]
    public void BatchNormSpeedComparesBothVariantsOverTheSeeds()
    {
        var root = RunAndCheck("batchnorm-speed", 2, 4, ["isometry_index", "isometry_index_init", "kinetic_energy", "test_acc"]);
        var runs = root.GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal(2, runs.Count(r => r.GetProperty("variant").GetString() == "batchnorm"));
        Assert.All(runs, r => Assert.Equal(6, r.GetProperty("speeds").GetArrayLength()));
        var summary = root.GetProperty("summary");
        Assert.Equal(6, summary.GetProperty("batchnorm").GetProperty("speedProfileMean").GetArrayLength());
        Assert.True(summary.GetProperty("plainFlow").GetProperty("isometryIndexMean").GetDouble() >= 0);
    }

    [Fact]
    public void ResidualVsPlainMeasuresBothFamiliesAtEveryDepth()
    {
        var root = RunAndCheck("residual-vs-plain", 1, 4, ["train_acc", "test_acc", "mean_squared_singular_value", "mean_turning_angle", "singular_jacobian_fraction"]);
        var runs = root.GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal(["flownet", "plainnet"], runs.Select(r => r.GetProperty("model").GetString()!).Distinct().Order(StringComparer.Ordinal).ToArray());
        // A condition number is at least 1; null stands for a singular Jacobian (infinite), which a small flow never has.
        foreach (var r in runs)
        {
            var c = r.GetProperty("median_condition_number");
            if (r.GetProperty("model").GetString() == "flownet") Assert.Equal(JsonValueKind.Number, c.ValueKind);
            Assert.True(c.ValueKind == JsonValueKind.Null || c.GetDouble() >= 1, $"condition number {c}");
        }
    }

    [Fact]
    public void GeodesicLengthComparesWeights()
    {
        var root = RunAndCheck("geodesic-length", 1, 2, ["kinetic_energy", "curve_length", "isometry_index", "test_acc", "energy_length_ratio"]);
        // Cauchy–Schwarz: 2·KE ≥ L² for any discrete curve, with equality only at constant speed.
        foreach (var run in root.GetProperty("runs").EnumerateArray())
            Assert.True(run.GetProperty("energy_length_ratio").GetDouble() >= 1 - 1e-12);
    }

    [SkippableFact]
    public void FisherRaoGeneralizationOnFashionMnistReportsRankCorrelations()
    {
        string dir = Path.GetDirectoryName(TestData.Require("fashion-mnist/train-images-idx3-ubyte.gz"))!;
        var root = RunAndCheck("fisher-rao-generalization", 1, 4, ["fisher_rao_true", "fisher_rao_empirical", "kinetic_energy", "curve_length", "hessian_trace", "generalization_gap"],
            "--data", "fashion-mnist:" + dir);
        var rho = root.GetProperty("summary").GetProperty("spearmanWithGap");
        foreach (var p in rho.EnumerateObject())
            Assert.True(p.Value.ValueKind == JsonValueKind.Null || Math.Abs(p.Value.GetDouble()) <= 1 + 1e-12, $"{p.Name}: {p.Value}");
    }

    [Fact]
    public void BadInputFailsClearlyAndWritesNothing()
    {
        var unknown = CliRunner.Run(_dir, "net", "experiment", "nonsense", "--output", "x");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("unknown experiment 'nonsense'", unknown.StdErr);
        foreach (var name in new[] { "batchnorm-speed", "residual-vs-plain", "fisher-rao-generalization", "geodesic-length" })
            Assert.Contains(name, unknown.StdErr);

        var noName = CliRunner.Run(_dir, "net", "experiment", "--output", "x");
        Assert.NotEqual(0, noName.ExitCode);
        Assert.Contains("batchnorm-speed", noName.StdErr);

        var seeds = CliRunner.Run(_dir, "net", "experiment", "batchnorm-speed", "--seeds", "0", "--quick", "--output", "x");
        Assert.NotEqual(0, seeds.ExitCode);
        Assert.Contains("--seeds", seeds.StdErr);

        var regression = CliRunner.Run(_dir, "net", "experiment", "geodesic-length", "--quick", "--data", "rings", "--output", "x");
        Assert.NotEqual(0, regression.ExitCode);
        Assert.Contains("classification", regression.StdErr);

        var missing = CliRunner.Run(_dir, "net", "experiment", "fisher-rao-generalization", "--quick", "--data", "fashion-mnist:" + Path.Combine(_dir, "none"), "--output", "x");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("Fashion-MNIST", missing.StdErr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "x")));
    }
}
