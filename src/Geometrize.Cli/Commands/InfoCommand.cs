using Geometrize.Imaging;

namespace Geometrize.Cli.Commands;

/// <summary><c>geometrize info FILE [--json]</c>: header and value statistics of an image.</summary>
public sealed class InfoCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "info";
    /// <inheritdoc />
    public string Summary => "print an image's size, geometry, data type and value range";
    /// <inheritdoc />
    public string Usage => "info FILE [--json]";
    /// <inheritdoc />
    public string Description =>
        "Reads FILE (format chosen by extension) and prints its dimensions, spacing, origin, direction\n" +
        "(row-major d x d), stored data type and the minimum, maximum and mean over finite values.\n" +
        "With --json, prints one JSON object with keys dims, spacing, origin, direction (flat row-major),\n" +
        "datatype, components, min, max, mean.";
    /// <inheritdoc />
    public IReadOnlyList<OptionSpec> Options { get; } = [new("json", null, "print one JSON object instead of text")];

    /// <inheritdoc />
    public int Run(CommandLine args, TextWriter stdout, TextWriter stderr)
    {
        args.RequirePositionals(1, 1, "one image FILE");
        string path = args.Positionals[0];
        var image = ImageIO.Read(path);
        if (args.Has("json")) ImageSummary.WriteJson(stdout, path, image);
        else ImageSummary.WriteText(stdout, path, image);
        return 0;
    }
}
