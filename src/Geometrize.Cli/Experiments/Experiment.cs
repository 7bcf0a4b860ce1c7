using System.Globalization;
using System.Text.Json.Nodes;
using Geometrize.Reports;

namespace Geometrize.Cli.Experiments;

/// <summary>What every experiment is given: seeds, size, data, a log, cancellation.</summary>
/// <param name="Seeds">Number of seeds K; runs use seeds 0 … K−1.</param>
/// <param name="Quick">Seconds-scale sizes (used by the tests) instead of the default minutes-scale ones.</param>
/// <param name="DataSpec">The <c>--data</c> text, or null for the experiment's own default set.</param>
/// <param name="Log">Receives one progress line per run.</param>
/// <param name="Cancellation">Checked between runs and mini-batches.</param>
/// <param name="Arguments">The parsed command line, for the data options <c>net train</c> also reads (<c>--noise</c>, limits).</param>
/// <param name="Usage">Usage text for errors.</param>
public sealed record ExperimentContext(int Seeds, bool Quick, string? DataSpec, Action<string> Log, CancellationToken Cancellation,
    CommandLine Arguments, string Usage);

/// <summary>One run (one model trained and measured): scalar columns for results.csv and arrays for results.json.</summary>
public sealed class ExperimentRun
{
    /// <summary>Scalar values in column order (numbers, strings, booleans; NaN written as null).</summary>
    public JsonObject Row { get; } = [];

    /// <summary>Per-run arrays (speed profiles, angles …), written to results.json only.</summary>
    public JsonObject Details { get; } = [];

    /// <summary>Adds a number column (NaN and infinities become null).</summary>
    public ExperimentRun Set(string column, double value)
    {
        Row[column] = ExperimentJson.Number(value);
        return this;
    }

    /// <summary>Adds a text column.</summary>
    public ExperimentRun Set(string column, string value)
    {
        Row[column] = value;
        return this;
    }

    /// <summary>Adds an integer column.</summary>
    public ExperimentRun Set(string column, int value)
    {
        Row[column] = value;
        return this;
    }

    /// <summary>Adds an array of numbers to the details.</summary>
    public ExperimentRun Detail(string name, IEnumerable<double> values)
    {
        Details[name] = ExperimentJson.Numbers(values);
        return this;
    }

    /// <summary>The number in <paramref name="column"/> (NaN when absent or null).</summary>
    public double Get(string column) => Row[column] is JsonValue v && v.TryGetValue(out double d) ? d : double.NaN;
}

/// <summary>The outcome of an experiment: the runs, aggregated numbers, the printed table and the figure.</summary>
public sealed class ExperimentOutcome
{
    /// <summary>One entry per trained model.</summary>
    public required IReadOnlyList<ExperimentRun> Runs { get; init; }
    /// <summary>Aggregates (means, standard deviations, correlations) and the settings used.</summary>
    public required JsonObject Summary { get; init; }
    /// <summary>Header and rows of the short table printed to stdout.</summary>
    public required IReadOnlyList<string[]> Table { get; init; }
    /// <summary>One-line answers to the experiment's question, computed from the numbers (printed and stored).</summary>
    public required IReadOnlyList<string> Findings { get; init; }
    /// <summary>Panels of experiment.png.</summary>
    public required IReadOnlyList<PlotPanel> Panels { get; init; }
}

/// <summary>One of the paper's dictionary experiments, runnable as <c>geometrize net experiment NAME</c>.</summary>
public interface IExperiment
{
    /// <summary>The command-line name.</summary>
    string Name { get; }
    /// <summary>The paper's claim tested, in one sentence.</summary>
    string Claim { get; }
    /// <summary>Default number of seeds.</summary>
    int DefaultSeeds { get; }
    /// <summary>Trains and measures every model.</summary>
    ExperimentOutcome Run(ExperimentContext context);
}

/// <summary>JSON and text formatting shared by the experiments.</summary>
public static class ExperimentJson
{
    /// <summary>A JSON number, or null when <paramref name="value"/> is not finite (JSON has no NaN).</summary>
    public static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    /// <summary>A JSON array of numbers (non-finite → null).</summary>
    public static JsonArray Numbers(IEnumerable<double> values) => new([.. values.Select(Number)]);

    /// <summary>Formats a number for the printed table: 4 significant digits, or scientific when large or small.</summary>
    public static string Text(double v) => double.IsPositiveInfinity(v) ? "inf" : !double.IsFinite(v) ? "n/a"
        : Math.Abs(v) >= 1e5 || (v != 0 && Math.Abs(v) < 1e-3) ? v.ToString("0.###E+0", CultureInfo.InvariantCulture)
        : v.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>"mean ± sd" of the values.</summary>
    public static string MeanSd(IReadOnlyList<double> values)
    {
        var (m, s) = Statistics.MeanSd(values);
        return $"{Text(m)} ± {Text(s)}";
    }
}

/// <summary>Small statistics over runs.</summary>
public static class Statistics
{
    /// <summary>
    /// Mean and sample standard deviation (0 for a single value) of the finite values; NaN when none. A +∞ among the
    /// values (e.g. the condition number of a singular Jacobian) makes the mean +∞ and the deviation NaN.
    /// </summary>
    public static (double Mean, double Sd) MeanSd(IEnumerable<double> values)
    {
        var all = values.ToArray();
        if (all.Any(double.IsPositiveInfinity)) return (double.PositiveInfinity, double.NaN);
        var v = all.Where(double.IsFinite).ToArray();
        if (v.Length == 0) return (double.NaN, double.NaN);
        double m = v.Average();
        double s = v.Length < 2 ? 0 : Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Length - 1));
        return (m, s);
    }

    /// <summary>Element-wise mean and sample standard deviation of equal-length profiles.</summary>
    public static (double[] Mean, double[] Sd) Profile(IReadOnlyList<double[]> profiles)
    {
        int n = profiles.Count == 0 ? 0 : profiles.Min(p => p.Length);
        var mean = new double[n];
        var sd = new double[n];
        for (int k = 0; k < n; k++) (mean[k], sd[k]) = MeanSd(profiles.Select(p => p[k]));
        return (mean, sd);
    }
}
