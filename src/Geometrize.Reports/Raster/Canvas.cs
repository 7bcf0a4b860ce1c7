using Geometrize.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Geometrize.Reports.Raster;

/// <summary>
/// A minimal RGB raster for report figures: filled rectangles, one-pixel lines and polylines, dashed lines,
/// bitmap-font text and blitted pixel blocks, encoded as PNG by ImageSharp. Drawing outside the canvas is clipped
/// silently, so callers can draw deformed grids without bounds checks.
/// </summary>
/// <remarks>ImageSharp.Drawing is not a dependency of the project; these few primitives are all the reports need.</remarks>
public sealed class Canvas
{
    private readonly Rgb24[] _pixels;

    /// <summary>A canvas of <paramref name="width"/> × <paramref name="height"/> pixels filled with <paramref name="background"/>.</summary>
    public Canvas(int width, int height, Rgb24 background)
    {
        if (width < 1 || height < 1) throw new InvalidParameterException("canvas size", $"must be at least 1x1, got {width}x{height}.");
        Width = width;
        Height = height;
        _pixels = new Rgb24[checked(width * height)];
        Array.Fill(_pixels, background);
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The pixel at (x, y), row 0 at the top.</summary>
    public Rgb24 this[int x, int y] => _pixels[y * Width + x];

    /// <summary>Sets one pixel; coordinates outside the canvas are ignored.</summary>
    public void Set(int x, int y, Rgb24 colour)
    {
        if ((uint)x < (uint)Width && (uint)y < (uint)Height) _pixels[y * Width + x] = colour;
    }

    /// <summary>Fills the rectangle [x, x + w) × [y, y + h), clipped to the canvas.</summary>
    public void Fill(int x, int y, int w, int h, Rgb24 colour)
    {
        int x0 = Math.Max(0, x), y0 = Math.Max(0, y), x1 = Math.Min(Width, x + w), y1 = Math.Min(Height, y + h);
        for (int yy = y0; yy < y1; yy++) _pixels.AsSpan(yy * Width + x0, Math.Max(0, x1 - x0)).Fill(colour);
    }

    /// <summary>Draws the one-pixel outline of the rectangle [x, x + w) × [y, y + h).</summary>
    public void Rectangle(int x, int y, int w, int h, Rgb24 colour)
    {
        Fill(x, y, w, 1, colour);
        Fill(x, y + h - 1, w, 1, colour);
        Fill(x, y, 1, h, colour);
        Fill(x + w - 1, y, 1, h, colour);
    }

    /// <summary>
    /// Draws a one-pixel line between two points (pixel centres at integer coordinates) with Bresenham's
    /// algorithm; with <paramref name="dash"/> &gt; 0, draws <paramref name="dash"/> pixels on, then as many off.
    /// Non-finite end points draw nothing.
    /// </summary>
    public void Line(double x0, double y0, double x1, double y1, Rgb24 colour, int dash = 0)
    {
        if (!double.IsFinite(x0) || !double.IsFinite(y0) || !double.IsFinite(x1) || !double.IsFinite(y1)) return;
        // Clamp far-away points so that a wild polyline vertex cannot make the loop run for billions of steps.
        const double Far = 1 << 16;
        int ax = (int)Math.Round(Math.Clamp(x0, -Far, Far)), ay = (int)Math.Round(Math.Clamp(y0, -Far, Far));
        int bx = (int)Math.Round(Math.Clamp(x1, -Far, Far)), by = (int)Math.Round(Math.Clamp(y1, -Far, Far));
        int dx = Math.Abs(bx - ax), dy = -Math.Abs(by - ay), sx = ax < bx ? 1 : -1, sy = ay < by ? 1 : -1, err = dx + dy;
        for (int step = 0; ; step++)
        {
            if (dash <= 0 || step / dash % 2 == 0) Set(ax, ay, colour);
            if (ax == bx && ay == by) break;
            int e2 = 2 * err;
            if (e2 >= dy) { err += dy; ax += sx; }
            if (e2 <= dx) { err += dx; ay += sy; }
        }
    }

    /// <summary>Draws the polyline through (xs[k], ys[k]).</summary>
    public void Polyline(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, Rgb24 colour)
    {
        if (xs.Length != ys.Length) throw new InvalidParameterException("polyline", $"has {xs.Length} x but {ys.Length} y coordinates.");
        for (int k = 1; k < xs.Length; k++) Line(xs[k - 1], ys[k - 1], xs[k], ys[k], colour);
    }

    /// <summary>Writes <paramref name="text"/> with its top-left corner at (x, y) in the 5×7 <see cref="BitmapFont"/>, magnified by <paramref name="scale"/>.</summary>
    /// <returns>The x coordinate just after the text.</returns>
    public int Text(int x, int y, string text, Rgb24 colour, int scale = 1)
    {
        foreach (char ch in text)
        {
            var rows = BitmapFont.Glyph(ch);
            for (int r = 0; r < BitmapFont.GlyphHeight; r++)
                for (int c = 0; c < BitmapFont.GlyphWidth; c++)
                    if ((rows[r] >> (BitmapFont.GlyphWidth - 1 - c) & 1) != 0) Fill(x + c * scale, y + r * scale, scale, scale, colour);
            x += BitmapFont.Advance * scale;
        }
        return x;
    }

    /// <summary>The PNG encoding of the canvas (8-bit RGB).</summary>
    public void WritePng(Stream stream)
    {
        using var image = SixLabors.ImageSharp.Image.LoadPixelData<Rgb24>(_pixels, Width, Height);
        image.Save(stream, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 });
    }

    /// <summary>Writes the canvas as a PNG file; the file appears only when complete (<see cref="AtomicFile"/>).</summary>
    public void SavePng(string path) => AtomicFile.Write(path, WritePng);
}
