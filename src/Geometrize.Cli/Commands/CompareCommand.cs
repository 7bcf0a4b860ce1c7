using System.Globalization;
using System.Text.Json;
using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Registration;

namespace Geometrize.Cli.Commands;

/// <summary>
/// <c>geometrize compare --displacement A --truth B [--mask M] [--json]</c>: end-point error between two
/// displacement fields; <c>geometrize compare --image A --reference B</c>: intensity agreement of two images.
/// </summary>
public sealed class CompareCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "compare";
    /// <inheritdoc />
    public string Summary => "end-point error of a displacement against a known one, or MSE/NCC of two images";
    /// <inheritdoc />
    public string Usage => "compare --displacement FIELD --truth FIELD [--mask IMG] [--json] | compare --image IMG --reference IMG [--json]";
    /// <inheritdoc />
    public string Description =>
        "Both fields use the ITK/ANTs displacement convention (as 'register' and 'synthesize' write them). The\n" +
        "estimate is resampled onto the truth's grid when the grids differ. Prints the mean and largest end-point\n" +
        "error |u - u_true|, in voxels (each axis in its own voxel size) and in mm, over the voxels where the mask\n" +
        "is positive (default: all), and the mean length of the true displacement for scale.\n" +
        "With --image and --reference (same grid) prints the mean squared difference and the normalised\n" +
        "cross-correlation of the two images, in their own intensity units (as register's mse_after).";
    /// <inheritdoc />
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("displacement", "FIELD", "the estimated displacement field (a register output folder or a file)"),
        new("truth", "FIELD", "the true displacement field"),
        new("mask", "IMG", "voxels to average over (positive values), on the truth's grid"),
        new("image", "IMG", "an image to compare with --reference (e.g. a warped moving image)"),
        new("reference", "IMG", "the image it should match (e.g. the fixed image), on the same grid"),
        new("json", null, "print the result as JSON"),
    ];

    /// <inheritdoc />
    public int Run(CommandLine args, TextWriter stdout, TextWriter stderr)
    {
        args.RequirePositionals(0, 0, "no positional arguments (use --displacement and --truth, or --image and --reference)");
        if (args.Has("image") || args.Has("reference")) return CompareImages(args, stdout);
        string estimatePath = Required(args, "displacement"), truthPath = Required(args, "truth");
        if (Directory.Exists(estimatePath)) estimatePath = Path.Combine(estimatePath, "displacement.nii.gz");
        var truth = DisplacementWarp.RequireDisplacement(ImageIO.Read(truthPath), truthPath);
        var estimate = DisplacementWarp.RequireDisplacement(ImageIO.Read(estimatePath), estimatePath);
        var g = truth.Geometry;
        if (estimate.Geometry.Dimension != g.Dimension)
            throw new GridMismatchException($"{estimatePath} is {estimate.Geometry.Dimension}-D but {truthPath} is {g.Dimension}-D.");
        if (!estimate.Geometry.IsSameGrid(g))
        {
            var resampled = new VectorField<float>(g, g.Dimension);
            Resampling.ResampleLinear(estimate, resampled, BoundaryMode.Border);
            estimate = resampled;
        }
        ScalarField<float>? mask = null;
        if (args.GetString("mask") is { Length: > 0 } maskPath)
        {
            var m = ImageIO.Read(maskPath);
            if (!m.Geometry.IsSameGrid(g))
                throw new GridMismatchException($"the mask {maskPath} ({m.Geometry}) is not on the grid of {truthPath} ({g}).");
            mask = new ScalarField<float>(g, m.Data.AsSpan(0, g.Count).ToArray());
        }
        var errors = SyntheticDeformation.EndPointErrors(estimate, truth, mask);
        var zero = new VectorField<float>(g, g.Dimension);
        var scale = SyntheticDeformation.EndPointErrors(truth, zero, mask);
        var inv = CultureInfo.InvariantCulture;
        if (args.Has("json"))
        {
            var o = new Dictionary<string, object>
            {
                ["mean_voxel"] = errors.MeanVoxel, ["max_voxel"] = errors.MaxVoxel,
                ["mean_mm"] = errors.MeanMm, ["max_mm"] = errors.MaxMm,
                ["true_mean_voxel"] = scale.MeanVoxel, ["true_max_voxel"] = scale.MaxVoxel, ["voxels"] = errors.Count,
            };
            stdout.WriteLine(JsonSerializer.Serialize(o, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        stdout.WriteLine(string.Create(inv, $"end-point error over {errors.Count} voxels: mean {errors.MeanVoxel:0.0000} voxel ({errors.MeanMm:0.0000} mm), largest {errors.MaxVoxel:0.000} voxel ({errors.MaxMm:0.000} mm)"));
        stdout.WriteLine(string.Create(inv, $"true displacement: mean {scale.MeanVoxel:0.000} voxel, largest {scale.MaxVoxel:0.000} voxel"));
        return 0;
    }

    private int CompareImages(CommandLine args, TextWriter stdout)
    {
        if (args.Has("displacement") || args.Has("truth"))
            throw new UsageException("give either --displacement and --truth, or --image and --reference, not both.", Usage);
        string imagePath = Required(args, "image"), referencePath = Required(args, "reference");
        var image = ImageIO.Read(imagePath);
        var reference = ImageIO.Read(referencePath);
        if (!image.Geometry.IsSameGrid(reference.Geometry))
            throw new GridMismatchException($"{imagePath} ({image.Geometry}) and {referencePath} ({reference.Geometry}) are not on the same grid; resample one first (geometrize apply).");
        if (image.Components != 1 || reference.Components != 1)
            throw new InvalidParameterException("--image", "both images must be scalar (one component per voxel).");
        image.RequireFinite($"{imagePath} (--image)");
        reference.RequireFinite($"{referencePath} (--reference)");
        double mse = ImageRegistration.MeanSquaredError(image.Data, reference.Data);
        double ncc = Geometrize.Registration.DataTerms.NccDataTerm<float>.Correlation(image.Data, reference.Data);
        if (args.Has("json"))
        {
            stdout.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["mse"] = mse, ["ncc"] = ncc, ["voxels"] = image.Geometry.Count },
                new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mse {mse:0.####}, ncc {ncc:0.######} over {image.Geometry.Count} voxels"));
        return 0;
    }

    private string Required(CommandLine args, string name) =>
        args.GetString(name) is { Length: > 0 } v ? v : throw new UsageException($"option '--{name}' is required.", Usage);
}
