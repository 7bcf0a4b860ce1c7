using System.Globalization;
using System.Text;
using System.Text.Json;
using Geometrize.Imaging;

namespace Geometrize.Cli;

/// <summary>The header and value statistics of an image as <c>info</c> prints them (text or JSON).</summary>
public static class ImageSummary
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Datatype label: the source type name, plus the component count when above 1 (<c>float32 x3</c>).</summary>
    public static string DataType(Image image) =>
        image.Components > 1 ? $"{image.SourceType.Name()} x{image.Components}" : image.SourceType.Name();

    /// <summary>Writes an aligned, human-readable summary.</summary>
    public static void WriteText(TextWriter o, string path, Image image)
    {
        var g = image.Geometry;
        int d = g.Dimension;
        var (min, max, mean) = image.Statistics();
        o.WriteLine($"file:       {path}");
        o.WriteLine($"format:     {ImageIO.FormatFor(path).Name}");
        o.WriteLine($"dimensions: {string.Join(" x ", g.Size.ToArray())}");
        o.WriteLine($"spacing:    {Join(g.Spacing, " x ")}");
        o.WriteLine($"origin:     {Join(g.Origin, " ")}");
        var rows = Enumerable.Range(0, d).Select(r => Join(g.Direction.Slice(r * d, d), " "));
        o.WriteLine($"direction:  [{string.Join("; ", rows)}]");
        o.WriteLine($"datatype:   {DataType(image)}");
        if (image.Components > 1) o.WriteLine($"components: {image.Components}");
        o.WriteLine($"range:      {Num(min)} .. {Num(max)}");
        o.WriteLine($"mean:       {Num(mean)}");
    }

    /// <summary>Writes exactly one JSON object (keys dims, spacing, origin, direction, datatype, components, min, max, mean).</summary>
    public static void WriteJson(TextWriter o, string path, Image image)
    {
        var g = image.Geometry;
        var (min, max, mean) = image.Statistics();
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("file", path);
            w.WriteString("format", ImageIO.FormatFor(path).Name);
            w.WriteStartArray("dims");
            foreach (int s in g.Size) w.WriteNumberValue(s);
            w.WriteEndArray();
            WriteArray(w, "spacing", g.Spacing);
            WriteArray(w, "origin", g.Origin);
            WriteArray(w, "direction", g.Direction);
            w.WriteString("datatype", image.SourceType.Name());
            w.WriteNumber("components", image.Components);
            // JSON has no NaN: an image without finite values reports null statistics.
            WriteNumberOrNull(w, "min", min);
            WriteNumberOrNull(w, "max", max);
            WriteNumberOrNull(w, "mean", mean);
            w.WriteEndObject();
        }
        o.WriteLine(Encoding.UTF8.GetString(ms.ToArray()));
    }

    private static void WriteArray(Utf8JsonWriter w, string name, ReadOnlySpan<double> values)
    {
        w.WriteStartArray(name);
        foreach (double v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    private static string Join(ReadOnlySpan<double> v, string sep) => string.Join(sep, v.ToArray().Select(Num));

    private static string Num(double v) => double.IsFinite(v) ? v.ToString("0.######", Inv) : "n/a";
}
