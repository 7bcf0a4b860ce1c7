using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Geometrize.Analysis;
using Geometrize.Networks.Data;
using Geometrize.Networks.Models;
using Geometrize.Numerics;
using Geometrize.Reports;

namespace Geometrize.Cli.Commands;

/// <summary>
/// The work of <c>geometrize net geometry MODEL_DIR --data … --output DIR</c>: loads a model folder written by
/// <c>net train</c>, normalises a data subset as the model was trained, runs <see cref="NetworkGeometry"/> and writes
/// <c>geometry.json</c> and <c>geometry.png</c> together (staging folder, then moved).
/// </summary>
public static class NetGeometry
{
    /// <summary>Default subset size.</summary>
    public const int DefaultSamples = 1000;

    /// <summary>Runs the sub-command (options already parsed); returns the exit code.</summary>
    public static int Run(CommandLine args, TextWriter stdout, TextWriter stderr, string usage)
    {
        if (args.Positionals.Count < 2) throw new UsageException("'net geometry' needs the model folder: net geometry MODEL_DIR --data NAME --output DIR.", usage);
        args.RequirePositionals(2, 2, "the sub-command 'geometry', the model folder and options");
        string modelDir = args.Positionals[1];
        string dataSpec = args.GetString("data") ?? throw new UsageException("missing required option '--data'.", usage);
        string output = args.GetString("output") ?? throw new UsageException("missing required option '--output'.", usage);
        int samples = args.GetInt("samples", DefaultSamples);
        if (samples < 1) throw new InvalidParameterException("--samples", $"must be at least 1, got {samples}.");
        var options = new GeometryOptions
        {
            TopEigenvalues = args.GetInt("top", 5),
            Probes = args.GetInt("probes", 100),
            LanczosSteps = args.GetInt("lanczos", 80),
            JacobianSamples = args.GetInt("jacobian-samples", 256),
            Seed = args.GetInt("seed", 0),
        };
        options.Validate();
        args.ApplyThreads();
        if (!Directory.Exists(modelDir))
            throw new InvalidParameterException("MODEL_DIR", $"model folder '{modelDir}' not found; give a folder written by 'geometrize net train'.");
        // Double precision: the Hessian tools difference gradients and iterate to 1e-4, below float32's useful accuracy.
        var (model, description) = ModelFile.Load<double>(modelDir);

        // Generated sets are redrawn with the model's training seed, so they follow the training distribution (and equal
        // the training set when --samples is the training count); other sets keep their first --samples training rows.
        int dataSeed = description.Training?.Seed ?? 0;
        var (raw, _, datasetName) = NetTrain.LoadData(dataSpec, args, dataSeed, usage, samples, 0);
        if (raw.Count > samples) raw = raw.Take(samples);
        NetworkGeometry.CheckFits(model, raw);
        var data = description.Normalization?.Apply(raw) ?? raw;

        string target = NetTrain.PrepareOutputFolder(output);

        var inv = CultureInfo.InvariantCulture;
        stderr.WriteLine(string.Create(inv,
            $"net geometry: {ModelArchitecture.KindName(model.Architecture.Kind)} with {model.ParameterCount} parameters on {datasetName} ({data.Count} samples)"));
        var clock = Stopwatch.StartNew();
        Action<string>? log = args.Has("quiet") ? null : line =>
        {
            stderr.WriteLine(string.Create(inv, $"net geometry: {line}  [{clock.Elapsed.TotalSeconds:0.0} s]"));
            stderr.Flush();
        };
        var report = NetworkGeometry.Analyze(model, data, options, log);

        string staging = NetTrain.StagingFolder(target);
        try
        {
            Directory.CreateDirectory(staging);
            var json = GeometryJson.Build(report, datasetName, options);
            NetTrain.WriteText(Path.Combine(staging, "geometry.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            int[]? labels = data.Task == LearningTask.Classification && report.ProjectedPathSamples is { } picked
                ? picked.Select(data.Label).ToArray() : null;
            GeometryPlots.Draw(report, labels).SavePng(Path.Combine(staging, "geometry.png"));
            NetTrain.Commit(staging, target);
        }
        finally
        {
            if (Directory.Exists(staging)) NetTrain.TryDeleteFolder(staging);
        }
        stdout.WriteLine(Summary(report));
        stdout.WriteLine($"net geometry: wrote {output}");
        return 0;
    }

    private static string Summary(GeometryReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        var parts = new List<string> { string.Create(inv, $"loss {r.Loss:0.0000}") };
        if (r.Trajectory is { } t) parts.Add(string.Create(inv, $"isometry index {t.IsometryIndex:0.0000}, kinetic energy {t.KineticEnergy:0.###}"));
        if (r.HessianTop is { Values.Length: > 0 } top) parts.Add(string.Create(inv, $"top Hessian eigenvalue {top.Values[0]:0.####}"));
        if (r.HessianTrace is { } tr) parts.Add(string.Create(inv, $"trace {tr.Mean:0.###} ± {tr.StandardError:0.###}"));
        return "net geometry: " + string.Join(", ", parts);
    }
}
