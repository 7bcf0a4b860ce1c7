using Geometrize.Imaging;
using Geometrize.Reports.Png;

namespace Geometrize.Cli.Commands;

/// <summary><c>geometrize convert IN OUT [--type T]</c>: re-encodes an image in the format named by OUT's extension.</summary>
public sealed class ConvertCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "convert";
    /// <inheritdoc />
    public string Summary => "convert an image to another format or pixel type";
    /// <inheritdoc />
    public string Usage => "convert IN OUT [--type uint8|int8|uint16|int16|uint32|int32|uint64|int64|float32|float64]";
    /// <inheritdoc />
    public string Description =>
        "Reads IN and writes OUT; formats are chosen by extension (.png, and the formats the core library\n" +
        "registers). Without --type the stored type of IN is kept when OUT's format can hold it; otherwise\n" +
        "PNG gets uint8 and other formats float32. Values are rounded and clamped to integer types' ranges\n" +
        "(a warning says how many were clamped). OUT appears only when complete: a failed conversion\n" +
        "leaves no partial file.";
    /// <inheritdoc />
    public IReadOnlyList<OptionSpec> Options { get; } = [new("type", "TYPE", "stored pixel type of OUT (default: keep IN's when possible)")];

    /// <inheritdoc />
    public int Run(CommandLine args, TextWriter stdout, TextWriter stderr)
    {
        args.RequirePositionals(2, 2, "IN and OUT image files");
        string input = args.Positionals[0], output = args.Positionals[1];
        string? typeName = args.GetString("type");
        // Resolve the output format before reading so that a bad OUT name fails fast.
        var format = ImageIO.FormatFor(output);
        PixelType? requested = typeName == null ? null : PixelTypes.Parse(typeName, "--type");
        var image = ImageIO.Read(input);
        var type = requested ?? DefaultType(format, image.SourceType);
        long clamped = CountOutOfRange(image.Data, type);
        ImageIO.Write(image, output, new ImageWriteOptions { PixelType = type });
        if (clamped > 0)
            stderr.WriteLine($"geometrize: warning: {clamped} value(s) of {input} lie outside the {type.Name()} range and were clamped.");
        stdout.WriteLine($"wrote {output} ({format.Name}, {type.Name()})");
        return 0;
    }

    /// <summary>
    /// The type written when --type is absent: the source type when <paramref name="format"/> can store it, else
    /// uint8 for PNG and float32 elsewhere (colour sources have already been reduced to gray).
    /// </summary>
    public static PixelType DefaultType(IImageFormat format, PixelType source)
    {
        if (format is PngImageFormat) return PngImageFormat.CanStore(source) ? source : PixelType.UInt8;
        return source == PixelType.Rgb24 ? PixelType.Float32 : source;
    }

    private static long CountOutOfRange(float[] data, PixelType type)
    {
        (double lo, double hi) = type switch
        {
            PixelType.UInt8 => (0, byte.MaxValue),
            PixelType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
            PixelType.UInt16 => (0, ushort.MaxValue),
            PixelType.Int16 => (short.MinValue, short.MaxValue),
            PixelType.UInt32 => (0, uint.MaxValue),
            PixelType.Int32 => (int.MinValue, int.MaxValue),
            PixelType.UInt64 => (0, ulong.MaxValue),
            PixelType.Int64 => (long.MinValue, long.MaxValue),
            _ => (double.NegativeInfinity, double.PositiveInfinity),
        };
        long n = 0;
        foreach (float v in data)
            if (v < lo - 0.5 || v > hi + 0.5) n++;
        return n;
    }
}
