using System.Globalization;
using Geometrize.Registration;
using Geometrize.Reports.Raster;
using SixLabors.ImageSharp.PixelFormats;

namespace Geometrize.Reports;

/// <summary>
/// The energy curve of a registration: total, regularity and data energy against the iteration count, levels
/// one after the other (energies are physical integrals, so levels share one scale), level boundaries dashed.
/// </summary>
public static class EnergyPlot
{
    private const int LeftAxis = 66, BottomAxis = 18, TitleBand = 28;

    /// <summary>Draws the plot with its title and legend into the rectangle (x, y, w, h) of <paramref name="canvas"/>.</summary>
    public static void Draw(Canvas canvas, int x, int y, int w, int h, IReadOnlyList<EnergyRecord> history)
    {
        int tx = canvas.Text(x, y + 2, "ENERGY", ColorMaps.Black, 2) + 18;
        tx = canvas.Text(tx, y + 6, "TOTAL", ColorMaps.Black) + 14;
        tx = canvas.Text(tx, y + 6, "REGULARITY", ColorMaps.Blue) + 14;
        canvas.Text(tx, y + 6, "DATA", ColorMaps.Red);

        int px = x + LeftAxis, py = y + TitleBand, pw = w - LeftAxis - 4, ph = h - TitleBand - BottomAxis;
        if (pw < 8 || ph < 8) return;
        canvas.Line(px, py, px, py + ph, ColorMaps.MidGray);
        canvas.Line(px, py + ph, px + pw, py + ph, ColorMaps.MidGray);
        int n = history.Count;
        if (n == 0)
        {
            canvas.Text(px + 8, py + ph / 2, "NO ITERATIONS RECORDED", ColorMaps.MidGray);
            return;
        }

        double lo = 0, hi = double.NegativeInfinity;
        foreach (var e in history)
            foreach (double v in new[] { e.Energy.Total, e.Energy.Regularity, e.Energy.Data })
                if (double.IsFinite(v)) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        if (!(hi > lo)) hi = lo + 1;
        double X(double k) => n == 1 ? px + pw / 2.0 : px + k * pw / (n - 1);
        double Y(double v) => py + ph - (v - lo) / (hi - lo) * ph;

        canvas.Text(x + 2, py, Number(hi), ColorMaps.Black);
        canvas.Text(x + 2, py + ph - BitmapFont.GlyphHeight, Number(lo), ColorMaps.Black);
        canvas.Text(px, py + ph + 5, "0", ColorMaps.Black);
        string last = (n - 1).ToString(CultureInfo.InvariantCulture);
        canvas.Text(px + pw - BitmapFont.Measure(last), py + ph + 5, last, ColorMaps.Black);
        canvas.Text(px + pw / 2 - BitmapFont.Measure("ITERATION") / 2, py + ph + 5, "ITERATION", ColorMaps.Black);

        for (int k = 0; k < n; k++)
        {
            if (k > 0 && history[k].Level == history[k - 1].Level) continue;
            double bx = k == 0 ? X(0) : X(k - 0.5);
            if (k > 0) canvas.Line(bx, py, bx, py + ph, ColorMaps.MidGray, dash: 3);
            // Level names sit above the plot area, clear of the curves.
            canvas.Text((int)bx + 3, py - BitmapFont.GlyphHeight - 2, "LEVEL " + (history[k].Level + 1).ToString(CultureInfo.InvariantCulture), ColorMaps.MidGray);
        }

        var xs = new double[n];
        var ys = new double[n];
        for (int k = 0; k < n; k++) xs[k] = X(k);
        Curve(canvas, xs, ys, history, e => e.Data, Y, ColorMaps.Red);
        Curve(canvas, xs, ys, history, e => e.Regularity, Y, ColorMaps.Blue);
        Curve(canvas, xs, ys, history, e => e.Total, Y, ColorMaps.Black);
    }

    private static void Curve(Canvas canvas, double[] xs, double[] ys, IReadOnlyList<EnergyRecord> history,
        Func<EnergySplit, double> pick, Func<double, double> y, Rgb24 colour)
    {
        for (int k = 0; k < xs.Length; k++) ys[k] = y(pick(history[k].Energy));
        if (xs.Length == 1) canvas.Fill((int)Math.Round(xs[0]) - 1, (int)Math.Round(ys[0]) - 1, 3, 3, colour);
        else canvas.Polyline(xs, ys, colour);
    }

    /// <summary>A short label with four significant digits: plain for moderate magnitudes, scientific otherwise.</summary>
    internal static string Number(double v)
    {
        double a = Math.Abs(v);
        if (!double.IsFinite(v)) return "N/A";
        if (a != 0 && (a < 0.01 || a >= 1e5)) return v.ToString("0.###E+00", CultureInfo.InvariantCulture);
        double rounded = a == 0 ? 0 : Math.Round(v, Math.Max(0, 3 - (int)Math.Floor(Math.Log10(a))));
        return rounded.ToString("0.######", CultureInfo.InvariantCulture);
    }
}
