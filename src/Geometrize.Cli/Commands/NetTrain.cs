using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Geometrize.Imaging;
using Geometrize.Networks.Data;
using Geometrize.Networks.Models;
using Geometrize.Networks.Training;
using Geometrize.Numerics;
using Geometrize.Reports;

namespace Geometrize.Cli.Commands;

/// <summary>The work of <c>geometrize net train</c>: data, model, training, and the output folder.</summary>
public static class NetTrain
{
    /// <summary>Default sample counts of generated sets.</summary>
    public const int DefaultTrainSamples = 1000, DefaultTestSamples = 500;

    /// <summary>Runs the sub-command (options already parsed); returns the exit code.</summary>
    public static int Run(CommandLine args, TextWriter stdout, TextWriter stderr, string usage)
    {
        string dataSpec = args.GetString("data") ?? throw new UsageException("missing required option '--data'.", usage);
        string output = args.GetString("output") ?? throw new UsageException("missing required option '--output'.", usage);
        var kind = ModelArchitecture.ParseKind(args.GetString("model", "flownet")!);
        var settings = new TrainingSettings
        {
            Epochs = args.GetInt("epochs", 20),
            BatchSize = args.GetInt("batch", 64),
            Optimizer = TrainingSettings.ParseOptimizer(args.GetString("optimizer", "adam")!),
            WeightDecay = NetCommand.Number(args, "weight-decay", 0, usage),
            LbfgsIterations = args.GetInt("lbfgs-iterations", 20),
            Seed = args.GetInt("seed", 0),
            Gradient = TrainingSettings.ParseGradient(args.GetString("adjoint", "discrete")!),
            KineticEnergyWeight = NetCommand.Number(args, "kinetic-energy", 0, usage),
        };
        settings = settings with { LearningRate = NetCommand.Number(args, "lr", settings.Optimizer == OptimizerKind.Lbfgs ? 1 : 0.01, usage) };
        settings.Validate();
        if (settings.Gradient == GradientMethod.Continuous && kind != ModelKind.FlowNet)
            throw new InvalidParameterException("--adjoint", $"the continuous adjoint needs --model flownet, not {ModelArchitecture.KindName(kind)}.");
        if (settings.KineticEnergyWeight > 0 && kind is not (ModelKind.FlowNet or ModelKind.PlainNet))
            throw new InvalidParameterException("--kinetic-energy", $"the kinetic-energy regulariser needs --model flownet or plainnet, not {ModelArchitecture.KindName(kind)}.");
        args.ApplyThreads();
        var activation = Activations.Parse(args.GetString("activation", "tanh")!);

        var (train, test, datasetName) = LoadData(dataSpec, args, settings.Seed, usage);
        var normalization = Normalization.Fit(train);
        var trainN = normalization.Apply(train);
        var testN = test == null ? null : normalization.Apply(test);
        bool classify = train.Task == LearningTask.Classification;
        var architecture = new ModelArchitecture
        {
            Kind = kind,
            InputDimension = train.FeatureDimension,
            OutputDimension = classify ? train.ClassCount : train.TargetDimension,
            Width = args.GetInt("width", 16),
            Hidden = args.GetInt("hidden", 32),
            Depth = args.GetInt("depth", kind == ModelKind.Mlp ? 2 : 10),
            Activation = activation,
            BatchNorm = args.Has("batchnorm"),
            Tied = args.Has("tied"),
            Seed = settings.Seed,
        };
        var model = architecture.Create<float>();
        var trainer = new Trainer<float>(model, settings);

        string target = NetTrain.PrepareOutputFolder(output);

        var progress = args.Has("quiet") ? null : new NetProgressBar(stderr, interactive: !Console.IsErrorRedirected);
        if (progress != null) trainer.EpochCompleted += r => progress.Epoch(r, settings.Epochs);
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"net train: {ModelArchitecture.KindName(kind)} with {model.ParameterCount} parameters on {datasetName} ({train.Count} training, {test?.Count ?? 0} test samples)"));
        return StagedRun.Execute(target, stderr, (staging, token) =>
        {
            TrainingResult result;
            try { result = trainer.Train(trainN, testN, progress, token); }
            finally { progress?.Finish(); }
            Directory.CreateDirectory(staging);
            WriteOutputs(staging, model, normalization, settings, datasetName, train, test, result);
            return () =>
            {
                var final = result.Final;
                var inv = CultureInfo.InvariantCulture;
                stdout.WriteLine(classify
                    ? string.Create(inv, $"net train: final loss {final.Loss:0.0000}, train accuracy {final.TrainAccuracy:P2}, test accuracy {Text(final.TestAccuracy)}, {result.Seconds:0.0} s")
                    : string.Create(inv, $"net train: final loss (MSE) {final.Loss:0.00000}, {result.Seconds:0.0} s"));
                stdout.WriteLine($"net train: wrote {output}");
            };
        });
    }

    private static string Text(double accuracy) => double.IsNaN(accuracy) ? "n/a" : accuracy.ToString("P2", CultureInfo.InvariantCulture);

    /// <summary>
    /// The absolute path of the output folder <paramref name="output"/> after creating its parent; the folder itself
    /// appears only when the outputs are committed. Errors name <c>--output</c>.
    /// </summary>
    /// <summary>A fresh hidden staging folder next to <paramref name="target"/>, renamed onto it when the outputs are complete.</summary>
    internal static string StagingFolder(string target) =>
        Path.Combine(Path.GetDirectoryName(target) ?? ".", $".{Path.GetFileName(target)}.staging-{Environment.ProcessId}-{Guid.NewGuid():N}");

    internal static string PrepareOutputFolder(string output)
    {
        string target = Path.GetFullPath(output);
        string parent = Path.GetDirectoryName(target) ?? ".";
        try { Directory.CreateDirectory(parent); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidParameterException("--output", $"cannot create folder '{parent}': {e.Message}");
        }
        if (File.Exists(target)) throw new InvalidParameterException("--output", $"'{output}' is a file; give a folder.");
        return target;
    }

    internal static PosixSignalRegistration? TryRegisterTerm(CancellationTokenSource cts)
    {
        try { return PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); }); }
        catch (PlatformNotSupportedException) { return null; }
    }

    /// <summary>
    /// Training and test sets named by <c>--data</c>, in original units; the limits come from <c>--train-limit</c> and
    /// <c>--test-limit</c> unless given (as <c>net geometry</c> does with <c>--samples</c>).
    /// </summary>
    internal static (Dataset Train, Dataset? Test, string Name) LoadData(string spec, CommandLine args, int seed, string usage,
        int? trainLimitOverride = null, int? testLimitOverride = null)
    {
        int trainLimit = trainLimitOverride ?? args.GetInt("train-limit", -1), testLimit = testLimitOverride ?? args.GetInt("test-limit", -1);
        if (args.Has("train-limit") && trainLimit < 1) throw new InvalidParameterException("--train-limit", $"must be at least 1, got {trainLimit}.");
        if (args.Has("test-limit") && testLimit < 0) throw new InvalidParameterException("--test-limit", $"must be 0 (no test set) or more, got {testLimit}.");
        int colon = spec.IndexOf(':');
        string name = (colon < 0 ? spec : spec[..colon]).Trim().ToLowerInvariant();
        string? path = colon < 0 ? null : spec[(colon + 1)..];
        switch (name)
        {
            case "fashion-mnist" or "fashion_mnist" or "fashionmnist":
            {
                string dir = FashionMnist.ResolveDirectory(path);
                var train = FashionMnist.Load(dir, train: true, trainLimit);
                var test = testLimit == 0 ? null : FashionMnist.Load(dir, train: false, testLimit < 0 ? -1 : testLimit);
                return (train, test, "fashion-mnist");
            }
            case "csv":
            {
                if (string.IsNullOrWhiteSpace(path)) throw new InvalidParameterException("--data", "csv needs a file: --data csv:FILE.");
                string taskText = args.GetString("task", "classification")!.Trim().ToLowerInvariant();
                var task = taskText switch
                {
                    "classification" => LearningTask.Classification,
                    "regression" => LearningTask.Regression,
                    _ => throw new InvalidParameterException("--task", $"unknown task '{taskText}'; use classification or regression."),
                };
                var all = CsvDataset.Load(path, args.GetString("target", "-1")!, task);
                if (all.Count < 2) throw new InvalidParameterException("--data", $"'{path}' holds {all.Count} row(s); training needs at least 2 (80/20 split).");
                var (train, test) = all.Split(0.8, seed);
                if (trainLimit > 0 && trainLimit < train.Count) train = train.Take(trainLimit);
                if (testLimit >= 0 && testLimit < test.Count) test = test.Take(Math.Max(testLimit, 0));
                return (train, testLimit == 0 || test.Count == 0 ? null : test, Path.GetFileName(path));
            }
            default:
            {
                if (path != null) throw new InvalidParameterException("--data", $"the generated set '{name}' takes no path; paths go with fashion-mnist:FOLDER or csv:FILE.");
                double noise = NetCommand.Number(args, "noise", 0.05, usage);
                if (!(noise >= 0) || !double.IsFinite(noise)) throw new InvalidParameterException("--noise", $"must be zero or positive and finite, got {noise}.");
                var train = SyntheticDatasets.Create(name, trainLimit > 0 ? trainLimit : DefaultTrainSamples, noise, seed);
                int tests = testLimit >= 0 ? testLimit : DefaultTestSamples;
                var test = tests == 0 ? null : SyntheticDatasets.Create(name, tests, noise, seed + 1);
                return (train, test, train.Name);
            }
        }
    }

    private static void WriteOutputs(string dir, IModel<float> model, Normalization normalization, TrainingSettings settings, string datasetName,
        Dataset train, Dataset? test, TrainingResult result)
    {
        ModelFile.Save(dir, model, normalization, settings, datasetName, train.Task, train.Task == LearningTask.Classification ? train.ClassNames : null);
        var inv = CultureInfo.InvariantCulture;
        var csv = new StringBuilder("epoch,loss,train_acc,test_acc,seconds\n");
        foreach (var r in result.History)
            csv.Append(string.Create(inv, $"{r.Epoch},{r.Loss:R},{Csv(r.TrainAccuracy)},{Csv(r.TestAccuracy)},{r.Seconds:0.######}\n"));
        WriteText(Path.Combine(dir, "history.csv"), csv.ToString());
        var final = result.Final;
        var summary = new JsonObject
        {
            ["model"] = ModelArchitecture.KindName(model.Architecture.Kind),
            ["dataset"] = datasetName,
            ["task"] = train.Task == LearningTask.Classification ? "classification" : "regression",
            ["parameterCount"] = model.ParameterCount,
            ["epochs"] = result.History.Count,
            ["trainSamples"] = train.Count,
            ["testSamples"] = test?.Count ?? 0,
            ["finalLoss"] = final.Loss,
            ["trainAccuracy"] = Json(final.TrainAccuracy),
            ["testAccuracy"] = Json(final.TestAccuracy),
            ["seconds"] = result.Seconds,
            ["trainingSeconds"] = result.History.Sum(h => h.Seconds),
            ["trainingCpuSeconds"] = result.History.Sum(h => h.CpuSeconds),
            ["threads"] = Parallelism.MaxDegreeOfParallelism,
        };
        WriteText(Path.Combine(dir, "summary.json"), summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        TrainingPlots.Curves(result.History).SavePng(Path.Combine(dir, "curves.png"));
        if (train.FeatureDimension == 2)
        {
            bool classify = train.Task == LearningTask.Classification;
            TrainingPlots.DecisionRegions(train, (points, n) =>
            {
                var rows = (float[])points.Clone();
                normalization.ApplyInPlace(rows);
                if (classify) return Trainer<float>.Classify(model, rows, n).Select(c => (float)c).ToArray();
                var y = Trainer<float>.Predict(model, rows, n);
                int d = model.Architecture.OutputDimension;
                return Enumerable.Range(0, n).Select(i => y[i * d]).ToArray();
            }).SavePng(Path.Combine(dir, "decision.png"));
        }
    }

    private static string Csv(double v) => double.IsNaN(v) ? "nan" : v.ToString("R", CultureInfo.InvariantCulture);

    private static JsonNode? Json(double v) => double.IsNaN(v) ? null : JsonValue.Create(v);

    internal static void WriteText(string path, string text) => AtomicFile.Write(path, s => s.Write(Encoding.UTF8.GetBytes(text)));

    /// <summary>Moves the finished files into the output folder: the whole staging folder when the target does not exist, else file by file (each an atomic rename).</summary>
    internal static void Commit(string staging, string target)
    {
        try
        {
            if (!Directory.Exists(target))
            {
                Directory.Move(staging, target);
                return;
            }
            foreach (string file in Directory.GetFiles(staging))
                File.Move(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidParameterException("--output", $"cannot write into '{target}': {e.Message}");
        }
    }

    internal static void TryDeleteFolder(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
