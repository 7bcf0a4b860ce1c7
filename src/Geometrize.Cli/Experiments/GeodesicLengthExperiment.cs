using System.Globalization;
using System.Text.Json.Nodes;
using Geometrize.Networks.Models;
using Geometrize.Networks.Training;
using Geometrize.Reports;
using static Geometrize.Cli.Experiments.ExperimentJson;

namespace Geometrize.Cli.Experiments;

/// <summary>
/// Paper item 4, "optimal networks and geodesics": the same FlowNet trained without and with the kinetic-energy
/// regulariser W·½Σ_k h·E‖f_k‖² for a few weights W; kinetic energy, curve length, isometry index and accuracy on the
/// test set. The comparison "at equal accuracy" uses the largest W whose mean test accuracy is within one point of the
/// unregularised one.
/// </summary>
public sealed class GeodesicLengthExperiment : IExperiment
{
    /// <summary>Test-accuracy loss (absolute) still counted as "equal accuracy".</summary>
    public const double AccuracyTolerance = 0.01;

    /// <inheritdoc />
    public string Name => "geodesic-length";
    /// <inheritdoc />
    public string Claim => "an optimal network is a geodesic: penalising the kinetic energy gives a shorter, constant-speed curve at the same accuracy";
    /// <inheritdoc />
    public int DefaultSeeds => 3;

    /// <inheritdoc />
    public ExperimentOutcome Run(ExperimentContext context)
    {
        bool quick = context.Quick;
        int depth = quick ? 6 : 20, epochs = quick ? 3 : 30;
        double[] weights = quick ? [0, 0.1] : [0, 0.01, 0.1, 1];
        var (train, test, dataName) = ExperimentModels.LoadData(context, "two-spirals", quick ? 200 : 1000, quick ? 100 : 500);
        var runs = new List<ExperimentRun>();
        var profiles = weights.ToDictionary(w => w, _ => new List<double[]>());
        foreach (double w in weights)
            for (int seed = 0; seed < context.Seeds; seed++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                context.Log($"kinetic-energy weight {w.ToString(CultureInfo.InvariantCulture)}, seed {seed}: training a FlowNet of depth {depth} for {epochs} epochs");
                var arch = new ModelArchitecture
                {
                    Kind = ModelKind.FlowNet, InputDimension = train.FeatureDimension, OutputDimension = train.ClassCount,
                    Width = 16, Hidden = 32, Depth = depth, Activation = Activation.Tanh, Seed = seed,
                };
                var settings = new TrainingSettings { Epochs = epochs, BatchSize = 64, LearningRate = 0.01, Seed = seed, KineticEnergyWeight = w };
                var (model, result) = ExperimentModels.Train(arch, settings, train, test, context.Cancellation);
                var report = ExperimentModels.Measure(model, test, ExperimentModels.TrajectoryOnly(quick ? 16 : 64, seed));
                var t = report.Trajectory!;
                profiles[w].Add(t.Speeds);
                runs.Add(new ExperimentRun()
                    .Set("kinetic_energy_weight", w).Set("seed", seed)
                    .Set("train_acc", result.Final.TrainAccuracy).Set("test_acc", result.Final.TestAccuracy)
                    .Set("kinetic_energy", t.KineticEnergy).Set("curve_length", t.CurveLength).Set("isometry_index", t.IsometryIndex)
                    // For a constant-speed curve 2·KE = length²: the ratio 2·KE/length² ≥ 1 (Cauchy–Schwarz) is 1 exactly for a geodesic parametrisation.
                    .Set("energy_length_ratio", 2 * t.KineticEnergy / (t.CurveLength * t.CurveLength))
                    .Set("parameter_energy", report.ParameterCurve!.Energy).Set("mean_turning_angle", t.MeanTurningAngle)
                    .Set("median_condition_number", report.Jacobian.MedianConditionNumber)
                    .Set("train_seconds", result.Seconds)
                    .Detail("speeds", t.Speeds));
            }

        string[] measures = ["test_acc", "train_acc", "kinetic_energy", "curve_length", "isometry_index", "energy_length_ratio"];
        double MeanOf(double w, string m) => Statistics.MeanSd(runs.Where(r => r.Get("kinetic_energy_weight") == w).Select(r => r.Get(m))).Mean;
        var table = new List<string[]> { new[] { "weight W", "test acc", "train acc", "kinetic energy", "curve length", "isometry index", "2KE/L^2" } };
        var groups = new JsonArray();
        foreach (double w in weights)
        {
            var g = runs.Where(r => r.Get("kinetic_energy_weight") == w).ToList();
            var entry = new JsonObject { ["kineticEnergyWeight"] = w };
            foreach (var m in measures)
            {
                var (mean, sd) = Statistics.MeanSd(g.Select(r => r.Get(m)));
                entry[m + "_mean"] = Number(mean);
                entry[m + "_sd"] = Number(sd);
            }
            var (pm, psd) = Statistics.Profile(profiles[w]);
            entry["speedProfileMean"] = Numbers(pm);
            entry["speedProfileSd"] = Numbers(psd);
            groups.Add(entry);
            table.Add([w.ToString(CultureInfo.InvariantCulture), .. measures.Select(m => MeanSd(g.Select(r => r.Get(m)).ToArray()))]);
        }

        double baseAcc = MeanOf(0, "test_acc");
        double matched = weights.Where(w => w > 0 && MeanOf(w, "test_acc") >= baseAcc - AccuracyTolerance).DefaultIfEmpty(double.NaN).Max();
        var findings = new List<string>();
        if (double.IsNaN(matched))
            findings.Add($"no regularised run kept the test accuracy within {AccuracyTolerance:P0} of the unregularised {Text(baseAcc)}; no equal-accuracy comparison");
        else
        {
            double e0 = MeanOf(0, "kinetic_energy"), e1 = MeanOf(matched, "kinetic_energy");
            double l0 = MeanOf(0, "curve_length"), l1 = MeanOf(matched, "curve_length");
            double i0 = MeanOf(0, "isometry_index"), i1 = MeanOf(matched, "isometry_index");
            findings.Add($"at equal accuracy (W = {matched.ToString(CultureInfo.InvariantCulture)}: test accuracy {Text(MeanOf(matched, "test_acc"))} vs {Text(baseAcc)} without): " +
                $"kinetic energy {Text(e1)} vs {Text(e0)}, curve length {Text(l1)} vs {Text(l0)}, isometry index {Text(i1)} vs {Text(i0)}");
            findings.Add(e1 < e0 && l1 < l0 ? "the regularised flow is shorter and cheaper at the same accuracy" : "the regularised flow is NOT both shorter and cheaper");
            findings.Add(i1 < i0 ? "the regularised flow is closer to constant speed (lower isometry index)" : "the regularised flow is NOT closer to constant speed (isometry index not lower)");
        }
        var summary = new JsonObject
        {
            ["data"] = dataName, ["depth"] = depth, ["epochs"] = epochs, ["seeds"] = context.Seeds, ["width"] = 16, ["hidden"] = 32,
            ["weights"] = Numbers(weights), ["accuracyTolerance"] = AccuracyTolerance, ["matchedWeight"] = Number(matched), ["groups"] = groups,
        };
        // Weights on a log axis: W = 0 is drawn one decade below the smallest positive weight.
        double positiveMin = weights.Where(w => w > 0).DefaultIfEmpty(1).Min();
        double[] xs = [.. weights.Select(w => w > 0 ? Math.Log10(w) : Math.Log10(positiveMin) - 1)];
        PlotSeries Series(string m, string label) => new(label, xs, [.. weights.Select(w => MeanOf(w, m))],
            [.. weights.Select(w => Statistics.MeanSd(runs.Where(r => r.Get("kinetic_energy_weight") == w).Select(r => r.Get(m))).Sd)]);
        var speedSeries = weights.Select(w =>
        {
            var (pm, psd) = Statistics.Profile(profiles[w]);
            return new PlotSeries($"W = {w.ToString(CultureInfo.InvariantCulture)}", [.. Enumerable.Range(0, pm.Length).Select(k => (double)k)], pm, psd);
        }).ToList();
        var panels = new List<PlotPanel>
        {
            new("Speed along depth", "block", speedSeries, LogY: true),
            new("Kinetic energy and curve length", "log10 W (left: W = 0)", [Series("kinetic_energy", "kinetic energy"), Series("curve_length", "curve length")], LogY: true),
            new("Isometry index", "log10 W (left: W = 0)", [Series("isometry_index", "isometry index")]),
            new("Test accuracy", "log10 W (left: W = 0)", [Series("test_acc", "test accuracy")]),
        };
        return new ExperimentOutcome { Runs = runs, Summary = summary, Table = table, Findings = findings, Panels = panels };
    }
}
