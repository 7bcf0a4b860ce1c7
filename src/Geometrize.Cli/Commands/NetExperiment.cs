using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Geometrize.Cli.Experiments;
using Geometrize.Numerics;
using Geometrize.Reports;

namespace Geometrize.Cli.Commands;

/// <summary>
/// The work of <c>geometrize net experiment NAME [--seeds K] [--quick] [--data …] --output DIR</c>: runs one of the
/// paper's dictionary experiments and writes <c>results.json</c> (every number), <c>results.csv</c> (one row per run)
/// and <c>experiment.png</c> together (staging folder, then moved), and prints a short table and the findings.
/// </summary>
public static class NetExperiment
{
    /// <summary>The experiments by name.</summary>
    public static IReadOnlyList<IExperiment> All { get; } =
    [
        new BatchNormSpeedExperiment(),
        new ResidualVsPlainExperiment(),
        new FisherRaoGeneralizationExperiment(),
        new GeodesicLengthExperiment(),
    ];

    /// <summary>The names, comma-separated, for help and errors.</summary>
    public static string Names => string.Join(", ", All.Select(e => e.Name));

    /// <summary>Runs the sub-command (options already parsed); returns the exit code.</summary>
    public static int Run(CommandLine args, TextWriter stdout, TextWriter stderr, string usage)
    {
        if (args.Positionals.Count < 2) throw new UsageException($"'net experiment' needs a name: net experiment NAME --output DIR; names: {Names}.", usage);
        args.RequirePositionals(2, 2, "the sub-command 'experiment', the experiment name and options");
        string name = args.Positionals[1].Trim().ToLowerInvariant();
        var experiment = All.FirstOrDefault(e => e.Name == name)
            ?? throw new InvalidParameterException("NAME", $"unknown experiment '{args.Positionals[1]}'; the experiments are {Names}.");
        string output = args.GetString("output") ?? throw new UsageException("missing required option '--output'.", usage);
        int seeds = args.GetInt("seeds", experiment.DefaultSeeds);
        if (seeds < 1 || seeds > 100) throw new InvalidParameterException("--seeds", $"must be in [1, 100], got {seeds}.");
        args.ApplyThreads();
        string target = NetTrain.PrepareOutputFolder(output);
        var inv = CultureInfo.InvariantCulture;
        var clock = Stopwatch.StartNew();
        bool quiet = args.Has("quiet");
        return StagedRun.Execute(target, stderr, (staging, token) =>
        {
            var context = new ExperimentContext(seeds, args.Has("quick"), args.GetString("data"), line =>
            {
                if (quiet) return;
                stderr.WriteLine(string.Create(inv, $"net experiment {experiment.Name}: {line}  [{clock.Elapsed.TotalSeconds:0.0} s]"));
                stderr.Flush();
            }, token, args, usage);
            var outcome = experiment.Run(context);
            double seconds = clock.Elapsed.TotalSeconds;
            Directory.CreateDirectory(staging);
            NetTrain.WriteText(Path.Combine(staging, "results.json"), Json(experiment, context, outcome, seconds).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            NetTrain.WriteText(Path.Combine(staging, "results.csv"), Csv(outcome.Runs));
            ExperimentPlots.Draw($"{experiment.Name} ({seeds} seed{(seeds == 1 ? "" : "s")}{(context.Quick ? ", quick" : "")})", outcome.Panels)
                .SavePng(Path.Combine(staging, "experiment.png"));
            return () =>
            {
                stdout.WriteLine($"net experiment {experiment.Name}: {experiment.Claim}");
                stdout.Write(FormatTable(outcome.Table));
                foreach (var f in outcome.Findings) stdout.WriteLine($"  - {f}");
                stdout.WriteLine(string.Create(inv, $"net experiment {experiment.Name}: {outcome.Runs.Count} runs in {seconds:0.0} s; wrote {output}"));
            };
        });
    }

    private static JsonObject Json(IExperiment experiment, ExperimentContext context, ExperimentOutcome outcome, double seconds)
    {
        var runs = new JsonArray();
        foreach (var run in outcome.Runs)
        {
            var o = (JsonObject)run.Row.DeepClone();
            foreach (var (key, value) in run.Details) o[key] = value?.DeepClone();
            runs.Add(o);
        }
        return new JsonObject
        {
            ["experiment"] = experiment.Name,
            ["claim"] = experiment.Claim,
            ["seeds"] = context.Seeds,
            ["quick"] = context.Quick,
            ["threads"] = Parallelism.MaxDegreeOfParallelism,
            ["seconds"] = seconds,
            ["summary"] = outcome.Summary.DeepClone(),
            ["findings"] = new JsonArray([.. outcome.Findings.Select(f => (JsonNode?)JsonValue.Create(f))]),
            ["runs"] = runs,
        };
    }

    /// <summary>One row per run; the columns are the union of the runs' scalar columns in first-seen order.</summary>
    private static string Csv(IReadOnlyList<ExperimentRun> runs)
    {
        var columns = new List<string>();
        foreach (var run in runs)
            foreach (var (key, _) in run.Row)
                if (!columns.Contains(key)) columns.Add(key);
        var sb = new StringBuilder(string.Join(',', columns)).Append('\n');
        foreach (var run in runs)
        {
            sb.Append(string.Join(',', columns.Select(c => run.Row[c] switch
            {
                null => "nan",
                JsonValue v when v.TryGetValue(out double d) => d.ToString("R", CultureInfo.InvariantCulture),
                JsonValue v when v.TryGetValue(out string? s) => s!.Contains(',') ? $"\"{s}\"" : s,
                var v => v.ToJsonString(),
            })));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string FormatTable(IReadOnlyList<string[]> rows)
    {
        if (rows.Count == 0) return "";
        int columns = rows.Max(r => r.Length);
        var widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => c < r.Length ? r[c].Length : 0)).ToArray();
        var sb = new StringBuilder();
        for (int i = 0; i < rows.Count; i++)
        {
            sb.Append("  ");
            sb.Append(string.Join("  ", Enumerable.Range(0, columns).Select(c => (c < rows[i].Length ? rows[i][c] : "").PadRight(widths[c]))).TrimEnd());
            sb.Append('\n');
            if (i == 0) sb.Append("  ").Append(new string('-', widths.Sum() + 2 * (columns - 1))).Append('\n');
        }
        return sb.ToString();
    }
}
