using System.Text.Json.Nodes;
using Geometrize.Analysis;
using Geometrize.Analysis.Influence;
using Geometrize.Networks.Models;
using Geometrize.Networks.Training;
using Geometrize.Reports;
using static Geometrize.Cli.Experiments.ExperimentJson;

namespace Geometrize.Cli.Experiments;

/// <summary>
/// Paper item 9, "generalisation and Riemannian curve length": FlowNets trained (towards zero training error) on a
/// Fashion-MNIST subset whose labels are 0, 20, 40 or 60 % random; on the (noisy) training set, the Fisher–Rao norm
/// (true and empirical), kinetic energy, curve length, parameter-curve energy and Hessian trace (Hutchinson), each
/// against the generalisation gap (training accuracy on the labels trained on − test accuracy), with Spearman rank
/// correlations over all runs.
/// </summary>
public sealed class FisherRaoGeneralizationExperiment : IExperiment
{
    private static readonly double[] NoiseLevels = [0, 0.2, 0.4, 0.6];
    private static readonly (string Column, string Label)[] Measures =
    [
        ("fisher_rao_true", "Fisher-Rao norm (true)"),
        ("fisher_rao_empirical", "Fisher-Rao norm (empirical)"),
        ("kinetic_energy", "kinetic energy"),
        ("curve_length", "curve length"),
        ("parameter_energy", "parameter-curve energy"),
        ("hessian_trace", "Hessian trace"),
    ];

    /// <inheritdoc />
    public string Name => "fisher-rao-generalization";
    /// <inheritdoc />
    public string Claim => "the Fisher-Rao norm (the network's curve length under the Fisher-Rao metric) signals generalisation: larger norm, larger generalisation gap";
    /// <inheritdoc />
    public int DefaultSeeds => 2;

    /// <inheritdoc />
    public ExperimentOutcome Run(ExperimentContext context)
    {
        bool quick = context.Quick;
        int epochs = quick ? 3 : 100, depth = quick ? 2 : 8, width = quick ? 8 : 32, hidden = quick ? 8 : 64, probes = quick ? 4 : 20;
        var (clean, test, dataName) = ExperimentModels.LoadData(context, "fashion-mnist", quick ? 300 : 2000, quick ? 200 : 2000);
        var runs = new List<ExperimentRun>();
        foreach (double noise in NoiseLevels)
            for (int seed = 0; seed < context.Seeds; seed++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                context.Log($"{noise:P0} random labels, seed {seed}: training a FlowNet of depth {depth} for {epochs} epochs on {clean.Count} images");
                var (train, _) = clean.WithNoisyLabels(noise, 1000 + seed);
                var arch = new ModelArchitecture
                {
                    Kind = ModelKind.FlowNet, InputDimension = train.FeatureDimension, OutputDimension = train.ClassCount,
                    Width = width, Hidden = hidden, Depth = depth, Activation = Activation.Tanh, Seed = seed,
                };
                var settings = new TrainingSettings { Epochs = epochs, BatchSize = 100, LearningRate = 0.003, Seed = seed };
                var (model, result) = ExperimentModels.Train(arch, settings, train, test, context.Cancellation);
                var options = new GeometryOptions
                {
                    TopEigenvalues = 0, Probes = probes, LanczosSteps = 0, JacobianSamples = quick ? 8 : 32,
                    FisherRaoModelSamples = quick ? 1 : 4, ProjectedPaths = 0, Seed = seed,
                };
                var report = ExperimentModels.Measure(model, train, options);
                double trainAcc = result.Final.TrainAccuracy, testAcc = result.Final.TestAccuracy;
                runs.Add(new ExperimentRun()
                    .Set("label_noise", noise).Set("seed", seed)
                    .Set("train_acc", trainAcc).Set("test_acc", testAcc).Set("generalization_gap", trainAcc - testAcc)
                    .Set("train_loss", report.Loss)
                    .Set("fisher_rao_true", report.FisherRao!.True).Set("fisher_rao_true_se", report.FisherRao.TrueStandardError)
                    .Set("fisher_rao_empirical", report.FisherRao.Empirical).Set("fisher_rao_empirical_se", report.FisherRao.EmpiricalStandardError)
                    .Set("kinetic_energy", report.Trajectory!.KineticEnergy).Set("curve_length", report.Trajectory.CurveLength)
                    .Set("isometry_index", report.Trajectory.IsometryIndex)
                    .Set("parameter_energy", report.ParameterCurve!.Energy).Set("parameter_length", report.ParameterCurve.Length)
                    .Set("hessian_trace", report.HessianTrace!.Mean).Set("hessian_trace_se", report.HessianTrace.StandardError)
                    .Set("train_seconds", result.Seconds));
            }

        var gap = runs.Select(r => r.Get("generalization_gap")).ToArray();
        var correlations = new JsonObject();
        var table = new List<string[]> { new[] { "random labels", "train acc", "test acc", "gap", "Fisher-Rao (true)", "kinetic energy", "curve length", "Hessian trace" } };
        foreach (double noise in NoiseLevels)
        {
            var g = runs.Where(r => r.Get("label_noise") == noise).ToList();
            string M(string c) => MeanSd(g.Select(r => r.Get(c)).ToArray());
            table.Add([$"{noise * 100:0} %", M("train_acc"), M("test_acc"), M("generalization_gap"), M("fisher_rao_true"), M("kinetic_energy"), M("curve_length"), M("hessian_trace")]);
        }
        var findings = new List<string>();
        var panels = new List<PlotPanel>();
        foreach (var (column, label) in Measures)
        {
            var values = runs.Select(r => r.Get(column)).ToArray();
            double rho = runs.Count >= 2 ? Correlation.Spearman(values, gap) : double.NaN;
            correlations[column] = Number(rho);
            findings.Add($"Spearman rank correlation of the {label} with the generalisation gap: {Text(rho)} over {runs.Count} runs");
            var series = NoiseLevels.Select(noise =>
            {
                var g = runs.Where(r => r.Get("label_noise") == noise).ToArray();
                return new PlotSeries($"{noise * 100:0}% random", [.. g.Select(r => r.Get("generalization_gap"))], [.. g.Select(r => r.Get(column))], PointsOnly: true);
            }).ToList();
            panels.Add(new PlotPanel($"{label} (rho {Text(rho)})", "generalisation gap", series, LogY: column == "fisher_rao_true" || column == "fisher_rao_empirical"));
        }
        double frRho = correlations["fisher_rao_true"]?.GetValue<double>() ?? double.NaN;
        double minTrain = runs.Min(r => r.Get("train_acc"));
        findings.Add(frRho > 0.5 ? "the true Fisher-Rao norm rises with the generalisation gap, as the paper claims"
            : "the true Fisher-Rao norm does NOT rise clearly with the generalisation gap here (Spearman <= 0.5)");
        findings.Add($"lowest final training accuracy over the runs: {Text(minTrain)}{(minTrain < 0.95 ? " (below 95 %: not all runs reached near-zero training error)" : "")}");
        var summary = new JsonObject
        {
            ["data"] = dataName, ["trainSamples"] = clean.Count, ["testSamples"] = test.Count, ["epochs"] = epochs,
            ["depth"] = depth, ["width"] = width, ["hidden"] = hidden, ["hutchinsonProbes"] = probes, ["seeds"] = context.Seeds,
            ["labelNoise"] = Numbers(NoiseLevels), ["spearmanWithGap"] = correlations,
        };
        return new ExperimentOutcome { Runs = runs, Summary = summary, Table = table, Findings = findings, Panels = panels };
    }
}
