using System.Globalization;
using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Registration;

namespace Geometrize.Cli.Commands;

/// <summary>
/// <c>geometrize demo [--output DIR]</c>: generates the Shepp–Logan phantoms and writes them, then registers a 2-D
/// phantom to a copy deformed by a known smooth deformation and compares the recovered displacement with the truth.
/// </summary>
public sealed class DemoCommand : ICommand
{
    /// <summary>Pixels per side of the 2-D phantom.</summary>
    public const int Size2D = 256;
    /// <summary>Voxels per side of the 3-D phantom.</summary>
    public const int Size3D = 96;
    /// <summary>Pixels per side of the registration demo's phantom.</summary>
    public const int RegistrationSize = 256;
    /// <summary>Largest displacement of the true deformation (mm = pixels).</summary>
    public const double TrueAmplitude = 4;
    /// <summary>Correlation length (Gaussian σ, mm) of the true deformation.</summary>
    public const double TrueSmoothness = 24;
    /// <summary>
    /// Strength of the multiplicative texture on the fixed phantom (<see cref="SyntheticDeformation.Texture"/>): the
    /// Shepp–Logan phantom is piecewise constant, so without texture the motion inside its flat ellipses is invisible
    /// and the end-point error would measure the regulariser rather than the registration.
    /// </summary>
    public const double TextureStrength = 0.3;
    /// <summary>Seed of the true deformation.</summary>
    public const int TrueSeed = 2026;

    /// <inheritdoc />
    public string Name => "demo";
    /// <inheritdoc />
    public string Summary => "generate phantoms, register a deformed phantom and check against the known deformation";
    /// <inheritdoc />
    public string Usage => "demo [--output DIR] [--quiet]";
    /// <inheritdoc />
    public string Description =>
        $"Writes into DIR (default demo-output/, created if needed):\n" +
        $"  phantom2d.png     {Size2D}x{Size2D} modified Shepp-Logan, scaled to 0..255 (uint8) for viewing\n" +
        $"  phantom2d.nii.gz  the same phantom, float32 values in [0, 1]\n" +
        $"  phantom3d.nii.gz  {Size3D}^3 3-D Shepp-Logan, float32 values in [0, 1]\n" +
        "and prints 'info' for each file. Then it makes a registration problem with a known answer: the\n" +
        $"{RegistrationSize}x{RegistrationSize} Shepp-Logan phantom with a smooth {TextureStrength * 100:0}% random texture (fixed; without\n" +
        "texture the motion inside its flat ellipses could not be seen) and a copy deformed by a smooth random displacement\n" +
        $"(moving; largest displacement {TrueAmplitude} pixels, correlation length {TrueSmoothness} pixels, tapered to 0 at the\n" +
        "borders, seed fixed). It registers them with the default settings of 'geometrize register', writes the\n" +
        "outputs and report.png to DIR/registration/ together with fixed.nii.gz, moving.nii.gz and\n" +
        "true_displacement.nii.gz, prints the summary and the mean end-point error |u - u_true| in pixels over the\n" +
        "phantom (fixed > 0) and over the whole image. Needs no input data.";
    /// <inheritdoc />
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("output", "DIR", "output folder (default demo-output)"),
        new("quiet", null, "show no registration progress"),
    ];

    /// <inheritdoc />
    public int Run(CommandLine args, TextWriter stdout, TextWriter stderr)
    {
        args.RequirePositionals(0, 0, "no positional arguments");
        string dir = args.GetString("output", "demo-output")!;
        try { Directory.CreateDirectory(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidParameterException("--output", $"cannot create folder '{dir}': {e.Message}");
        }

        var p2 = Phantoms.SheppLogan2D(Size2D);
        // PNG stores integers without rescaling, so the [0, 1] phantom is scaled to the 8-bit range for viewing.
        var scaled = new float[p2.Count];
        for (int i = 0; i < scaled.Length; i++) scaled[i] = p2.Data[i] * 255f;
        var outputs = new List<string>();
        Write(new Image(p2.Geometry, scaled, 1, PixelType.UInt8), Path.Combine(dir, "phantom2d.png"), PixelType.UInt8, outputs);
        Write(Image.FromField(p2), Path.Combine(dir, "phantom2d.nii.gz"), PixelType.Float32, outputs);
        Write(Image.FromField(Phantoms.SheppLogan3D(Size3D)), Path.Combine(dir, "phantom3d.nii.gz"), PixelType.Float32, outputs);

        foreach (string path in outputs)
        {
            ImageSummary.WriteText(stdout, path, ImageIO.Read(path));
            stdout.WriteLine();
        }
        stdout.WriteLine($"demo: wrote {outputs.Count} files to {dir}");
        stdout.WriteLine();
        return RegisterPhantom(Path.Combine(dir, "registration"), args.Has("quiet"), stdout, stderr);
    }

    /// <summary>The registration part: a phantom, its deformed copy, registration, and the error against the truth.</summary>
    private static int RegisterPhantom(string dir, bool quiet, TextWriter stdout, TextWriter stderr)
    {
        var phantom = Image.FromField(Phantoms.SheppLogan2D(RegistrationSize));
        var fixedImage = SyntheticDeformation.Texture(phantom, TextureStrength, 1.5, TrueSeed + 1);
        var g = fixedImage.Geometry;
        var truth = SyntheticDeformation.Smooth(g, TrueAmplitude, TrueSmoothness, TrueSeed);
        var movingImage = SyntheticDeformation.MovingImage(fixedImage, truth);
        string fixedPath = Path.Combine(dir, "fixed.nii.gz");
        stdout.WriteLine($"demo: registering a {RegistrationSize}x{RegistrationSize} phantom to a copy deformed by a known smooth displacement ...");
        RegistrationResult result;
        try
        {
            (result, _) = RegistrationSession.Execute(fixedImage, movingImage, fixedPath, new RegistrationSettings(), dir, quiet, stderr);
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("geometrize: cancelled");
            return RegistrationSession.CancelledExitCode;
        }
        // The inputs and the truth go next to the outputs so that the result can be inspected and reproduced.
        ImageIO.Write(fixedImage, fixedPath);
        ImageIO.Write(movingImage, Path.Combine(dir, "moving.nii.gz"));
        ImageIO.Write(Image.FromField(truth), Path.Combine(dir, "true_displacement.nii.gz"));

        RegistrationSession.WriteSummaryTable(stdout, result);
        var support = new ScalarField<float>(g, phantom.Data);
        var zero = new VectorField<float>(g);
        double onPhantom = SyntheticDeformation.MeanEndPointError(result.Displacement, truth, support);
        double everywhere = SyntheticDeformation.MeanEndPointError(result.Displacement, truth);
        double trueMean = SyntheticDeformation.MeanEndPointError(truth, zero, support);
        var inv = CultureInfo.InvariantCulture;
        stdout.WriteLine(string.Create(inv,
            $"mean end-point error |u - u_true|: {onPhantom:0.000} pixel over the phantom (fixed > 0), {everywhere:0.000} pixel over the whole image"));
        stdout.WriteLine(string.Create(inv, $"  (true displacement: mean {trueMean:0.00} pixel over the phantom, largest {TrueAmplitude:0.##})"));
        stdout.WriteLine($"demo: registration outputs, report.png and the inputs are in {dir}");
        return 0;
    }

    private static void Write(Image image, string path, PixelType type, List<string> written)
    {
        ImageIO.Write(image, path, new ImageWriteOptions { PixelType = type });
        written.Add(path);
    }
}
