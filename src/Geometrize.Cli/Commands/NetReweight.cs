using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Geometrize.Networks.Data;
using Geometrize.Networks.Models;
using Geometrize.Networks.Training;
using Geometrize.Numerics;
using Geometrize.Reports;

namespace Geometrize.Cli.Commands;

/// <summary>
/// The work of <c>geometrize net reweight</c>: corrupts a training set (<c>--noise uniform:P|imbalance:R</c>) after
/// drawing a clean validation set of <c>--clean-validation N</c> samples, then trains three runs from the same initial
/// weights: <b>plain</b> (the noisy set, uniform weights), <b>reweighted</b> (the noisy set, weights learned from the
/// clean set each step, Ren et al. 2018) and <b>clean-only</b> (only the N clean samples, as many steps per epoch as the
/// other two). Plain and reweighted see the same mini-batches in the same order.
/// </summary>
public static class NetReweight
{
    /// <summary>The paragraph of <c>geometrize net --help</c> about this sub-command.</summary>
    public const string Help =
        "net reweight: draws --clean-validation N class-balanced clean samples from the training data, corrupts the rest\n" +
        "(--noise uniform:P flips round(P n) labels to another class; imbalance:R keeps a binary task, --classes MAJ,MIN,\n" +
        "whose majority makes up the share R), then trains from the same initial weights: plain (noisy set), reweighted\n" +
        "(noisy set; per step, weights w_i = max(-du/de_i, 0) normalised, u the clean-validation loss after a look-ahead\n" +
        "step on sum e_i l_i, Ren et al. 2018) and clean-only (the N clean samples, as many steps per epoch).\n" +
        "Inputs are standardised with statistics of all loaded training inputs. Defaults: --model mlp --depth 1\n" +
        "--width 64, adam, --lr 0.001, --batch 100, --epochs 5. Writes history.csv\n" +
        "(epoch,run,loss,train_acc,test_acc,seconds), weights.csv (mean learned weight per training sample in the last\n" +
        "epoch; each batch's weights sum to 1), summary.json and reweight.png into DIR, together.";

    /// <summary>The three runs, in the order written.</summary>
    public static readonly string[] Runs = ["plain", "reweighted", "clean-only"];

    /// <summary>Runs the sub-command (options already parsed); returns the exit code.</summary>
    public static int Run(CommandLine args, TextWriter stdout, TextWriter stderr, string usage)
    {
        args.RequirePositionals(1, 1, "the sub-command 'reweight' and options");
        string dataSpec = args.GetString("data") ?? throw new UsageException("missing required option '--data'.", usage);
        string output = args.GetString("output") ?? throw new UsageException("missing required option '--output'.", usage);
        string noiseSpec = args.GetString("noise") ?? throw new UsageException("missing required option '--noise' (uniform:P or imbalance:R).", usage);
        if (!args.Has("clean-validation")) throw new UsageException("missing required option '--clean-validation N'.", usage);
        var noise = LabelNoise.Parse(noiseSpec);
        int cleanValidation = args.GetInt("clean-validation", 0);
        if (cleanValidation < 1) throw new InvalidParameterException("--clean-validation", $"must be at least 1, got {cleanValidation}.");
        var classes = ParseClasses(args.GetString("classes"));
        if (classes != null && noise.Kind != LabelNoiseKind.Imbalance)
            throw new InvalidParameterException("--classes", $"chooses the two classes of imbalance:R; it does not apply to {noise.Spec}.");
        var kind = ModelArchitecture.ParseKind(args.GetString("model", "mlp")!);
        var settings = new TrainingSettings
        {
            Epochs = args.GetInt("epochs", 5),
            BatchSize = args.GetInt("batch", 100),
            Optimizer = TrainingSettings.ParseOptimizer(args.GetString("optimizer", "adam")!),
            WeightDecay = NetCommand.Number(args, "weight-decay", 0, usage),
            Seed = args.GetInt("seed", 0),
        };
        settings = settings with { LearningRate = NetCommand.Number(args, "lr", 1e-3, usage) };
        var reweighting = new ReweightingSettings
        {
            Method = (args.GetString("meta", "exact") ?? "").Trim().ToLowerInvariant() switch
            {
                "exact" => MetaGradientMethod.Exact,
                "first-order" or "firstorder" => MetaGradientMethod.FirstOrder,
                var m => throw new InvalidParameterException("--meta", $"unknown meta-gradient '{m}'; use exact or first-order."),
            },
            LookAheadRate = NetCommand.Number(args, "lookahead-lr", double.NaN, usage),
            ValidationBatch = args.GetInt("validation-batch", 0),
        };
        if (args.Has("lookahead-lr") && double.IsNaN(reweighting.LookAheadRate))
            throw new InvalidParameterException("--lookahead-lr", "must be positive and finite, got NaN.");
        ReweightedTrainer<float>.CheckSettings(settings, reweighting);
        args.ApplyThreads();
        var activation = Activations.Parse(args.GetString("activation", "tanh")!);

        var (pool, rawTest, datasetName) = LoadData(dataSpec, args, settings.Seed, usage);
        if (pool.Task != LearningTask.Classification)
            throw new InvalidParameterException("--data", $"'{datasetName}' is a regression set; reweighting needs class labels.");
        var split = noise.Apply(pool, cleanValidation, settings.Seed, classes);
        // Fitted on every loaded training input (no labels are involved) rather than on the corrupted subset: with
        // imbalance:R the subset is almost one class, and pixels that class never uses would get a near-zero scale and
        // blow up the minority's inputs.
        var norm = Normalization.Fit(pool);
        var train = norm.Apply(split.Train);
        var validation = norm.Apply(split.Validation);
        var test = rawTest == null ? null : norm.Apply(split.PrepareTest(rawTest));
        var architecture = new ModelArchitecture
        {
            Kind = kind,
            InputDimension = train.FeatureDimension,
            OutputDimension = train.ClassCount,
            Width = args.GetInt("width", 64),
            Hidden = args.GetInt("hidden", 32),
            Depth = args.GetInt("depth", kind == ModelKind.Mlp ? 1 : 10),
            Activation = activation,
            BatchNorm = args.Has("batchnorm"),
            Tied = args.Has("tied"),
            Seed = settings.Seed,
        };
        architecture.Validate();

        string target = NetTrain.PrepareOutputFolder(output);
        var inv = CultureInfo.InvariantCulture;
        stderr.WriteLine(string.Create(inv,
            $"net reweight: {ModelArchitecture.KindName(kind)} on {datasetName}, noise {noise.Spec}: {train.Count} training samples ({split.CorruptedCount} corrupted), {validation.Count} clean validation, {test?.Count ?? 0} test"));
        return StagedRun.Execute(target, stderr, (staging, token) =>
        {
            int steps = train.BatchCount(Math.Min(settings.BatchSize, train.Count));
            var results = new ReweightedTrainingResult[3];
            for (int r = 0; r < 3; r++)
            {
                var model = architecture.Create<float>(); // the same seed: the same initial weights in every run
                var trainer = new ReweightedTrainer<float>(model, settings, r == 1 ? reweighting : null);
                var progress = args.Has("quiet") ? null : new NetProgressBar(stderr, interactive: !Console.IsErrorRedirected);
                if (progress != null)
                {
                    stderr.WriteLine($"net reweight: run {r + 1}/3, {Runs[r]}");
                    trainer.EpochCompleted += e => progress.Epoch(e, settings.Epochs);
                }
                try { results[r] = r == 2 ? trainer.Train(validation, null, test, steps, progress, token) : trainer.Train(train, r == 1 ? validation : null, test, 0, progress, token); }
                finally { progress?.Finish(); }
            }
            Directory.CreateDirectory(staging);
            var summary = WriteOutputs(staging, split, train, test, architecture, settings, reweighting, datasetName, results);
            return () =>
            {
                stdout.WriteLine(string.Create(inv, $"net reweight: test accuracy plain {Text(results[0])}, reweighted {Text(results[1])}, clean-only {Text(results[2])}"));
                stdout.WriteLine(summary);
                stdout.WriteLine($"net reweight: wrote {output}");
            };
        });
    }

    private static string Text(ReweightedTrainingResult r) =>
        double.IsNaN(r.Training.Final.TestAccuracy) ? "n/a" : r.Training.Final.TestAccuracy.ToString("P2", CultureInfo.InvariantCulture);

    // Generated sets take their feature noise from the default of 'net train' (--noise names the label noise here).
    private static (Dataset Train, Dataset? Test, string Name) LoadData(string spec, CommandLine args, int seed, string usage)
    {
        string name = spec.Split(':')[0].Trim().ToLowerInvariant();
        if (name is "fashion-mnist" or "fashion_mnist" or "fashionmnist" or "csv") return NetTrain.LoadData(spec, args, seed, usage);
        if (spec.Contains(':')) throw new InvalidParameterException("--data", $"the generated set '{name}' takes no path; paths go with fashion-mnist:FOLDER or csv:FILE.");
        int trainLimit = args.GetInt("train-limit", NetTrain.DefaultTrainSamples), testLimit = args.GetInt("test-limit", NetTrain.DefaultTestSamples);
        if (trainLimit < 1) throw new InvalidParameterException("--train-limit", $"must be at least 1, got {trainLimit}.");
        if (testLimit < 0) throw new InvalidParameterException("--test-limit", $"must be 0 (no test set) or more, got {testLimit}.");
        var train = SyntheticDatasets.Create(name, trainLimit, 0.05, seed);
        return (train, testLimit == 0 ? null : SyntheticDatasets.Create(name, testLimit, 0.05, seed + 1), train.Name);
    }

    private static (int, int)? ParseClasses(string? text)
    {
        if (text == null) return null;
        var parts = text.Split(',');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int a)
            && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int b)) return (a, b);
        throw new InvalidParameterException("--classes", $"expects MAJORITY,MINORITY (two class indices), got '{text}'.");
    }

    private static string WriteOutputs(string dir, NoisyLabelSplit split, Dataset train, Dataset? test, ModelArchitecture architecture,
        TrainingSettings settings, ReweightingSettings reweighting, string datasetName, ReweightedTrainingResult[] results)
    {
        var inv = CultureInfo.InvariantCulture;
        var history = new StringBuilder("epoch,run,loss,train_acc,test_acc,seconds\n");
        for (int r = 0; r < 3; r++)
            foreach (var e in results[r].Training.History)
                history.Append(string.Create(inv, $"{e.Epoch},{Runs[r]},{e.Loss:R},{Csv(e.TrainAccuracy)},{Csv(e.TestAccuracy)},{e.Seconds:0.######}\n"));
        NetTrain.WriteText(Path.Combine(dir, "history.csv"), history.ToString());

        var w = results[1].MeanWeights!;
        var weights = new StringBuilder("index,source_index,label,true_label,corrupted,mean_weight\n");
        for (int i = 0; i < w.Length; i++)
            weights.Append(string.Create(inv, $"{i},{split.SourceIndices[i]},{split.Train.Label(i)},{split.TrueLabels[i]},{(split.Corrupted[i] ? 1 : 0)},{Csv(w[i])}\n"));
        NetTrain.WriteText(Path.Combine(dir, "weights.csv"), weights.ToString());

        // Uniform noise compares clean with corrupted samples; imbalance (no wrong labels) majority with minority.
        bool uniform = split.Noise.Kind == LabelNoiseKind.Uniform;
        var group = uniform ? split.Corrupted : split.TrueLabels.Select(l => l == 1).ToArray();
        (string inName, string outName) = uniform ? ("corrupted", "clean") : ("minority", "majority");
        double MeanOf(bool g) => Enumerable.Range(0, w.Length).Where(i => group[i] == g && double.IsFinite(w[i])).Select(i => w[i]).DefaultIfEmpty(double.NaN).Average();
        var runs = new JsonObject();
        for (int r = 0; r < 3; r++)
        {
            var res = results[r];
            var f = res.Training.Final;
            runs[Runs[r]] = new JsonObject
            {
                ["finalTestAccuracy"] = Json(f.TestAccuracy),
                ["finalTrainAccuracy"] = Json(f.TrainAccuracy),
                ["finalLoss"] = f.Loss,
                ["steps"] = res.Steps,
                ["skippedSteps"] = res.SkippedSteps,
                ["seconds"] = res.Training.Seconds,
            };
        }
        var summary = new JsonObject
        {
            ["dataset"] = datasetName,
            ["noise"] = split.Noise.Spec,
            ["classes"] = split.Classes is null ? null : new JsonArray(split.Classes.Select(c => (JsonNode?)c).ToArray()),
            ["cleanValidation"] = split.Validation.Count,
            ["trainSamples"] = train.Count,
            ["corruptedSamples"] = split.CorruptedCount,
            ["testSamples"] = test?.Count ?? 0,
            ["model"] = ModelArchitecture.KindName(architecture.Kind),
            ["width"] = architecture.Width,
            ["depth"] = architecture.Depth,
            ["activation"] = architecture.Activation.ToString().ToLowerInvariant(),
            ["epochs"] = settings.Epochs,
            ["batch"] = settings.BatchSize,
            ["optimizer"] = TrainingSettings.OptimizerName(settings.Optimizer),
            ["learningRate"] = settings.LearningRate,
            ["weightDecay"] = settings.WeightDecay,
            ["seed"] = settings.Seed,
            ["metaGradient"] = reweighting.Method == MetaGradientMethod.Exact ? "exact" : "first-order",
            ["lookAheadRate"] = double.IsNaN(reweighting.LookAheadRate) ? settings.LearningRate : reweighting.LookAheadRate,
            ["validationBatch"] = reweighting.ValidationBatch > 0 ? Math.Min(reweighting.ValidationBatch, split.Validation.Count) : split.Validation.Count,
            ["runs"] = runs,
            ["weights"] = new JsonObject
            {
                ["groups"] = $"{outName} vs {inName}",
                [$"mean{Capital(outName)}"] = Json(MeanOf(false)),
                [$"mean{Capital(inName)}"] = Json(MeanOf(true)),
                ["uniform"] = 1.0 / Math.Min(settings.BatchSize, train.Count),
            },
            ["seconds"] = results.Sum(r => r.Training.Seconds),
            ["threads"] = Parallelism.MaxDegreeOfParallelism,
        };
        NetTrain.WriteText(Path.Combine(dir, "summary.json"), summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        ReweightPlots.Draw(Enumerable.Range(0, 3).Select(r => (Runs[r], results[r].Training.History)).ToArray(), w, group, inName, outName)
            .SavePng(Path.Combine(dir, "reweight.png"));
        return string.Create(inv, $"net reweight: mean learned weight {outName} {MeanOf(false):E3}, {inName} {MeanOf(true):E3} (uniform {1.0 / Math.Min(settings.BatchSize, train.Count):E3})");
    }

    private static string Capital(string s) => char.ToUpperInvariant(s[0]) + s[1..];

    private static string Csv(double v) => double.IsNaN(v) ? "nan" : v.ToString("R", CultureInfo.InvariantCulture);

    private static JsonNode? Json(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}
