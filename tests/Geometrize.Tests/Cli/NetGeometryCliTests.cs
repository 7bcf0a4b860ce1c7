using System.Text.Json;
using Geometrize.Imaging;
using Geometrize.Reports;

namespace Geometrize.Tests.Cli;

/// <summary><c>geometrize net geometry</c> on a tiny model trained by <c>net train</c>: the output files, their keys, and bad input.</summary>
public sealed class NetGeometryCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("geometrize-net-geometry-").FullName;

    public NetGeometryCliTests() => GeometrizeReports.RegisterFormats();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Train(string kind)
    {
        var r = CliRunner.Run(_dir, "net", "train", "--data", "moons", "--model", kind, "--depth", "3", "--width", "4", "--hidden", "8",
            "--epochs", "2", "--train-limit", "80", "--test-limit", "0", "--seed", "1", "--quiet", "--output", "model");
        Assert.True(r.ExitCode == 0, r.StdErr);
    }

    private CliRunner.Result Geometry(params string[] extra) =>
        CliRunner.Run(_dir, ["net", "geometry", "model", "--data", "moons", "--samples", "60", "--top", "2", "--probes", "8", "--lanczos", "8", .. extra]);

    [Fact]
    public void FlowNetGeometryWritesTheDocumentedKeysAndThePicture()
    {
        Train("flownet");
        var r = Geometry("--output", "geo");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("Hessian trace, 8 Hutchinson probes", r.StdErr);
        Assert.Contains("net geometry: wrote geo", r.StdOut);
        string geo = Path.Combine(_dir, "geo");
        Assert.Equal(["geometry.json", "geometry.png"], Directory.GetFiles(geo).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray());
        Assert.DoesNotContain(Directory.GetDirectories(_dir), d => Path.GetFileName(d).StartsWith('.')); // no staging folder left

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(geo, "geometry.json")));
        var root = doc.RootElement;
        Assert.Equal(["model", "dataset", "samples", "parameterCount", "seed", "loss", "trajectory", "parameterCurve", "jacobian", "fisherRao", "hessian", "seconds"],
            root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("flownet", root.GetProperty("model").GetString());
        Assert.Equal(60, root.GetProperty("samples").GetInt32());
        var t = root.GetProperty("trajectory");
        Assert.Equal(3, t.GetProperty("speeds").GetArrayLength());
        Assert.Equal(2, t.GetProperty("turningAngles").GetArrayLength());
        Assert.True(t.GetProperty("isometryIndex").GetDouble() >= 0);
        Assert.True(t.GetProperty("kineticEnergy").GetDouble() > 0);
        Assert.Equal(3, root.GetProperty("parameterCurve").GetProperty("norms").GetArrayLength());
        var j = root.GetProperty("jacobian");
        Assert.Equal(4, j.GetProperty("inputDimension").GetInt32()); // the flow map acts on the width-4 states
        Assert.Equal(4, j.GetProperty("outputDimension").GetInt32());
        Assert.Equal(JsonValueKind.Number, j.GetProperty("meanLogAbsDeterminant").ValueKind);
        Assert.True(root.GetProperty("fisherRao").GetProperty("empirical").GetDouble() > 0);
        var h = root.GetProperty("hessian");
        Assert.Equal(2, h.GetProperty("topEigenvalues").GetArrayLength());
        Assert.Equal(8, h.GetProperty("trace").GetProperty("probes").GetInt32());
        Assert.Equal(h.GetProperty("density").GetProperty("grid").GetArrayLength(), h.GetProperty("density").GetProperty("density").GetArrayLength());

        var image = ImageIO.Read(Path.Combine(geo, "geometry.png"));
        Assert.True(image.Geometry.Count > 100_000);
    }

    [Fact]
    public void LogisticRegressionHasNullTrajectory()
    {
        Train("logreg");
        var r = Geometry("--output", "geo");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "geo", "geometry.json")));
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("trajectory").ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("parameterCurve").ValueKind);
        Assert.Equal("network map output/input", doc.RootElement.GetProperty("jacobian").GetProperty("map").GetString());
        Assert.True(File.Exists(Path.Combine(_dir, "geo", "geometry.png")));
    }

    [Fact]
    public void BadInputFailsClearlyAndWritesNothing()
    {
        var missing = CliRunner.Run(_dir, "net", "geometry", "nowhere", "--data", "moons", "--output", "geo");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("'nowhere' not found", missing.StdErr);

        Train("flownet");
        File.WriteAllText(Path.Combine(_dir, "three.csv"), "a,b,c,y\n1,2,3,0\n4,5,6,1\n7,8,9,0\n1,1,1,1\n2,2,2,0\n");
        var wrongSize = CliRunner.Run(_dir, "net", "geometry", "model", "--data", "csv:three.csv", "--output", "geo");
        Assert.NotEqual(0, wrongSize.ExitCode);
        Assert.Contains("3 features but the model takes 2", wrongSize.StdErr);

        var badNumber = Geometry("--probes", "-3", "--output", "geo");
        Assert.NotEqual(0, badNumber.ExitCode);
        Assert.Contains("--probes", badNumber.StdErr);
        var notNumber = CliRunner.Run(_dir, "net", "geometry", "model", "--data", "moons", "--samples", "many", "--output", "geo");
        Assert.NotEqual(0, notNumber.ExitCode);
        Assert.Contains("--samples", notNumber.StdErr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "geo")));
    }
}
