using System.Globalization;
using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Registration;

namespace Geometrize.Cli.Commands;

/// <summary>
/// <c>geometrize synthesize --fixed IMG --output DIR [--amplitude MM] [--smoothness MM] [--seed N] [--texture A]</c>: makes a
/// registration test case with a known answer, a moving image produced from IMG by a smooth random deformation.
/// </summary>
public sealed class SynthesizeCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "synthesize";
    /// <inheritdoc />
    public string Summary => "deform an image by a known smooth random displacement (a registration test case)";
    /// <inheritdoc />
    public string Usage => "synthesize --fixed IMG --output DIR [--amplitude MM] [--smoothness MM] [--seed N] [--texture A [--texture-length MM]]";
    /// <inheritdoc />
    public string Description =>
        "Draws a smooth random displacement u on IMG's grid (seeded white noise, Gaussian-smoothed, tapered to 0 at\n" +
        "the faces, scaled so its longest vector is --amplitude mm) and writes into DIR:\n" +
        "  moving.nii.gz              IMG deformed so that moving(x + u(x)) = IMG(x)\n" +
        "  true_displacement.nii.gz   u (ITK/ANTs convention, physical LPS mm): registering IMG (fixed) and\n" +
        "                             moving.nii.gz (moving) perfectly returns exactly this field\n" +
        "With --texture A the fixed image is first multiplied by 1 + A t(x), t a smooth random texture of unit\n" +
        "standard deviation, and written as fixed.nii.gz (register that one): in a piecewise-constant image (a label\n" +
        "map, a phantom) motion inside flat regions is invisible to any method; the texture makes it observable.\n" +
        "The moving image is resampled with cubic B-splines, so it is not blurred by its own construction.\n" +
        "Compare a registration's displacement.nii.gz with it using 'geometrize compare'.";
    /// <inheritdoc />
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("fixed", "IMG", "the image to deform (becomes the fixed image of the test case)"),
        new("output", "DIR", "output folder, created when missing"),
        new("amplitude", "MM", "largest displacement length in mm (default: 3 voxels of the coarsest axis)"),
        new("smoothness", "MM", "Gaussian correlation length of the field in mm (default: 8 voxels of the coarsest axis)"),
        new("seed", "N", "random seed (default 1)"),
        new("texture", "A", "multiply the fixed image by 1 + A x (smooth random texture), A in [0, 1); writes fixed.nii.gz (default 0: none)"),
        new("texture-length", "MM", "correlation length of the texture in mm (default: 1.5 voxels of the coarsest axis)"),
    ];

    /// <inheritdoc />
    public int Run(CommandLine args, TextWriter stdout, TextWriter stderr)
    {
        args.RequirePositionals(0, 0, "no positional arguments (use --fixed and --output)");
        string input = args.GetString("fixed") is { Length: > 0 } f ? f : throw new UsageException("option '--fixed' is required.", Usage);
        string dir = args.GetString("output") is { Length: > 0 } o ? o : throw new UsageException("option '--output' is required.", Usage);
        var image = ImageIO.Read(input);
        if (image.Components != 1)
            throw new InvalidParameterException("--fixed", $"{input} has {image.Components} components; a scalar image is needed.");
        var g = image.Geometry;
        double h = g.Spacing.ToArray().Max();
        double amplitude = args.GetDouble("amplitude", 3 * h), smoothness = args.GetDouble("smoothness", 8 * h);
        int seed = args.GetInt("seed", 1);
        double texture = args.GetDouble("texture", 0), textureLength = args.GetDouble("texture-length", 1.5 * h);
        if (!(texture >= 0 && texture < 1)) throw new InvalidParameterException("--texture", $"must lie in [0, 1), got {texture}.");
        if (!(textureLength > 0) || !double.IsFinite(textureLength)) throw new InvalidParameterException("--texture-length", $"must be positive, got {textureLength}.");
        if (!(amplitude > 0) || !double.IsFinite(amplitude)) throw new InvalidParameterException("--amplitude", $"must be positive, got {amplitude}.");
        if (!(smoothness > 0) || !double.IsFinite(smoothness)) throw new InvalidParameterException("--smoothness", $"must be positive, got {smoothness}.");

        if (texture > 0) image = SyntheticDeformation.Texture(image, texture, textureLength, seed + 1000);
        var truth = SyntheticDeformation.Smooth(g, amplitude, smoothness, seed);
        var moving = SyntheticDeformation.MovingImage(image, truth);
        try { Directory.CreateDirectory(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InvalidParameterException("--output", $"cannot create folder '{dir}': {e.Message}");
        }
        string movingPath = Path.Combine(dir, "moving.nii.gz"), truthPath = Path.Combine(dir, "true_displacement.nii.gz");
        if (texture > 0) ImageIO.Write(image, Path.Combine(dir, "fixed.nii.gz"));
        ImageIO.Write(moving, movingPath);
        ImageIO.Write(Image.FromField(truth), truthPath);
        double mean = SyntheticDeformation.MeanEndPointError(truth, new VectorField<float>(g));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {(texture > 0 ? Path.Combine(dir, "fixed.nii.gz") + ", " : "")}{movingPath} and {truthPath}: largest displacement {amplitude:0.###} mm, mean {mean:0.###} voxel, smoothness {smoothness:0.###} mm, seed {seed}"));
        return 0;
    }
}
