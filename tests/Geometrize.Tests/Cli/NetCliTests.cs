using System.Globalization;
using System.Text.Json;
using Geometrize.Imaging;
using Geometrize.Networks.Data;
using Geometrize.Networks.Models;
using Geometrize.Networks.Training;
using Geometrize.Reports;

namespace Geometrize.Tests.Cli;

/// <summary><c>geometrize net</c>: every output file of a small training run, the data sources, and bad input.</summary>
public sealed class NetCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("geometrize-net-cli-").FullName;

    public NetCliTests() => GeometrizeReports.RegisterFormats();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TrainOnMoonsWritesEveryOutputFile()
    {
        var r = CliRunner.Run(_dir, "net", "train", "--data", "moons", "--model", "flownet", "--depth", "4", "--width", "6", "--hidden", "12",
            "--epochs", "3", "--batch", "32", "--train-limit", "120", "--test-limit", "60", "--seed", "2", "--output", "run");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("epoch 3/3", r.StdErr);
        Assert.Contains("net train: wrote run", r.StdOut);
        string run = Path.Combine(_dir, "run");
        Assert.Equal(["curves.png", "decision.png", "history.csv", "model.json", "model.safetensors", "summary.json"],
            Directory.GetFiles(run).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal([run], Directory.GetDirectories(_dir).Concat(Directory.GetFiles(_dir)).ToArray()); // no staging folder left

        var history = File.ReadAllLines(Path.Combine(run, "history.csv"));
        Assert.Equal("epoch,loss,train_acc,test_acc,seconds", history[0]);
        Assert.Equal(4, history.Length);
        var last = history[3].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(3, last[0]);
        Assert.InRange(last[2], 0.5, 1);
        Assert.InRange(last[3], 0.5, 1);

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        var s = summary.RootElement;
        Assert.Equal("flownet", s.GetProperty("model").GetString());
        Assert.Equal(last[2], s.GetProperty("trainAccuracy").GetDouble());
        Assert.Equal(last[3], s.GetProperty("testAccuracy").GetDouble());
        Assert.Equal(120, s.GetProperty("trainSamples").GetInt32());
        Assert.True(s.GetProperty("seconds").GetDouble() > 0);

        var (model, description) = ModelFile.Load<float>(run);
        Assert.Equal(s.GetProperty("parameterCount").GetInt64(), model.ParameterCount);
        Assert.Equal(4, model.Architecture.Depth);
        Assert.Equal("moons", description.Dataset);
        // The saved model with its saved normalisation reproduces the reported test accuracy on the regenerated test set.
        var test = description.Normalization!.Apply(SyntheticDatasets.Create("moons", 60, 0.05, 3));
        Assert.Equal(last[3], Trainer<float>.Accuracy(model, test));

        foreach (string png in new[] { "curves.png", "decision.png" })
        {
            var image = ImageIO.Read(Path.Combine(run, png));
            Assert.True(image.Geometry.Count > 10_000, png);
        }
    }

    [Fact]
    public void RegressionWithAnMlpAndContinuousAdjointFlowOn3DData()
    {
        var r = CliRunner.Run(_dir, "net", "train", "--data", "rings", "--model", "mlp", "--epochs", "2", "--train-limit", "100",
            "--test-limit", "0", "--output", "reg", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("MSE", r.StdOut);
        var row = File.ReadAllLines(Path.Combine(_dir, "reg", "history.csv"))[2].Split(',');
        Assert.Equal(["nan", "nan"], row[2..4]);
        Assert.True(File.Exists(Path.Combine(_dir, "reg", "decision.png")));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "reg", "summary.json")));
        Assert.Equal(JsonValueKind.Null, summary.RootElement.GetProperty("trainAccuracy").ValueKind);

        var c = CliRunner.Run(_dir, "net", "train", "--data", "spheres", "--model", "flownet", "--adjoint", "continuous", "--depth", "3",
            "--width", "4", "--hidden", "8", "--epochs", "1", "--train-limit", "64", "--test-limit", "32", "--output", "cont", "--quiet");
        Assert.True(c.ExitCode == 0, c.StdErr);
        Assert.False(File.Exists(Path.Combine(_dir, "cont", "decision.png"))); // 3-D data: no decision regions
        Assert.Contains("\"adjoint\": \"continuous\"", File.ReadAllText(Path.Combine(_dir, "cont", "model.json")));
    }

    [Fact]
    public void CsvDataTrainsALogisticRegressionAndKeepsOtherFilesInAnExistingFolder()
    {
        var lines = new List<string> { "a,b,c,label" };
        var rng = new Random(1);
        for (int i = 0; i < 80; i++)
        {
            double a = rng.NextDouble(), b = rng.NextDouble(), c = rng.NextDouble();
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{a},{b},{c},{(a + b > 1 ? "yes" : "no")}"));
        }
        File.WriteAllLines(Path.Combine(_dir, "table.csv"), lines);
        Directory.CreateDirectory(Path.Combine(_dir, "out"));
        File.WriteAllText(Path.Combine(_dir, "out", "notes.txt"), "keep me");
        var r = CliRunner.Run(_dir, "net", "train", "--data", "csv:table.csv", "--model", "logreg", "--epochs", "5", "--lr", "0.1",
            "--optimizer", "sgd", "--output", "out", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(_dir, "out", "notes.txt")));
        var (_, d) = ModelFile.Load<float>(Path.Combine(_dir, "out"));
        Assert.Equal(["no", "yes"], d.ClassNames!);
        Assert.Equal(ModelKind.LogisticRegression, d.Architecture.Kind);
        Assert.Equal(OptimizerKind.Sgd, d.Training!.Optimizer);
    }

    [Fact]
    public void NetAloneListsTheSubCommands()
    {
        var r = CliRunner.Run(_dir, "net");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("train", r.StdOut);
        Assert.Contains("sub-commands", r.StdOut);
        Assert.Contains("net", CliRunner.Run(_dir, "--help").StdOut);
    }

    [Theory]
    [InlineData(1, "unknown dataset 'nosuchset'", "--data", "nosuchset")]
    [InlineData(1, "--lr: the learning rate must be positive and finite, got NaN", "--data", "moons", "--lr", "nan")]
    [InlineData(1, "--lr", "--data", "moons", "--lr", "-1")]
    [InlineData(1, "unknown model 'resnet'", "--data", "moons", "--model", "resnet")]
    [InlineData(1, "continuous adjoint needs --model flownet", "--data", "moons", "--model", "mlp", "--adjoint", "continuous")]
    [InlineData(1, "does not exist", "--data", "fashion-mnist:no/such/folder")]
    [InlineData(1, "csv needs a file", "--data", "csv:")]
    [InlineData(1, "not found", "--data", "csv:missing.csv")]
    [InlineData(1, "--epochs", "--data", "moons", "--epochs", "0")]
    [InlineData(1, "unknown optimiser", "--data", "moons", "--optimizer", "rmsprop")]
    [InlineData(2, "missing required option '--data'")]
    [InlineData(2, "expects an integer", "--data", "moons", "--depth", "ten")]
    public void BadInputIsAClearErrorAndWritesNothing(int exitCode, string message, params string[] options)
    {
        var r = CliRunner.Run(_dir, ["net", "train", .. options, "--output", "bad", "--quiet"]);
        Assert.Equal(exitCode, r.ExitCode);
        Assert.Contains(message, r.StdErr);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void UnknownSubCommandIsAUsageError()
    {
        var r = CliRunner.Run(_dir, "net", "fly");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown sub-command 'net fly'", r.StdErr);
    }
}
