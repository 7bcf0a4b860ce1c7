using System.Globalization;
using Geometrize.Diffeomorphisms.Metrics;
using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Registration;

namespace Geometrize.Cli.Commands;

/// <summary>
/// <c>geometrize register --fixed F --moving M --output DIR [options]</c>: dense diffeomorphic registration of two
/// images, writing the warped image, displacement fields, Jacobian, momentum, energy log, summary and report.
/// </summary>
public sealed class RegisterCommand : ICommand
{
    private static readonly RegistrationSettings Defaults = new();
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <inheritdoc />
    public string Name => "register";
    /// <inheritdoc />
    public string Summary => "register a moving image to a fixed image (LDDMM, geodesic shooting)";
    /// <inheritdoc />
    public string Usage => "register --fixed F --moving M --output DIR [--method M] [--metric ssd|ncc|lncc] [options]";
    /// <inheritdoc />
    public string Description =>
        "Finds a diffeomorphism phi such that the moving image, warped by it, matches the fixed image, by\n" +
        "minimising 1/2 ||v||_V^2 + D(moving o phi^-1, fixed) with the Sobolev metric L = (gamma - alpha Laplacian)^s\n" +
        "- beta grad div, coarse to fine over a Gaussian pyramid. Intensities are rescaled jointly to [0, 1] first,\n" +
        "so sigma means the same for every scan. Writes into DIR (all files or none):\n" +
        "  warped.nii.gz                 moving image resampled into fixed space (plus warped.png/.mha for PNG/MetaImage input)\n" +
        "  displacement.nii.gz           u on the fixed grid, physical LPS mm: fixed point x maps to moving point x + u(x)\n" +
        "                                (ITK/ANTs layout; 'geometrize apply' and antsApplyTransforms read it)\n" +
        "  inverse_displacement.nii.gz   the inverse map's displacement\n" +
        "  jacobian.nii.gz               det D(x + u(x))\n" +
        "  momentum.nii.gz               initial momentum (shooting methods, metamorphosis)\n" +
        "  intensity_change.nii.gz       metamorphosis: accumulated intensity change (matched image = warped + it)\n" +
        "  energy.csv, summary.json      energy per iteration; method, time, MSE/NCC before and after, Jacobian range\n" +
        "  report.png                    fixed, moving, warped, differences, deformed grid, Jacobian, energy curve\n" +
        "Progress is shown on standard error (a live line on a terminal, plain lines otherwise). Ctrl-C cancels\n" +
        "cleanly (exit 130, no outputs). Exit codes: 0 done, 1 bad input or parameter, 2 wrong usage.";

    /// <inheritdoc />
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("fixed", "F", "fixed (target) image: the grid of every output"),
        new("moving", "M", "moving (source) image, deformed onto the fixed one"),
        new("output", "DIR", "output folder, created when missing"),
        new("method", "M", $"shooting (vector momentum m_0, Singh 2013), lddmm (velocities v_t, Beg 2005), shooting-scalar (P_0, Vialard 2012), metamorphosis (deformation plus intensity change, p_0) (default {RegistrationProblems.Name(Defaults.Method)})"),
        new("rho", "R", $"metamorphosis trade-off in [0, 1]: 0 pure deformation (= shooting-scalar), 1 pure intensity blending (default {Num(Defaults.MetamorphosisRho)})"),
        new("metric", "D", $"similarity: ssd (squared differences), ncc (normalised cross-correlation), lncc (local NCC) (default {Defaults.DataTerm.ToString().ToLowerInvariant()})"),
        new("radius", "R", $"LNCC window radius r in voxels, window side 2r+1 (default {Defaults.LnccRadius})"),
        new("sigma", "S", $"noise level sigma of the data term, on intensities in [0, 1]: D is divided by sigma^2 (default {Num(Defaults.Sigma)})"),
        new("alpha", "A", $"alpha, weight of the Laplacian in L (mm^2; smoothing length about sqrt(alpha) mm) (default {Num(Defaults.Metric.Alpha)})"),
        new("gamma", "G", $"gamma, zero-order weight in L (default {Num(Defaults.Metric.Gamma)}; {Num(RegistrationSettings.DefaultMetric(RegistrationMethod.Metamorphosis).Gamma)} for metamorphosis)"),
        new("s", "S", $"s, power of the operator L: order of smoothness (default {Num(Defaults.Metric.Power)})"),
        new("beta", "B", $"beta, 'fluid' penalty on compression/expansion, -beta grad div (default {Num(Defaults.Metric.Beta)})"),
        new("time-steps", "N", $"time steps of the flow, semi-Lagrangian (default {Defaults.TimeSteps})"),
        new("flow-shrink", "F", $"shooting: run the flow on the fixed grid shrunk by F, compare images at full resolution (default {Defaults.FlowShrink}; 1 = full grid)"),
        new("smoothing", "VOX", $"Gaussian sigma in voxels applied to both images at the finest level, the least at any level (default {Num(Defaults.Smoothing)}; 0 = none)"),
        new("final-interpolation", "KIND", $"reading of the moving image for warped.nii.gz and the MSE/NCC after: cubic (B-spline, as elastix) or linear (default {DisplacementWarp.Name(Defaults.FinalInterpolation)})"),
        new("shrink", "F1xF2..", $"shrink factor per level, coarse to fine (ANTs style) (default {string.Join('x', Defaults.Shrink)})"),
        new("iterations", "N1xN2..", $"iterations per level, coarse to fine (default {string.Join('x', Defaults.Iterations)})"),
        new("tolerance", "T", $"relative energy decrease per iteration below which a level stops (default {Num(Defaults.Tolerance)})"),
        new("optimizer", "O", "lbfgs (L-BFGS) or gd (gradient descent), Armijo line search (default lbfgs; gd for lddmm)"),
        new("threads", "N", $"worker threads (default: all {Environment.ProcessorCount} processors; results are deterministic for a given count)"),
        new("json", null, "print the summary as JSON (the content of summary.json) instead of a table"),
        new("quiet", null, "show no progress"),
    ];

    /// <inheritdoc />
    public int Run(CommandLine args, TextWriter stdout, TextWriter stderr)
    {
        args.RequirePositionals(0, 0, "no positional arguments (images are given with --fixed and --moving)");
        string fixedPath = Required(args, "fixed"), movingPath = Required(args, "moving"), output = Required(args, "output");
        var settings = Settings(args);
        args.ApplyThreads();
        var (fixedImage, movingImage) = ReadPair(fixedPath, movingPath);
        RegistrationSession.RequireWritableFolder(output, "--output");

        RegistrationResult result;
        IReadOnlyList<string> files;
        try
        {
            (result, files) = RegistrationSession.Execute(fixedImage, movingImage, fixedPath, settings, output, args.Has("quiet"), stderr);
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("geometrize: cancelled");
            return RegistrationSession.CancelledExitCode;
        }
        if (args.Has("json"))
        {
            stdout.Write(RegistrationOutputs.SummaryJson(result));
            return 0;
        }
        stdout.WriteLine($"registered {movingPath} to {fixedPath}:");
        RegistrationSession.WriteSummaryTable(stdout, result);
        stdout.WriteLine($"wrote {files.Count} files to {output}: {string.Join(", ", files.Select(Path.GetFileName))}");
        return 0;
    }

    /// <summary>The settings the options describe (defaults from <see cref="RegistrationSettings"/>), validated.</summary>
    public static RegistrationSettings Settings(CommandLine args)
    {
        var method = args.GetString("method") is { } m ? ParseMethod(m) : Defaults.Method;
        var defaultMetric = RegistrationSettings.DefaultMetric(method);
        var metric = new MetricParameters(
            Alpha: args.GetDouble("alpha", defaultMetric.Alpha),
            Gamma: args.GetDouble("gamma", defaultMetric.Gamma),
            Power: args.GetDouble("s", defaultMetric.Power),
            Beta: args.GetDouble("beta", defaultMetric.Beta));
        var settings = Defaults with
        {
            Method = method,
            Metric = metric,
            DataTerm = args.GetString("metric") is { } d ? ParseDataTerm(d) : Defaults.DataTerm,
            LnccRadius = args.GetInt("radius", Defaults.LnccRadius),
            Sigma = args.GetDouble("sigma", Defaults.Sigma),
            TimeSteps = args.GetInt("time-steps", Defaults.TimeSteps),
            FlowShrink = args.GetInt("flow-shrink", Defaults.FlowShrink),
            Shrink = args.GetString("shrink") is { } s ? RegistrationSettings.ParseSchedule(s, "--shrink") : Defaults.Shrink,
            Iterations = args.GetString("iterations") is { } it ? RegistrationSettings.ParseSchedule(it, "--iterations") : Defaults.Iterations,
            Tolerance = args.GetDouble("tolerance", Defaults.Tolerance),
            Optimizer = args.GetString("optimizer") is { } o ? ParseOptimizer(o) : null,
            MetamorphosisRho = args.GetDouble("rho", Defaults.MetamorphosisRho),
            Smoothing = args.GetDouble("smoothing", Defaults.Smoothing),
            FinalInterpolation = args.GetString("final-interpolation") is { } fi
                ? DisplacementWarp.ParseInterpolation(fi, "--final-interpolation") : Defaults.FinalInterpolation,
        };
        if (args.Has("flow-shrink") && settings.Method != RegistrationMethod.Shooting && settings.FlowShrink != 1)
            throw new InvalidParameterException("--flow-shrink", $"applies to the shooting method only; {RegistrationProblems.Name(settings.Method)} computes its flow on the image grid.");
        return settings.Validate();
    }

    /// <summary>Reads both images and checks what can be checked before registering: dimension, scalar voxels, finite values.</summary>
    public static (Image Fixed, Image Moving) ReadPair(string fixedPath, string movingPath)
    {
        var fixedImage = ImageIO.Read(fixedPath);
        var movingImage = ImageIO.Read(movingPath);
        if (fixedImage.Dimension != movingImage.Dimension)
            throw new GridMismatchException($"the fixed image {fixedPath} is {fixedImage.Dimension}-D but the moving image {movingPath} is {movingImage.Dimension}-D; register images of the same dimension.");
        foreach (var (image, path, option) in new[] { (fixedImage, fixedPath, "--fixed"), (movingImage, movingPath, "--moving") })
        {
            if (image.Components != 1)
                throw new InvalidParameterException(option, $"{path} has {image.Components} components per voxel; registration needs a scalar (gray-level) image.");
            image.RequireFinite($"{path} ({option})");
        }
        return (fixedImage, movingImage);
    }

    private string Required(CommandLine args, string name) =>
        args.GetString(name) is { Length: > 0 } v ? v : throw new UsageException($"option '--{name}' is required.", Usage);

    private static RegistrationMethod ParseMethod(string text) => text.ToLowerInvariant() switch
    {
        "shooting" => RegistrationMethod.Shooting,
        "lddmm" => RegistrationMethod.Lddmm,
        "shooting-scalar" => RegistrationMethod.ShootingScalar,
        "metamorphosis" => RegistrationMethod.Metamorphosis,
        _ => throw new InvalidParameterException("--method", $"'{text}' is not a method; use shooting, lddmm, shooting-scalar or metamorphosis."),
    };

    private static DataTermKind ParseDataTerm(string text) => text.ToLowerInvariant() switch
    {
        "ssd" => DataTermKind.Ssd,
        "ncc" => DataTermKind.Ncc,
        "lncc" => DataTermKind.Lncc,
        _ => throw new InvalidParameterException("--metric", $"'{text}' is not a similarity metric; use ssd, ncc or lncc."),
    };

    private static OptimizerKind ParseOptimizer(string text) => text.ToLowerInvariant() switch
    {
        "lbfgs" or "l-bfgs" => OptimizerKind.Lbfgs,
        "gd" or "gradient-descent" => OptimizerKind.GradientDescent,
        _ => throw new InvalidParameterException("--optimizer", $"'{text}' is not an optimiser; use lbfgs or gd."),
    };

    private static string Num(double v) => v.ToString("0.######", Inv);
}
