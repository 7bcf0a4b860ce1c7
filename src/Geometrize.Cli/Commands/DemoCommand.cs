using Geometrize.Imaging;

namespace Geometrize.Cli.Commands;

/// <summary><c>geometrize demo [--output DIR]</c>: generates the Shepp–Logan phantoms and writes them.</summary>
public sealed class DemoCommand : ICommand
{
    /// <summary>Pixels per side of the 2-D phantom.</summary>
    public const int Size2D = 256;
    /// <summary>Voxels per side of the 3-D phantom.</summary>
    public const int Size3D = 96;

    /// <inheritdoc />
    public string Name => "demo";
    /// <inheritdoc />
    public string Summary => "generate the Shepp-Logan phantoms (2-D and 3-D) and write them to a folder";
    /// <inheritdoc />
    public string Usage => "demo [--output DIR]";
    /// <inheritdoc />
    public string Description =>
        $"Writes into DIR (default demo-output/, created if needed):\n" +
        $"  phantom2d.png     {Size2D}x{Size2D} modified Shepp-Logan, scaled to 0..255 (uint8) for viewing\n" +
        $"  phantom2d.nii.gz  the same phantom, float32 values in [0, 1]\n" +
        $"  phantom3d.nii.gz  {Size3D}^3 3-D Shepp-Logan, float32 values in [0, 1]\n" +
        "and prints 'info' for each file. Needs no input data.";
    /// <inheritdoc />
    public IReadOnlyList<OptionSpec> Options { get; } = [new("output", "DIR", "output folder (default demo-output)")];

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
        return 0;
    }

    private static void Write(Image image, string path, PixelType type, List<string> written)
    {
        ImageIO.Write(image, path, new ImageWriteOptions { PixelType = type });
        written.Add(path);
    }
}
