using System.Text.Json.Nodes;
using Geometrize.Networks.Models;
using Geometrize.Networks.Training;
using Geometrize.Reports;
using static Geometrize.Cli.Experiments.ExperimentJson;

namespace Geometrize.Cli.Experiments;

/// <summary>
/// Paper item 14, "ResNet and the Lie algebra": a FlowNet (x ← x + h·f) and a PlainNet (x ← f) of equal width and depth
/// at depths 10, 30 and 60, trained alike; trainability (final training and test accuracy), conditioning of the flow map
/// x_0 → x_N (median condition number and mean squared singular value of its Jacobian) and the turning angle between
/// successive steps.
/// </summary>
public sealed class ResidualVsPlainExperiment : IExperiment
{
    /// <inheritdoc />
    public string Name => "residual-vs-plain";
    /// <inheritdoc />
    public string Claim => "a residual network (a flow on the Lie algebra) is a smoother, better-conditioned curve than a plain network and stays trainable with depth";
    /// <inheritdoc />
    public int DefaultSeeds => 2;

    /// <inheritdoc />
    public ExperimentOutcome Run(ExperimentContext context)
    {
        bool quick = context.Quick;
        int[] depths = quick ? [3, 6] : [10, 30, 60];
        int epochs = quick ? 2 : 20;
        var (train, test, dataName) = ExperimentModels.LoadData(context, "two-spirals", quick ? 200 : 1000, quick ? 100 : 500);
        var runs = new List<ExperimentRun>();
        foreach (int depth in depths)
            foreach (var kind in new[] { ModelKind.FlowNet, ModelKind.PlainNet })
                for (int seed = 0; seed < context.Seeds; seed++)
                {
                    context.Cancellation.ThrowIfCancellationRequested();
                    string kindName = ModelArchitecture.KindName(kind);
                    context.Log($"{kindName}, depth {depth}, seed {seed}: training for {epochs} epochs");
                    var arch = new ModelArchitecture
                    {
                        Kind = kind, InputDimension = train.FeatureDimension, OutputDimension = train.ClassCount,
                        Width = 16, Hidden = 32, Depth = depth, Activation = Activation.Tanh, Seed = seed,
                    };
                    var settings = new TrainingSettings { Epochs = epochs, BatchSize = 64, LearningRate = 0.01, Seed = seed };
                    var (model, result) = ExperimentModels.Train(arch, settings, train, test, context.Cancellation);
                    var report = ExperimentModels.Measure(model, test, ExperimentModels.TrajectoryOnly(quick ? 16 : 128, seed));
                    var j = report.Jacobian;
                    var t = report.Trajectory!;
                    runs.Add(new ExperimentRun()
                        .Set("model", kindName).Set("depth", depth).Set("seed", seed)
                        .Set("train_acc", result.Final.TrainAccuracy).Set("test_acc", result.Final.TestAccuracy)
                        .Set("final_loss", result.Final.Loss).Set("first_epoch_loss", result.History[0].Loss)
                        // A singular Jacobian has an infinite condition number: null in the files, +inf in the table.
                        .Set("median_condition_number", j.MedianConditionNumber).Set("max_condition_number", j.MaxConditionNumber)
                        .Set("singular_jacobian_fraction", j.ConditionNumbers.Count(c => !double.IsFinite(c)) / (double)j.ConditionNumbers.Length)
                        .Set("mean_squared_singular_value", j.MeanSquaredSingularValue).Set("singular_value_std", j.SingularValueStd)
                        .Set("mean_log_abs_det", j.MeanLogAbsDeterminant ?? double.NaN)
                        .Set("mean_turning_angle", t.MeanTurningAngle).Set("isometry_index", t.IsometryIndex)
                        .Set("train_seconds", result.Seconds)
                        .Detail("turning_angles", t.TurningAngles).Detail("speeds", t.Speeds));
                }

        // Condition numbers stored as null are infinite (singular Jacobian); everything else null is missing.
        static double Value(ExperimentRun r, string m) =>
            m.EndsWith("condition_number", StringComparison.Ordinal) && r.Row[m] is null ? double.PositiveInfinity : r.Get(m);
        var summary = new JsonObject { ["data"] = dataName, ["epochs"] = epochs, ["seeds"] = context.Seeds, ["width"] = 16, ["hidden"] = 32, ["depths"] = new JsonArray([.. depths.Select(d => (JsonNode?)d)]) };
        var table = new List<string[]> { new[] { "model", "depth", "train acc", "test acc", "median cond(J)", "mean sigma^2", "turning angle (rad)" } };
        string[] measures = ["train_acc", "test_acc", "median_condition_number", "mean_squared_singular_value", "mean_turning_angle"];
        var series = measures.ToDictionary(m => m, _ => new List<PlotSeries>());
        var groups = new JsonArray();
        foreach (var kind in new[] { "flownet", "plainnet" })
        {
            var means = measures.ToDictionary(m => m, _ => new List<double>());
            var sds = measures.ToDictionary(m => m, _ => new List<double>());
            foreach (int depth in depths)
            {
                var group = runs.Where(r => r.Row["model"]!.GetValue<string>() == kind && r.Row["depth"]!.GetValue<int>() == depth).ToList();
                var entry = new JsonObject { ["model"] = kind, ["depth"] = depth };
                foreach (var m in measures)
                {
                    var (mean, sd) = Statistics.MeanSd(group.Select(r => Value(r, m)));
                    means[m].Add(mean);
                    sds[m].Add(sd);
                    entry[m + "_mean"] = double.IsPositiveInfinity(mean) ? "inf" : Number(mean);
                    entry[m + "_sd"] = Number(sd);
                }
                groups.Add(entry);
                table.Add([kind, depth.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    MeanSd(group.Select(r => r.Get("train_acc")).ToArray()), MeanSd(group.Select(r => r.Get("test_acc")).ToArray()),
                    MeanSd(group.Select(r => Value(r, "median_condition_number")).ToArray()), MeanSd(group.Select(r => r.Get("mean_squared_singular_value")).ToArray()),
                    MeanSd(group.Select(r => r.Get("mean_turning_angle")).ToArray())]);
            }
            double[] x = [.. depths.Select(d => (double)d)];
            foreach (var m in measures) series[m].Add(new PlotSeries(kind, x, [.. means[m]], [.. sds[m]]));
        }
        summary["groups"] = groups;
        var panels = new List<PlotPanel>
        {
            new("Test accuracy", "depth", series["test_acc"]),
            new("Median cond(J) (missing: singular)", "depth", series["median_condition_number"], LogY: true),
            new("Mean squared singular value", "depth", series["mean_squared_singular_value"], LogY: true),
            new("Mean turning angle (rad)", "depth", series["mean_turning_angle"]),
        };

        var findings = new List<string>();
        foreach (int depth in depths)
        {
            double Mean(string kind, string m) => Statistics.MeanSd(runs.Where(r => r.Row["model"]!.GetValue<string>() == kind && r.Row["depth"]!.GetValue<int>() == depth).Select(r => Value(r, m))).Mean;
            double fa = Mean("flownet", "train_acc"), pa = Mean("plainnet", "train_acc");
            double fc = Mean("flownet", "median_condition_number"), pc = Mean("plainnet", "median_condition_number");
            double ft = Mean("flownet", "mean_turning_angle"), pt = Mean("plainnet", "mean_turning_angle");
            findings.Add($"depth {depth}: train accuracy flow {Text(fa)} vs plain {Text(pa)}; median cond(J) flow {Text(fc)} vs plain {Text(pc)}; " +
                $"turning angle flow {Text(ft)} vs plain {Text(pt)} rad -> " +
                $"{(fa >= pa ? "flow trains at least as well" : "plain trains better")}, {(fc < pc ? "flow better conditioned" : "flow NOT better conditioned")}, " +
                $"{(ft < pt ? "flow turns less" : "flow does NOT turn less")}");
        }
        return new ExperimentOutcome { Runs = runs, Summary = summary, Table = table, Findings = findings, Panels = panels };
    }
}
