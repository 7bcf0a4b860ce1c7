using SixLabors.ImageSharp.PixelFormats;

namespace Geometrize.Reports.Raster;

/// <summary>Colour maps of the report figures and the few fixed colours they use.</summary>
public static class ColorMaps
{
    /// <summary>Figure background.</summary>
    public static readonly Rgb24 White = new(255, 255, 255);
    /// <summary>Text and the total-energy curve.</summary>
    public static readonly Rgb24 Black = new(0, 0, 0);
    /// <summary>Frames, axes and level boundaries.</summary>
    public static readonly Rgb24 MidGray = new(150, 150, 150);
    /// <summary>Regularity energy; compression in the Jacobian map.</summary>
    public static readonly Rgb24 Blue = new(40, 80, 200);
    /// <summary>Data energy; expansion in the Jacobian map.</summary>
    public static readonly Rgb24 Red = new(200, 30, 40);
    /// <summary>Deformed grid lines.</summary>
    public static readonly Rgb24 Yellow = new(255, 210, 0);
    /// <summary>Folded voxels (det ≤ 0) in the Jacobian map: visibly outside the diverging scale.</summary>
    public static readonly Rgb24 Fold = new(0, 200, 0);

    /// <summary>Linear gray scale: <paramref name="lo"/> black, <paramref name="hi"/> white, clamped; NaN black.</summary>
    public static Rgb24 Gray(double value, double lo, double hi)
    {
        double t = hi > lo ? (value - lo) / (hi - lo) : 0;
        byte v = (byte)Math.Round(255 * (double.IsNaN(t) ? 0 : Math.Clamp(t, 0, 1)));
        return new Rgb24(v, v, v);
    }

    /// <summary>Diverging blue–white–red scale: t = −1 blue, 0 white, +1 red (clamped).</summary>
    public static Rgb24 Diverging(double t)
    {
        t = double.IsNaN(t) ? 0 : Math.Clamp(t, -1, 1);
        var end = t < 0 ? Blue : Red;
        double a = Math.Abs(t);
        return new Rgb24(Mix(255, end.R, a), Mix(255, end.G, a), Mix(255, end.B, a));
    }

    /// <summary>
    /// Jacobian determinant colour: diverging on a log scale centred at 1, so that halving and doubling a volume
    /// look equally strong; <paramref name="range"/> (&gt; 1) is the factor shown at full colour; det ≤ 0 is <see cref="Fold"/>.
    /// </summary>
    public static Rgb24 Jacobian(double det, double range)
    {
        if (!(det > 0)) return Fold;
        return Diverging(Math.Log(det) / Math.Log(Math.Max(range, 1.0001)));
    }

    private static byte Mix(byte a, byte b, double t) => (byte)Math.Round(a + (b - a) * t);
}
