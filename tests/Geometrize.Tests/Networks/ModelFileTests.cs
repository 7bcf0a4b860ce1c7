using System.Text.Json.Nodes;
using Geometrize.Networks.Data;
using Geometrize.Networks.Models;
using Geometrize.Networks.Serialization;
using Geometrize.Networks.Training;

namespace Geometrize.Tests.Networks;

/// <summary>Model folders: save → load gives identical predictions; the JSON and weight names; corrupt folders.</summary>
public sealed class ModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("geometrize-modelfile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(ModelKind.FlowNet, true, false)]
    [InlineData(ModelKind.FlowNet, false, true)]
    [InlineData(ModelKind.PlainNet, true, false)]
    [InlineData(ModelKind.Mlp, true, false)]
    [InlineData(ModelKind.LogisticRegression, false, false)]
    public void SaveThenLoadGivesIdenticalPredictions(ModelKind kind, bool batchNorm, bool tied)
    {
        var data = SyntheticDatasets.GaussianBlobs(90, 3, 2, 0.3, seed: 1);
        var norm = Normalization.Fit(data);
        data = norm.Apply(data);
        var model = new ModelArchitecture { Kind = kind, InputDimension = 2, OutputDimension = 3, Width = 6, Hidden = 5, Depth = 3, BatchNorm = batchNorm, Tied = tied, Seed = 8 }.Create<float>();
        var settings = new TrainingSettings { Epochs = 2, BatchSize = 30 };
        new Trainer<float>(model, settings).Train(data); // moves weights and running statistics off their initial values
        ModelFile.Save(_dir, model, norm, settings, "blobs", LearningTask.Classification, ["a", "b", "c"]);
        var (loaded, description) = ModelFile.Load<float>(_dir);
        Assert.Equal(model.Architecture, loaded.Architecture);
        Assert.Equal(settings, description.Training);
        Assert.Equal(norm.Offset, description.Normalization!.Offset);
        Assert.Equal(["a", "b", "c"], description.ClassNames!);
        Assert.Equal("blobs", description.Dataset);
        Assert.Equal(Trainer<float>.Predict(model, data.Features, data.Count), Trainer<float>.Predict(loaded, data.Features, data.Count));
        // A float model also loads as double with the same values.
        var (asDouble, _) = ModelFile.Load<double>(_dir);
        Assert.Equal(model.State[0].Tensor.Data.Select(v => (double)v), asDouble.State[0].Tensor.Data);
    }

    [Fact]
    public void TheFilesCarryPyTorchNamesAndADescriptiveJson()
    {
        var model = new ModelArchitecture { Kind = ModelKind.FlowNet, InputDimension = 2, OutputDimension = 2, Width = 3, Hidden = 4, Depth = 2 }.Create<float>();
        ModelFile.Save(_dir, model, null, new TrainingSettings { Gradient = GradientMethod.Continuous });
        var file = SafeTensorsFile.Read(Path.Combine(_dir, ModelFile.WeightsFileName));
        Assert.Equal(SafeTensorsDType.F32, file["blocks.1.w1"].DType);
        Assert.Equal([4, 3], file["blocks.1.w1"].Shape);
        Assert.Equal("pt", file.Metadata["format"]);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, ModelFile.DescriptionFileName)))!;
        Assert.Equal("flownet", (string?)json["architecture"]!["kind"]);
        Assert.Equal("continuous", (string?)json["training"]!["adjoint"]);
        Assert.Equal(model.ParameterCount, (long)json["parameterCount"]!);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void MissingOrMismatchedFilesAreClearErrors()
    {
        Assert.Contains("model.json", Assert.Throws<DataFormatException>(() => ModelFile.Load<float>(_dir)).Message);
        var arch = new ModelArchitecture { Kind = ModelKind.Mlp, InputDimension = 2, OutputDimension = 2, Width = 3, Depth = 1 };
        ModelFile.Save(_dir, arch.Create<float>(), null, null);
        // Weights of another architecture under the same names: the shapes disagree.
        var other = (arch with { Width = 4 }).Create<float>();
        new SafeTensorsFile(other.State.Select(s => NamedArray.FromSingles(s.Name, [.. s.Tensor.Shape], s.Tensor.Data))).Write(Path.Combine(_dir, ModelFile.WeightsFileName));
        Assert.Contains("shape", Assert.Throws<DataFormatException>(() => ModelFile.Load<float>(_dir)).Message);
        File.WriteAllText(Path.Combine(_dir, ModelFile.DescriptionFileName), "{\"format\":\"something-else\"}");
        Assert.Contains("not a Geometrize model", Assert.Throws<DataFormatException>(() => ModelFile.Load<float>(_dir)).Message);
        File.WriteAllText(Path.Combine(_dir, ModelFile.DescriptionFileName), "{ not json");
        Assert.Contains("not valid JSON", Assert.Throws<DataFormatException>(() => ModelFile.Load<float>(_dir)).Message);
    }
}
