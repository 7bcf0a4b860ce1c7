using System.Globalization;
using Geometrize.Reports.Raster;

namespace Geometrize.Reports;

/// <summary>The tick labels and number format shared by the line/scatter/histogram panels of the network plots.</summary>
internal static class PlotAxes
{
    /// <summary>A tick value: three decimals, or scientific notation for very large or very small magnitudes.</summary>
    public static string Number(double v) => Math.Abs(v) >= 1e4 || (v != 0 && Math.Abs(v) < 1e-2)
        ? v.ToString("0.##E+0", CultureInfo.InvariantCulture)
        : v.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>
    /// Labels a panel's plot area (px, py, pw, ph): y range at the top and bottom of the left band of width
    /// <paramref name="leftAxis"/>, x range at both ends below the area and the x-axis name centred between them.
    /// </summary>
    public static void Label(Canvas canvas, int px, int py, int pw, int ph, int leftAxis, double xLo, double xHi, double yLo, double yHi, string xLabel)
    {
        canvas.Text(px - leftAxis + 2, py, Number(yHi), ColorMaps.Black);
        canvas.Text(px - leftAxis + 2, py + ph - BitmapFont.GlyphHeight, Number(yLo), ColorMaps.Black);
        canvas.Text(px, py + ph + 6, Number(xLo), ColorMaps.Black);
        string last = Number(xHi);
        canvas.Text(px + pw - BitmapFont.Measure(last), py + ph + 6, last, ColorMaps.Black);
        canvas.Text(px + pw / 2 - BitmapFont.Measure(xLabel) / 2, py + ph + 6, xLabel, ColorMaps.Black);
    }
}
