using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Geometrize.Analysis.Influence;
using Geometrize.Networks.Data;
using Geometrize.Networks.Models;
using Geometrize.Numerics;
using Geometrize.Reports;

namespace Geometrize.Cli.Commands;

/// <summary>
/// The work of <c>geometrize net influence MODEL_DIR --data … --test-index I --output DIR</c>: loads a model folder
/// written by <c>net train</c> in double, rebuilds its training and test sets (normalised as in training), computes the
/// influence of every training point on the loss of test point I with the chosen inverse-HVP solver, optionally
/// validates the top points by leave-one-out retraining, and writes <c>influence.csv</c>, <c>influence.json</c> and
/// <c>influence.png</c> together (staging folder, then moved).
/// </summary>
public static class NetInfluence
{
    /// <summary>Default number of helpful and of harmful points listed and pictured.</summary>
    public const int DefaultTop = 8;

    /// <summary>Largest parameter count for which the default solver is exact and the validation retrains by Newton's method.</summary>
    public const int DenseLimit = 2000;

    /// <summary>‖∇R(θ̂)‖ above which the weights are reported as not stationary.</summary>
    public const double StationarityWarning = 1e-3;

    /// <summary>Runs the sub-command (options already parsed); returns the exit code.</summary>
    public static int Run(CommandLine args, TextWriter stdout, TextWriter stderr, string usage)
    {
        if (args.Positionals.Count < 2) throw new UsageException("'net influence' needs the model folder: net influence MODEL_DIR --data NAME --test-index I --output DIR.", usage);
        args.RequirePositionals(2, 2, "the sub-command 'influence', the model folder and options");
        string modelDir = args.Positionals[1];
        string dataSpec = args.GetString("data") ?? throw new UsageException("missing required option '--data'.", usage);
        string output = args.GetString("output") ?? throw new UsageException("missing required option '--output'.", usage);
        if (!args.Has("test-index")) throw new UsageException("missing required option '--test-index'.", usage);
        int testIndex = args.GetInt("test-index", 0);
        int top = args.GetInt("top", DefaultTop);
        if (top < 1) throw new InvalidParameterException("--top", $"must be at least 1, got {top}.");
        int validate = args.GetInt("validate", 0);
        if (validate != 0 && validate < 2) throw new InvalidParameterException("--validate", $"needs at least 2 points to correlate (or 0 for none), got {validate}.");
        double damping = NetCommand.Number(args, "damping", 0, usage);
        double? l2 = args.Has("l2") ? NetCommand.Number(args, "l2", 0, usage) : null;
        args.ApplyThreads();
        if (!Directory.Exists(modelDir))
            throw new InvalidParameterException("MODEL_DIR", $"model folder '{modelDir}' not found; give a folder written by 'geometrize net train'.");
        // Double precision: the solvers iterate to residuals far below float32 resolution.
        var (network, description) = ModelFile.Load<double>(modelDir);
        var (rawTrain, rawTest, datasetName) = NetTrain.LoadData(dataSpec, args, description.Training?.Seed ?? 0, usage);
        if (rawTest is null) throw new InvalidParameterException("--test-limit", "the data have no test set (--test-limit 0 or too few rows); the test point comes from the test set.");
        var model = new NetworkInfluenceModel<double>(network, NetworkInfluenceModel<double>.LossFor(rawTrain.Task));
        model.CheckData(rawTrain);
        if ((uint)testIndex >= (uint)rawTest.Count)
            throw new InvalidParameterException("--test-index", $"{testIndex} is outside [0, {rawTest.Count}) of the test set of '{datasetName}' ({rawTest.Count} samples).");
        var train = description.Normalization?.Apply(rawTrain) ?? rawTrain;
        var test = description.Normalization?.Apply(rawTest) ?? rawTest;
        var regularisation = NetworkInfluenceModel<double>.RegularisationFor(description.Training, l2);
        var risk = new EmpiricalRisk<double>(model, train, regularisation.Value);
        string solverName = (args.GetString("solver") ?? (risk.Dimension <= DenseLimit ? "exact" : "cg")).Trim().ToLowerInvariant();
        if (solverName is not ("exact" or "cg" or "lissa")) throw new InvalidParameterException("--solver", $"unknown solver '{solverName}'; use exact, cg or lissa.");
        if (validate > risk.Count) throw new InvalidParameterException("--validate", $"asks for {validate} retrainings but the training set has {risk.Count} points.");

        string target = NetTrain.PrepareOutputFolder(output);
        var inv = CultureInfo.InvariantCulture;
        var clock = Stopwatch.StartNew();
        bool quiet = args.Has("quiet");
        void Log(string line)
        {
            if (quiet) return;
            stderr.WriteLine(string.Create(inv, $"net influence: {line}  [{clock.Elapsed.TotalSeconds:0.0} s]"));
            stderr.Flush();
        }
        stderr.WriteLine(string.Create(inv,
            $"net influence: {ModelArchitecture.KindName(network.Architecture.Kind)} with {risk.Dimension} parameters on {datasetName} ({risk.Count} training samples), λ = {regularisation.Value:G4} ({regularisation.Source}), solver {solverName}"));
        if (regularisation.Note is { } note) stderr.WriteLine($"net influence: note: {note}");

        var gradient = new double[risk.Dimension];
        risk.Gradient(gradient);
        double gradientNorm = Math.Sqrt(gradient.Sum(v => v * v));
        Log(string.Create(inv, $"‖∇R(θ̂)‖ = {gradientNorm:G3}"));
        if (gradientNorm > StationarityWarning)
            stderr.WriteLine(string.Create(inv,
                $"net influence: warning: the weights are not a minimum of the regularised training risk (‖∇R‖ = {gradientNorm:G3}); influence functions assume one. Train longer (e.g. --optimizer lbfgs) or set --l2 to the training objective's λ."));
        var solver = CreateSolver(solverName, risk, damping, args, usage);
        Log($"solver ready ({solverName})");
        var result = new InfluenceFunctions<double>(risk, solver).Compute(test, testIndex);
        if (result.Warning is { } warning) stderr.WriteLine($"net influence: warning: {warning}");
        Log(string.Create(inv, $"influence of {risk.Count} points computed ({result.Solve.Iterations} iterations)"));

        LeaveOneOutReport? validation = null;
        if (validate > 0)
        {
            var options = risk.Dimension <= DenseLimit
                ? new RetrainingOptions(RetrainingMethod.Newton, 1e-10, 100)
                : new RetrainingOptions(RetrainingMethod.TruncatedNewton, 1e-8, 30);
            validation = new LeaveOneOutValidation<double>(risk, options, (solver as ExactInverseHvp)?.Factor).Validate(result, test, validate);
            Log(string.Create(inv, $"validation: Pearson {validation.Pearson:0.0000}, Spearman {validation.Spearman:0.0000} over {validate} retrainings"));
        }
        double seconds = clock.Elapsed.TotalSeconds;

        string staging = NetTrain.StagingFolder(target);
        try
        {
            Directory.CreateDirectory(staging);
            NetTrain.WriteText(Path.Combine(staging, "influence.csv"), Csv(result, rawTrain));
            var json = InfluenceJson.Build(result, solver, regularisation, risk, network, datasetName, rawTrain, rawTest, top, gradientNorm, seconds, validation);
            NetTrain.WriteText(Path.Combine(staging, "influence.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            InfluencePlots.Draw(result, rawTrain, rawTest, top, validation).SavePng(Path.Combine(staging, "influence.png"));
            NetTrain.Commit(staging, target);
        }
        finally
        {
            if (Directory.Exists(staging)) NetTrain.TryDeleteFolder(staging);
        }
        int harmful = result.MostHarmful(1)[0], helpful = result.MostHelpful(1)[0];
        string summary = string.Create(inv,
            $"net influence: test {testIndex} loss {result.TestLoss:0.####}; most harmful #{harmful} (I = {result.Influence[harmful]:G4}), most helpful #{helpful} (I = {result.Influence[helpful]:G4})");
        if (validation is not null) summary += string.Create(inv, $"; leave-one-out Pearson {validation.Pearson:0.0000}, Spearman {validation.Spearman:0.0000}");
        stdout.WriteLine(summary);
        stdout.WriteLine($"net influence: wrote {output}");
        return 0;
    }

    private static IInverseHvpSolver CreateSolver(string name, EmpiricalRisk<double> risk, double damping, CommandLine args, string usage) => name switch
    {
        "exact" => new ExactInverseHvp(risk, damping),
        "cg" => new ConjugateGradientInverseHvp(risk, damping, NetCommand.Number(args, "cg-tolerance", 1e-6, usage), args.GetInt("cg-iterations", 1000)),
        _ => new LissaInverseHvp(risk, damping, NetCommand.Number(args, "lissa-scale", 0, usage), args.GetInt("lissa-depth", 1000),
            args.GetInt("lissa-repeats", 1), args.GetInt("lissa-batch", 0), args.GetInt("seed", 0)),
    };

    // One row per training point in index order: index, label (class, or the first target for regression), I_up,loss, and
    // the predicted change of the test loss on removing the point, −(1/n)·I_up,loss.
    private static string Csv(InfluenceResult r, Dataset training)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("training_index,label,influence,predicted_loss_change\n");
        bool classify = training.Task == LearningTask.Classification;
        for (int i = 0; i < r.Influence.Length; i++)
        {
            string label = classify ? training.Label(i).ToString(inv) : training.TargetRow(i)[0].ToString("R", inv);
            sb.Append(i.ToString(inv)).Append(',').Append(label).Append(',')
              .Append(r.Influence[i].ToString("R", inv)).Append(',').Append(r.PredictedLossChange[i].ToString("R", inv)).Append('\n');
        }
        return sb.ToString();
    }
}
