using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Geometrize.Autodiff;
using Geometrize.Imaging;
using Geometrize.Networks.Data;
using Geometrize.Networks.Serialization;
using Geometrize.Networks.Training;

namespace Geometrize.Networks.Models;

/// <summary>What <c>model.json</c> says about a saved model besides its weights.</summary>
/// <param name="Architecture">Rebuilds the network.</param>
/// <param name="Training">Settings it was trained with, when known.</param>
/// <param name="Normalization">The input normalisation to apply before <see cref="IModel{T}.Forward"/>, when any.</param>
/// <param name="Dataset">Name of the training set.</param>
/// <param name="Task">Classification or regression.</param>
/// <param name="ClassNames">Names of the classes (classification), when known.</param>
public sealed record ModelDescription(ModelArchitecture Architecture, TrainingSettings? Training, Normalization? Normalization,
    string? Dataset, LearningTask Task, IReadOnlyList<string>? ClassNames);

/// <summary>
/// A model folder: <c>model.safetensors</c> (every <see cref="IModel{T}.State"/> tensor under its PyTorch-style name,
/// float32 for float models and float64 for double models, so weights load in PyTorch with
/// <c>safetensors.torch.load_file</c>) and <c>model.json</c> (format, architecture, training settings, normalisation,
/// dataset, task, class names). Both files are written atomically.
/// </summary>
public static class ModelFile
{
    /// <summary>File name of the weights.</summary>
    public const string WeightsFileName = "model.safetensors";
    /// <summary>File name of the description.</summary>
    public const string DescriptionFileName = "model.json";
    /// <summary>The <c>format</c> value in <c>model.json</c>.</summary>
    public const string FormatName = "geometrize-model";
    /// <summary>The <c>version</c> value in <c>model.json</c>.</summary>
    public const int FormatVersion = 1;

    /// <summary>Writes <c>model.safetensors</c> and <c>model.json</c> into <paramref name="directory"/> (which must exist).</summary>
    public static void Save<T>(string directory, IModel<T> model, Normalization? normalization, TrainingSettings? settings,
        string? dataset = null, LearningTask task = LearningTask.Classification, IReadOnlyList<string>? classNames = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(model);
        var arrays = model.State.Select(s => typeof(T) == typeof(float)
            ? NamedArray.FromSingles(s.Name, [.. s.Tensor.Shape], s.Tensor.Data.Select(v => float.CreateTruncating(v)).ToArray())
            : NamedArray.FromDoubles(s.Name, [.. s.Tensor.Shape], s.Tensor.Data.Select(v => double.CreateTruncating(v)).ToArray()));
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "geometrize", ["model"] = ModelArchitecture.KindName(model.Architecture.Kind) };
        new SafeTensorsFile(arrays, metadata).Write(Path.Combine(directory, WeightsFileName));
        string json = Describe(new ModelDescription(model.Architecture, settings, normalization, dataset, task, classNames), model.ParameterCount);
        AtomicFile.Write(Path.Combine(directory, DescriptionFileName), s => s.Write(System.Text.Encoding.UTF8.GetBytes(json)));
    }

    /// <summary>The text of <c>model.json</c>.</summary>
    public static string Describe(ModelDescription description, long parameterCount)
    {
        ArgumentNullException.ThrowIfNull(description);
        var a = description.Architecture;
        var root = new JsonObject
        {
            ["format"] = FormatName,
            ["version"] = FormatVersion,
            ["architecture"] = new JsonObject
            {
                ["kind"] = ModelArchitecture.KindName(a.Kind),
                ["inputs"] = a.InputDimension,
                ["outputs"] = a.OutputDimension,
                ["width"] = a.Width,
                ["hidden"] = a.Hidden,
                ["depth"] = a.Depth,
                ["activation"] = a.Activation.Name(),
                ["batchNorm"] = a.BatchNorm,
                ["tied"] = a.Tied,
                ["seed"] = a.Seed,
            },
            ["parameterCount"] = parameterCount,
            ["task"] = description.Task == LearningTask.Classification ? "classification" : "regression",
            ["dataset"] = description.Dataset,
        };
        if (description.ClassNames != null) root["classNames"] = new JsonArray([.. description.ClassNames.Select(n => (JsonNode?)JsonValue.Create(n))]);
        if (description.Training is { } t)
            root["training"] = new JsonObject
            {
                ["epochs"] = t.Epochs,
                ["batchSize"] = t.BatchSize,
                ["optimizer"] = TrainingSettings.OptimizerName(t.Optimizer),
                ["learningRate"] = t.LearningRate,
                ["weightDecay"] = t.WeightDecay,
                ["momentum"] = t.Momentum,
                ["lbfgsIterations"] = t.LbfgsIterations,
                ["seed"] = t.Seed,
                ["adjoint"] = t.Gradient == GradientMethod.Continuous ? "continuous" : "discrete",
                ["kineticEnergyWeight"] = t.KineticEnergyWeight,
            };
        if (description.Normalization != null) root["normalization"] = JsonNode.Parse(description.Normalization.ToJson());
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>Rebuilds the model saved in <paramref name="directory"/> and loads its weights (converted to <typeparamref name="T"/>).</summary>
    /// <exception cref="DataFormatException">A file is missing, unreadable, or does not match the architecture.</exception>
    public static (IModel<T> Model, ModelDescription Description) Load<T>(string directory) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(directory);
        string jsonPath = Path.Combine(directory, DescriptionFileName), weightsPath = Path.Combine(directory, WeightsFileName);
        if (!File.Exists(jsonPath)) throw new DataFormatException(jsonPath, "not found; a model folder holds model.json and model.safetensors (written by 'geometrize net train').");
        if (!File.Exists(weightsPath)) throw new DataFormatException(weightsPath, "not found; a model folder holds model.json and model.safetensors (written by 'geometrize net train').");
        var description = ParseDescription(File.ReadAllText(jsonPath), jsonPath);
        IModel<T> model;
        try { model = description.Architecture.Create<T>(); }
        catch (InvalidParameterException e) { throw new DataFormatException(jsonPath, $"invalid architecture: {e.Message}", e); }
        var file = SafeTensorsFile.Read(weightsPath);
        foreach (var (name, tensor, _) in model.State)
        {
            if (!file.TryGet(name, out var array))
                throw new DataFormatException(weightsPath, $"has no tensor '{name}', which the {ModelArchitecture.KindName(description.Architecture.Kind)} in model.json needs; the two files do not belong together.");
            if (!array.Shape.SequenceEqual(tensor.Shape))
                throw new DataFormatException(weightsPath, $"tensor '{name}' has shape [{string.Join(',', array.Shape)}] but the architecture needs [{string.Join(',', tensor.Shape)}].");
            if (typeof(T) == typeof(float))
            {
                var v = array.ToSingles();
                for (int i = 0; i < v.Length; i++) tensor.Data[i] = T.CreateTruncating(v[i]);
            }
            else
            {
                var v = array.ToDoubles();
                for (int i = 0; i < v.Length; i++) tensor.Data[i] = T.CreateTruncating(v[i]);
            }
        }
        return (model, description);
    }

    /// <summary>Parses the text of <c>model.json</c>; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="DataFormatException">Not a Geometrize model description.</exception>
    public static ModelDescription ParseDescription(string json, string source)
    {
        JsonObject root;
        try { root = JsonNode.Parse(json) as JsonObject ?? throw new DataFormatException(source, "is not a JSON object."); }
        catch (JsonException e) { throw new DataFormatException(source, $"is not valid JSON: {e.Message}", e); }
        try
        {
            if ((string?)root["format"] != FormatName)
                throw new DataFormatException(source, $"is not a Geometrize model description (\"format\" must be \"{FormatName}\").");
            if ((int?)root["version"] is not FormatVersion)
                throw new DataFormatException(source, $"has format version {root["version"]}; this build reads version {FormatVersion}.");
            var a = root["architecture"] as JsonObject ?? throw new DataFormatException(source, "has no \"architecture\" object.");
            var architecture = new ModelArchitecture
            {
                Kind = ModelArchitecture.ParseKind(Required<string>(a, "kind", source), "architecture.kind"),
                InputDimension = Required<int>(a, "inputs", source),
                OutputDimension = Required<int>(a, "outputs", source),
                Width = Required<int>(a, "width", source),
                Hidden = Required<int>(a, "hidden", source),
                Depth = Required<int>(a, "depth", source),
                Activation = Activations.Parse(Required<string>(a, "activation", source), "architecture.activation"),
                BatchNorm = Required<bool>(a, "batchNorm", source),
                Tied = Required<bool>(a, "tied", source),
                Seed = Required<int>(a, "seed", source),
            };
            TrainingSettings? training = null;
            if (root["training"] is JsonObject t)
                training = new TrainingSettings
                {
                    Epochs = Required<int>(t, "epochs", source),
                    BatchSize = Required<int>(t, "batchSize", source),
                    Optimizer = TrainingSettings.ParseOptimizer(Required<string>(t, "optimizer", source)),
                    LearningRate = Required<double>(t, "learningRate", source),
                    WeightDecay = Required<double>(t, "weightDecay", source),
                    Momentum = Required<double>(t, "momentum", source),
                    LbfgsIterations = Required<int>(t, "lbfgsIterations", source),
                    Seed = Required<int>(t, "seed", source),
                    Gradient = TrainingSettings.ParseGradient(Required<string>(t, "adjoint", source)),
                    // Absent from files written before the regulariser existed: those models were trained without it.
                    KineticEnergyWeight = t["kineticEnergyWeight"]?.GetValue<double>() ?? 0,
                };
            var normalization = root["normalization"] is JsonNode n ? Normalization.FromJson(n.ToJsonString(), source) : null;
            var task = (string?)root["task"] == "regression" ? LearningTask.Regression : LearningTask.Classification;
            var names = (root["classNames"] as JsonArray)?.Select(x => (string?)x ?? "").ToArray();
            return new ModelDescription(architecture, training, normalization, (string?)root["dataset"], task, names);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidParameterException)
        {
            throw new DataFormatException(source, $"invalid model description: {e.Message}", e);
        }
    }

    private static TValue Required<TValue>(JsonObject o, string name, string source)
    {
        var node = o[name] ?? throw new DataFormatException(source, $"lacks \"{name}\".");
        return node.GetValue<TValue>();
    }
}
