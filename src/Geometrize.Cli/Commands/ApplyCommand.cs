using Geometrize.Imaging;
using Geometrize.Registration;
using Geometrize.Reports.Png;

namespace Geometrize.Cli.Commands;

/// <summary>
/// <c>geometrize apply --transform DIR|displacement.nii.gz --input IMG --reference REF --output OUT [--nearest]</c>:
/// warps an image with the displacement field of a registration.
/// </summary>
public sealed class ApplyCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "apply";
    /// <inheritdoc />
    public string Summary => "warp an image (or a label map) with a registration's displacement field";
    /// <inheritdoc />
    public string Usage => "apply --transform DIR|FIELD --input IMG --reference REF --output OUT [--interpolation linear|cubic|nearest]";
    /// <inheritdoc />
    public string Description =>
        "For every voxel of REF's grid, at physical point p, writes IMG read at p + u(p), where u is the displacement\n" +
        "field (ITK/ANTs convention: physical LPS mm, d components; 'geometrize register' writes it as\n" +
        "DIR/displacement.nii.gz). To bring the moving image of a registration into fixed space, give the moving\n" +
        "image (or a label map drawn on it) as IMG and the fixed image as REF. When u lives on another grid than\n" +
        "REF it is resampled onto REF's grid (linear, border displacement held beyond its extent). Outside IMG\n" +
        "the value is 0. OUT keeps IMG's pixel type with --nearest; otherwise it is float32 (PNG: 8-bit, or\n" +
        "16-bit for a 16-bit input). OUT appears only when complete.";
    /// <inheritdoc />
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("transform", "T", "a registration output folder (its displacement.nii.gz is used) or a displacement field file"),
        new("input", "IMG", "image to warp (any grid of the same dimension)"),
        new("reference", "REF", "image whose grid (size, spacing, origin, direction) the output takes"),
        new("output", "OUT", "output image; the format follows the extension"),
        new("interpolation", "KIND", "linear (default), cubic (B-spline: sharper edges, intensity images) or nearest (label maps)"),
        new("nearest", null, "the same as --interpolation nearest: label maps, values copied exactly"),
    ];

    /// <inheritdoc />
    public int Run(CommandLine args, TextWriter stdout, TextWriter stderr)
    {
        args.RequirePositionals(0, 0, "no positional arguments (use --transform, --input, --reference, --output)");
        string transform = Required(args, "transform"), input = Required(args, "input");
        string reference = Required(args, "reference"), output = Required(args, "output");
        var format = ImageIO.FormatFor(output);
        var interpolation = args.GetString("interpolation") is { } text ? DisplacementWarp.ParseInterpolation(text, "--interpolation") : WarpInterpolation.Linear;
        if (args.Has("nearest"))
        {
            if (args.Has("interpolation") && interpolation != WarpInterpolation.Nearest)
                throw new InvalidParameterException("--nearest", $"contradicts --interpolation {DisplacementWarp.Name(interpolation)}; give one of them.");
            interpolation = WarpInterpolation.Nearest;
        }
        bool nearest = interpolation == WarpInterpolation.Nearest;
        string fieldPath = Directory.Exists(transform) ? Path.Combine(transform, "displacement.nii.gz") : transform;
        if (!File.Exists(fieldPath))
            throw new InvalidParameterException("--transform", $"'{fieldPath}' not found; give a 'geometrize register' output folder or a displacement field file.");
        var displacement = DisplacementWarp.RequireDisplacement(ImageIO.Read(fieldPath), fieldPath);
        var image = ImageIO.Read(input);
        var referenceGeometry = ImageIO.Read(reference).Geometry;
        CheckDimension(fieldPath, displacement.Geometry.Dimension, referenceGeometry.Dimension, reference);
        CheckDimension(input, image.Dimension, referenceGeometry.Dimension, reference);

        var warped = DisplacementWarp.Warp(image, displacement, referenceGeometry, interpolation);
        var type = OutputType(format, image.SourceType, nearest);
        ImageIO.Write(warped, output, new ImageWriteOptions { PixelType = type });
        stdout.WriteLine($"wrote {output} ({format.Name}, {type.Name()}, {string.Join('x', referenceGeometry.Size.ToArray())}, {DisplacementWarp.Name(interpolation)})");
        return 0;
    }

    /// <summary>
    /// The stored type of the output: the input's for nearest neighbour (values are copied), float32 for linear
    /// interpolation; PNG can hold only 8/16-bit integers, so it gets the input's type when possible, else 8-bit.
    /// </summary>
    public static PixelType OutputType(IImageFormat format, PixelType input, bool nearest)
    {
        if (format is PngImageFormat) return PngImageFormat.CanStore(input) ? input : PixelType.UInt8;
        if (!nearest) return PixelType.Float32;
        return input == PixelType.Rgb24 ? PixelType.Float32 : input;
    }

    private static void CheckDimension(string what, int d, int referenceD, string reference)
    {
        if (d != referenceD)
            throw new GridMismatchException($"{what} is {d}-D but the reference {reference} is {referenceD}-D; the transform, input and reference must have the same dimension.");
    }

    private string Required(CommandLine args, string name) =>
        args.GetString(name) is { Length: > 0 } v ? v : throw new UsageException($"option '--{name}' is required.", Usage);
}
