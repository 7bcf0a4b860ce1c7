using System.Text.Json.Nodes;
using Geometrize.Analysis;
using Geometrize.Networks.Models;
using Geometrize.Networks.Training;
using Geometrize.Reports;
using static Geometrize.Cli.Experiments.ExperimentJson;

namespace Geometrize.Cli.Experiments;

/// <summary>
/// Paper item 10, "batch normalisation and geodesics": the same FlowNet trained with and without batch norm over K
/// seeds; speed profile s_k along depth and isometry index (coefficient of variation of s, 0 for constant speed) on the
/// test set, in evaluation mode, at initialisation and after training.
/// </summary>
public sealed class BatchNormSpeedExperiment : IExperiment
{
    /// <inheritdoc />
    public string Name => "batchnorm-speed";
    /// <inheritdoc />
    public string Claim => "batch normalisation makes the network's curve closer to constant speed (a geodesic-like, isometric curve)";
    /// <inheritdoc />
    public int DefaultSeeds => 3;

    /// <inheritdoc />
    public ExperimentOutcome Run(ExperimentContext context)
    {
        bool quick = context.Quick;
        int depth = quick ? 6 : 20, epochs = quick ? 3 : 30;
        var (train, test, dataName) = ExperimentModels.LoadData(context, "two-spirals", quick ? 200 : 1000, quick ? 100 : 500);
        var runs = new List<ExperimentRun>();
        var profiles = new Dictionary<bool, List<double[]>> { [false] = [], [true] = [] };
        foreach (bool batchNorm in new[] { false, true })
            for (int seed = 0; seed < context.Seeds; seed++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                string variant = batchNorm ? "batchnorm" : "plain-flow";
                context.Log($"{variant}, seed {seed}: training a FlowNet of depth {depth} for {epochs} epochs");
                var arch = new ModelArchitecture
                {
                    Kind = ModelKind.FlowNet, InputDimension = train.FeatureDimension, OutputDimension = train.ClassCount,
                    Width = 16, Hidden = 32, Depth = depth, Activation = Activation.Tanh, BatchNorm = batchNorm, Seed = seed,
                };
                var options = ExperimentModels.TrajectoryOnly(quick ? 16 : 64, seed);
                // The untrained network measured in evaluation mode: its batch-norm layers hold their initial statistics (0, 1).
                var initial = ExperimentModels.Measure(arch.Create<float>(), test, options);
                var settings = new TrainingSettings { Epochs = epochs, BatchSize = 64, LearningRate = 0.01, Seed = seed };
                var (model, result) = ExperimentModels.Train(arch, settings, train, test, context.Cancellation);
                var report = ExperimentModels.Measure(model, test, options);
                var t = report.Trajectory!;
                profiles[batchNorm].Add(t.Speeds);
                runs.Add(new ExperimentRun()
                    .Set("variant", variant).Set("seed", seed).Set("depth", depth)
                    .Set("train_acc", result.Final.TrainAccuracy).Set("test_acc", result.Final.TestAccuracy)
                    .Set("isometry_index", t.IsometryIndex).Set("isometry_index_init", initial.Trajectory!.IsometryIndex)
                    .Set("kinetic_energy", t.KineticEnergy).Set("curve_length", t.CurveLength)
                    .Set("mean_speed", t.Speeds.Average()).Set("mean_turning_angle", t.MeanTurningAngle)
                    .Set("train_seconds", result.Seconds)
                    .Detail("speeds", t.Speeds).Detail("speeds_init", initial.Trajectory!.Speeds));
            }

        double[] Col(bool bn, string column) => runs.Where(r => (r.Row["variant"]!.GetValue<string>() == "batchnorm") == bn).Select(r => r.Get(column)).ToArray();
        var summary = new JsonObject { ["data"] = dataName, ["depth"] = depth, ["epochs"] = epochs, ["seeds"] = context.Seeds, ["width"] = 16, ["hidden"] = 32 };
        var table = new List<string[]> { new[] { "variant", "isometry index (trained)", "isometry index (init)", "test acc", "kinetic energy" } };
        var panels = new List<PlotPanel>();
        var speedSeries = new List<PlotSeries>();
        var isoSeries = new List<PlotSeries>();
        foreach (bool bn in new[] { false, true })
        {
            string key = bn ? "batchnorm" : "plainFlow";
            var iso = Col(bn, "isometry_index");
            var (im, isd) = Statistics.MeanSd(iso);
            var (pm, psd) = Statistics.Profile(profiles[bn]);
            summary[key] = new JsonObject
            {
                ["isometryIndexMean"] = Number(im), ["isometryIndexSd"] = Number(isd),
                ["isometryIndexInitMean"] = Number(Statistics.MeanSd(Col(bn, "isometry_index_init")).Mean),
                ["testAccuracyMean"] = Number(Statistics.MeanSd(Col(bn, "test_acc")).Mean),
                ["kineticEnergyMean"] = Number(Statistics.MeanSd(Col(bn, "kinetic_energy")).Mean),
                ["speedProfileMean"] = Numbers(pm), ["speedProfileSd"] = Numbers(psd),
            };
            table.Add([bn ? "with batch norm" : "without", MeanSd(iso), MeanSd(Col(bn, "isometry_index_init")), MeanSd(Col(bn, "test_acc")), MeanSd(Col(bn, "kinetic_energy"))]);
            string label = bn ? "with BN" : "without BN";
            speedSeries.Add(new PlotSeries(label, [.. Enumerable.Range(0, pm.Length).Select(k => (double)k)], pm, psd));
            isoSeries.Add(new PlotSeries(label, [.. Enumerable.Range(0, iso.Length).Select(s => (double)s)], iso, PointsOnly: true));
        }
        // Speeds are in the state's own units, and batch norm changes the scale; the normalised profile s_k / mean(s) compares shapes.
        var shapeSeries = new List<PlotSeries>();
        foreach (bool bn in new[] { false, true })
        {
            var norm = profiles[bn].Select(p => { double m = p.Average(); return p.Select(v => v / m).ToArray(); }).ToList();
            var (nm, nsd) = Statistics.Profile(norm);
            shapeSeries.Add(new PlotSeries(bn ? "with BN" : "without BN", [.. Enumerable.Range(0, nm.Length).Select(k => (double)k)], nm, nsd));
        }
        panels.Add(new PlotPanel("Speed along depth (mean +/- sd)", "block", speedSeries));
        panels.Add(new PlotPanel("Speed / mean speed", "block", shapeSeries));
        panels.Add(new PlotPanel("Isometry index per seed", "seed", isoSeries));

        var without = Col(false, "isometry_index");
        var with = Col(true, "isometry_index");
        int lower = Enumerable.Range(0, Math.Min(with.Length, without.Length)).Count(i => with[i] < without[i]);
        double mw = Statistics.MeanSd(with).Mean, mo = Statistics.MeanSd(without).Mean;
        summary["seedsWhereBatchNormIsCloserToConstantSpeed"] = lower;
        var findings = new List<string>
        {
            $"isometry index with batch norm {MeanSd(with)}, without {MeanSd(without)} (trained, {context.Seeds} seeds)",
            $"batch norm gives the lower isometry index (closer to constant speed) in {lower} of {with.Length} seeds",
            mw < mo ? "on average batch norm brings the curve closer to constant speed" : "on average batch norm does NOT bring the curve closer to constant speed",
        };
        return new ExperimentOutcome { Runs = runs, Summary = summary, Table = table, Findings = findings, Panels = panels };
    }
}
