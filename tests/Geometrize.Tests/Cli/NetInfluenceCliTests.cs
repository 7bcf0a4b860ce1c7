using System.Globalization;
using System.Text;
using System.Text.Json;
using Geometrize.Imaging;
using Geometrize.Reports;

namespace Geometrize.Tests.Cli;

/// <summary>
/// <c>geometrize net influence</c> on tiny models trained by <c>net train</c> in the test: the three output files and
/// their contents, leave-one-out validation, the solvers, and bad input (non-zero exit, a clear message, no output).
/// </summary>
public sealed class NetInfluenceCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("geometrize-net-influence-").FullName;

    public NetInfluenceCliTests() => GeometrizeReports.RegisterFormats();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>100 tiny 4×4 "images" of two classes (bright top half or bright bottom half, plus noise) as a CSV file.</summary>
    private string WriteImageCsv()
    {
        var rng = new Random(3);
        var sb = new StringBuilder(string.Join(",", Enumerable.Range(0, 16).Select(j => $"p{j}")) + ",label\n");
        for (int i = 0; i < 100; i++)
        {
            int label = i % 2;
            for (int j = 0; j < 16; j++)
            {
                bool top = j < 8;
                double v = (top == (label == 0) ? 0.8 : 0.2) + 0.35 * (rng.NextDouble() - 0.5);
                sb.Append(v.ToString("0.###", CultureInfo.InvariantCulture)).Append(',');
            }
            sb.Append(label).Append('\n');
        }
        string path = Path.Combine(_dir, "tiles.csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    private void Train(string data, string kind, params string[] extra)
    {
        var r = CliRunner.Run(_dir, ["net", "train", "--data", data, "--model", kind, "--depth", "1", "--width", "4",
            "--optimizer", "lbfgs", "--epochs", "10", "--lbfgs-iterations", "100", "--seed", "1", "--quiet", "--output", "model", .. extra]);
        Assert.True(r.ExitCode == 0, r.StdErr);
    }

    private CliRunner.Result Influence(string data, params string[] extra) =>
        CliRunner.Run(_dir, ["net", "influence", "model", "--data", data, "--quiet", .. extra]);

    [Fact]
    public void ImageDataWriteCsvJsonAndPictureAndValidate()
    {
        string csv = "csv:" + WriteImageCsv();
        Train(csv, "logreg", "--weight-decay", "0.05");
        var r = Influence(csv, "--test-index", "3", "--top", "4", "--validate", "8", "--output", "inf");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("solver exact", r.StdErr);
        Assert.Contains("net influence: wrote inf", r.StdOut);
        string inf = Path.Combine(_dir, "inf");
        Assert.Equal(["influence.csv", "influence.json", "influence.png"], Directory.GetFiles(inf).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray());
        Assert.DoesNotContain(Directory.GetDirectories(_dir), d => Path.GetFileName(d).StartsWith('.'));

        var lines = File.ReadAllLines(Path.Combine(inf, "influence.csv"));
        Assert.Equal("training_index,label,influence,predicted_loss_change", lines[0]);
        Assert.Equal(81, lines.Length);   // 80 training rows (80/20 split of 100)
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(Enumerable.Range(0, 80).Select(i => i.ToString(CultureInfo.InvariantCulture)), rows.Select(c => c[0]));
        foreach (var c in rows)
        {
            double influence = double.Parse(c[2], CultureInfo.InvariantCulture), predicted = double.Parse(c[3], CultureInfo.InvariantCulture);
            Assert.Equal(-influence / 80, predicted, 1e-15);   // predicted change on removal = −(1/n)·I_up,loss
            Assert.Contains(c[1], new[] { "0", "1" });
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(inf, "influence.json")));
        var root = doc.RootElement;
        Assert.Equal("exact", root.GetProperty("solver").GetString());
        Assert.Equal(0.05, root.GetProperty("l2").GetDouble());
        Assert.Equal("weight-decay", root.GetProperty("l2Source").GetString());
        Assert.Equal(3, root.GetProperty("test").GetProperty("index").GetInt32());
        Assert.True(root.GetProperty("solve").GetProperty("converged").GetBoolean());
        var harmful = root.GetProperty("mostHarmful");
        Assert.Equal(4, harmful.GetArrayLength());
        double first = harmful[0].GetProperty("influence").GetDouble();
        Assert.Equal(rows.Max(c => double.Parse(c[2], CultureInfo.InvariantCulture)), first, 1e-15);
        Assert.Equal(4, root.GetProperty("mostHelpful").GetArrayLength());
        var validation = root.GetProperty("validation");
        Assert.Equal(8, validation.GetProperty("pairs").GetInt32());
        Assert.True(validation.GetProperty("pearson").GetDouble() > 0.9, validation.ToString());

        var image = ImageIO.Read(Path.Combine(inf, "influence.png"));
        Assert.True(image.Geometry.Count > 50_000);
    }

    [Fact]
    public void MlpWithConjugateGradientAndLissaAgree()
    {
        Train("moons", "mlp", "--weight-decay", "0.01", "--train-limit", "120", "--test-limit", "20");
        var cg = Influence("moons", "--train-limit", "120", "--test-limit", "20", "--test-index", "5", "--solver", "cg", "--cg-tolerance", "1e-10", "--output", "cg");
        Assert.True(cg.ExitCode == 0, cg.StdErr);
        var lissa = Influence("moons", "--train-limit", "120", "--test-limit", "20", "--test-index", "5", "--solver", "lissa", "--lissa-depth", "20000", "--output", "lissa");
        Assert.True(lissa.ExitCode == 0, lissa.StdErr);
        double[] Read(string folder) => File.ReadAllLines(Path.Combine(_dir, folder, "influence.csv")).Skip(1)
            .Select(l => double.Parse(l.Split(',')[2], CultureInfo.InvariantCulture)).ToArray();
        var a = Read("cg");
        var b = Read("lissa");
        Assert.Equal(120, a.Length);
        double num = a.Zip(b, (x, y) => (x - y) * (x - y)).Sum(), den = a.Sum(x => x * x);
        Assert.True(Math.Sqrt(num / den) < 0.02, $"relative difference {Math.Sqrt(num / den)}");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "cg", "influence.json")));
        Assert.Equal("cg", doc.RootElement.GetProperty("solver").GetString());
        Assert.True(doc.RootElement.GetProperty("solve").GetProperty("iterations").GetInt32() > 1);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("validation").ValueKind);
    }

    [Fact]
    public void NonConvergentConjugateGradientWarnsAndStillWrites()
    {
        Train("moons", "mlp", "--weight-decay", "0.01", "--train-limit", "80", "--test-limit", "10");
        var r = Influence("moons", "--train-limit", "80", "--test-limit", "10", "--test-index", "0", "--solver", "cg", "--cg-iterations", "1", "--output", "inf");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("warning: conjugate gradient did not converge", r.StdErr);
        Assert.Contains("relative residual", r.StdErr);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "inf", "influence.json")));
        var solve = doc.RootElement.GetProperty("solve");
        Assert.False(solve.GetProperty("converged").GetBoolean());
        Assert.Equal(1, solve.GetProperty("iterations").GetInt32());
        Assert.True(solve.GetProperty("relativeResidual").GetDouble() > 1e-6);
        Assert.Contains("did not converge", solve.GetProperty("warning").GetString());
    }

    [Fact]
    public void BadInputFailsClearlyAndWritesNothing()
    {
        // Softmax regression without weight decay: adding one vector to every class's weights leaves the loss unchanged,
        // so the Hessian is singular and the exact solver needs damping.
        Train("moons", "logreg", "--train-limit", "60", "--test-limit", "10");
        var singular = Influence("moons", "--train-limit", "60", "--test-limit", "10", "--test-index", "0", "--output", "out");
        Assert.Equal(1, singular.ExitCode);
        Assert.Contains("not positive definite", singular.StdErr);
        Assert.Contains("--damping", singular.StdErr);
        var damped = Influence("moons", "--train-limit", "60", "--test-limit", "10", "--test-index", "0", "--damping", "0.01", "--output", "damped");
        Assert.True(damped.ExitCode == 0, damped.StdErr);

        var outOfRange = Influence("moons", "--train-limit", "60", "--test-limit", "10", "--test-index", "10", "--output", "out");
        Assert.Equal(1, outOfRange.ExitCode);
        Assert.Contains("--test-index", outOfRange.StdErr);
        Assert.Contains("outside [0, 10)", outOfRange.StdErr);

        var mismatch = Influence("spheres", "--test-index", "0", "--output", "out");
        Assert.Equal(1, mismatch.ExitCode);
        Assert.Contains("3 features", mismatch.StdErr);
        Assert.Contains("expects 2", mismatch.StdErr);

        var noIndex = Influence("moons", "--output", "out");
        Assert.Equal(2, noIndex.ExitCode);
        Assert.Contains("--test-index", noIndex.StdErr);
        var badSolver = Influence("moons", "--test-index", "0", "--solver", "newton", "--output", "out");
        Assert.Equal(1, badSolver.ExitCode);
        Assert.Contains("unknown solver", badSolver.StdErr);
        var missing = CliRunner.Run(_dir, "net", "influence", "nowhere", "--data", "moons", "--test-index", "0", "--output", "out");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not found", missing.StdErr);

        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
        Assert.DoesNotContain(Directory.GetDirectories(_dir), d => Path.GetFileName(d).StartsWith('.'));
    }
}
