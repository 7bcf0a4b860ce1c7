using System.Text.Json;

namespace Geometrize.Tests.Cli;

/// <summary><c>net train --kinetic-energy W</c>: the weight reaches model.json; other models and bad values are refused.</summary>
public sealed class NetTrainKineticEnergyCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("geometrize-net-ke-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private CliRunner.Result Train(string model, string weight, string output) =>
        CliRunner.Run(_dir, "net", "train", "--data", "moons", "--model", model, "--depth", "3", "--width", "4", "--hidden", "8",
            "--epochs", "2", "--train-limit", "60", "--test-limit", "0", "--kinetic-energy", weight, "--quiet", "--output", output);

    [Fact]
    public void TheWeightIsStoredInModelJson()
    {
        var r = Train("flownet", "0.5", "m");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "m", "model.json")));
        Assert.Equal(0.5, doc.RootElement.GetProperty("training").GetProperty("kineticEnergyWeight").GetDouble());
    }

    [Fact]
    public void OtherModelsAndBadWeightsAreRefused()
    {
        var mlp = Train("mlp", "0.5", "a");
        Assert.NotEqual(0, mlp.ExitCode);
        Assert.Contains("--kinetic-energy", mlp.StdErr);
        var negative = Train("flownet", "-1", "b");
        Assert.NotEqual(0, negative.ExitCode);
        Assert.Contains("--kinetic-energy", negative.StdErr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "a")));
        Assert.False(Directory.Exists(Path.Combine(_dir, "b")));
    }
}
