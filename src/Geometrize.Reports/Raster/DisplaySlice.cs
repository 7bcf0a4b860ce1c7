using Geometrize.Numerics;
using SixLabors.ImageSharp.PixelFormats;

namespace Geometrize.Reports.Raster;

/// <summary>Which plane of a 3-D grid a figure shows (2-D grids have only <see cref="Axial"/>).</summary>
public enum SliceOrientation
{
    /// <summary>The middle z plane: x to the right, y down (the 2-D image itself).</summary>
    Axial,
    /// <summary>The middle y plane: x to the right, z up.</summary>
    Coronal,
    /// <summary>The middle x plane: y to the right, z up.</summary>
    Sagittal,
}

/// <summary>
/// A 2-D array of values for display (row 0 at the top) cut from a grid, with the physical size of its pixels so
/// panels keep the true aspect ratio.
/// </summary>
public sealed class DisplaySlice
{
    private DisplaySlice(int width, int height, double pixelWidth, double pixelHeight)
    {
        Width = width;
        Height = height;
        PixelWidth = pixelWidth;
        PixelHeight = pixelHeight;
        Values = new float[width * height];
    }

    /// <summary>Columns.</summary>
    public int Width { get; }
    /// <summary>Rows.</summary>
    public int Height { get; }
    /// <summary>Physical width of one pixel (mm).</summary>
    public double PixelWidth { get; }
    /// <summary>Physical height of one pixel (mm).</summary>
    public double PixelHeight { get; }
    /// <summary>Values, row-major, row 0 at the top.</summary>
    public float[] Values { get; }

    /// <summary>Value at column <paramref name="c"/>, row <paramref name="r"/>.</summary>
    public float this[int c, int r] => Values[r * Width + c];

    /// <summary>The grid axes shown horizontally and vertically, and whether the vertical axis points up (rows reversed).</summary>
    public static (int Horizontal, int Vertical, bool Flip) Axes(SliceOrientation o) => o switch
    {
        SliceOrientation.Axial => (0, 1, false),
        SliceOrientation.Coronal => (0, 2, true),
        _ => (1, 2, true),
    };

    /// <summary>The middle slice of <paramref name="data"/> (one scalar component on <paramref name="g"/>) in orientation <paramref name="o"/>.</summary>
    public static DisplaySlice Extract(ImageGeometry g, ReadOnlySpan<float> data, SliceOrientation o)
    {
        if (g.Dimension == 2 && o != SliceOrientation.Axial)
            throw new InvalidParameterException("orientation", $"a 2-D grid has only the axial view, not {o}.");
        var (h, v, flip) = Axes(o);
        int w = g.Size[h], ht = g.Size[v];
        var s = new DisplaySlice(w, ht, g.Spacing[h], g.Spacing[v]);
        Span<int> idx = stackalloc int[3];
        for (int a = 0; a < 3; a++) idx[a] = a < g.Dimension ? g.Size[a] / 2 : 0;
        for (int r = 0; r < ht; r++)
        {
            idx[v] = flip ? ht - 1 - r : r;
            for (int c = 0; c < w; c++)
            {
                idx[h] = c;
                s.Values[r * w + c] = data[g.Index(idx[0], idx[1], idx[2])];
            }
        }
        return s;
    }

    /// <summary>
    /// The in-plane components of an index displacement (voxel units along the grid axes), as display offsets:
    /// columns to the right and rows downwards (the vertical component changes sign when the view is flipped).
    /// </summary>
    public static (DisplaySlice Right, DisplaySlice Down) ExtractInPlane(VectorField<float> indexDisplacement, SliceOrientation o)
    {
        var g = indexDisplacement.Geometry;
        var (h, v, flip) = Axes(o);
        var right = Extract(g, indexDisplacement.Component(h), o);
        var down = Extract(g, indexDisplacement.Component(v), o);
        if (flip)
            for (int i = 0; i < down.Values.Length; i++) down.Values[i] = -down.Values[i];
        return (right, down);
    }

    /// <summary>
    /// Draws the slice into the box (x, y, size × size) scaled to fit with its physical aspect ratio, centred,
    /// by bilinear sampling, colouring each value with <paramref name="colour"/>. Returns where it landed.
    /// </summary>
    public Placement Draw(Canvas canvas, int x, int y, int size, Func<float, Rgb24> colour)
    {
        double pw = Width * PixelWidth, ph = Height * PixelHeight, scale = size / Math.Max(pw, ph);
        int dw = Math.Max(1, (int)Math.Round(pw * scale)), dh = Math.Max(1, (int)Math.Round(ph * scale));
        var at = new Placement(x + (size - dw) / 2, y + (size - dh) / 2, dw, dh, Width, Height);
        for (int py = 0; py < dh; py++)
        {
            double r = Math.Clamp((py + 0.5) * Height / dh - 0.5, 0, Height - 1);
            int r0 = (int)r, r1 = Math.Min(r0 + 1, Height - 1);
            double fr = r - r0;
            for (int px = 0; px < dw; px++)
            {
                double c = Math.Clamp((px + 0.5) * Width / dw - 0.5, 0, Width - 1);
                int c0 = (int)c, c1 = Math.Min(c0 + 1, Width - 1);
                double fc = c - c0;
                double top = this[c0, r0] * (1 - fc) + this[c1, r0] * fc, bottom = this[c0, r1] * (1 - fc) + this[c1, r1] * fc;
                canvas.Set(at.X + px, at.Y + py, colour((float)(top * (1 - fr) + bottom * fr)));
            }
        }
        return at;
    }
}

/// <summary>Where a <see cref="DisplaySlice"/> was drawn: canvas rectangle and the slice size, to overlay lines on it.</summary>
/// <param name="X">Left canvas pixel.</param>
/// <param name="Y">Top canvas pixel.</param>
/// <param name="W">Drawn width in pixels.</param>
/// <param name="H">Drawn height in pixels.</param>
/// <param name="Columns">Slice columns.</param>
/// <param name="Rows">Slice rows.</param>
public readonly record struct Placement(int X, int Y, int W, int H, int Columns, int Rows)
{
    /// <summary>Canvas coordinates (pixel centres at integers) of the continuous slice position (column, row).</summary>
    public (double X, double Y) ToCanvas(double column, double row) =>
        (X + (column + 0.5) * W / Columns - 0.5, Y + (row + 0.5) * H / Rows - 0.5);
}
