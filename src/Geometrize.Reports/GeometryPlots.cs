using System.Globalization;
using Geometrize.Analysis;
using Geometrize.Reports.Raster;
using SixLabors.ImageSharp.PixelFormats;

namespace Geometrize.Reports;

/// <summary>
/// The picture of a <see cref="GeometryReport"/>: speed profile along depth, trajectories in the plane (the raw
/// states for width 2, a PCA projection otherwise), histogram of the Jacobian singular values, and the Hessian
/// spectral density. A panel whose measure does not apply to the model says so.
/// </summary>
public static class GeometryPlots
{
    private const int PanelWidth = 380, PanelHeight = 280, LeftAxis = 56, BottomAxis = 20, TitleBand = 26, Margin = 8;

    /// <summary>Draws the four panels; <paramref name="labels"/> (class per projected path, or null) colours the trajectories.</summary>
    public static Canvas Draw(GeometryReport report, IReadOnlyList<int>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var canvas = new Canvas(2 * PanelWidth + 3 * Margin, 2 * PanelHeight + 3 * Margin, ColorMaps.White);
        int x0 = Margin, x1 = 2 * Margin + PanelWidth, y0 = Margin, y1 = 2 * Margin + PanelHeight;

        var (px, py, pw, ph) = Frame(canvas, x0, y0, "SPEED ALONG DEPTH");
        if (report.Trajectory is { } t)
            Curve(canvas, px, py, pw, ph, Enumerable.Range(0, t.Speeds.Length).Select(k => (double)k).ToArray(), t.Speeds, "BLOCK", ColorMaps.Blue, fromZero: true);
        else NotApplicable(canvas, px, py, ph);

        (px, py, pw, ph) = Frame(canvas, x1, y0, report.ProjectionIsIdentity ? "TRAJECTORIES" : "TRAJECTORIES (PCA)");
        if (report.ProjectedPaths is { Length: > 0 } paths) Paths(canvas, px, py, pw, ph, paths, labels);
        else NotApplicable(canvas, px, py, ph);

        (px, py, pw, ph) = Frame(canvas, x0, y1, "JACOBIAN SINGULAR VALUES");
        var sv = report.Jacobian.SingularValues.SelectMany(s => s).Where(double.IsFinite).ToArray();
        if (sv.Length > 0) Histogram(canvas, px, py, pw, ph, sv, 40);
        else NotApplicable(canvas, px, py, ph);

        (px, py, pw, ph) = Frame(canvas, x1, y1, "HESSIAN SPECTRAL DENSITY");
        if (report.HessianDensity is { } d) Curve(canvas, px, py, pw, ph, d.Grid, d.Density, "EIGENVALUE", ColorMaps.Red, fromZero: true);
        else NotApplicable(canvas, px, py, ph);
        return canvas;
    }

    private static (int X, int Y, int W, int H) Frame(Canvas canvas, int x, int y, string title)
    {
        canvas.Text(x, y + 2, title, ColorMaps.Black, 2);
        int px = x + LeftAxis, py = y + TitleBand, pw = PanelWidth - LeftAxis - 6, ph = PanelHeight - TitleBand - BottomAxis;
        canvas.Line(px, py, px, py + ph, ColorMaps.MidGray);
        canvas.Line(px, py + ph, px + pw, py + ph, ColorMaps.MidGray);
        return (px, py, pw, ph);
    }

    private static void NotApplicable(Canvas canvas, int px, int py, int ph) => canvas.Text(px + 8, py + ph / 2, "NOT APPLICABLE", ColorMaps.MidGray);

    private static void Axes(Canvas canvas, int px, int py, int pw, int ph, double xLo, double xHi, double yLo, double yHi, string xLabel)
        => PlotAxes.Label(canvas, px, py, pw, ph, LeftAxis, xLo, xHi, yLo, yHi, xLabel);

    private static (double Lo, double Hi) Range(IEnumerable<double> values, bool fromZero)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0) return (0, 1);
        double lo = fromZero ? Math.Min(0, finite.Min()) : finite.Min(), hi = finite.Max();
        if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
        return (lo, hi);
    }

    private static void Curve(Canvas canvas, int px, int py, int pw, int ph, double[] xs, double[] ys, string xLabel, Rgb24 colour, bool fromZero)
    {
        var (xLo, xHi) = Range(xs, fromZero: false);
        var (yLo, yHi) = Range(ys, fromZero);
        Axes(canvas, px, py, pw, ph, xLo, xHi, yLo, yHi, xLabel);
        var cx = new List<double>();
        var cy = new List<double>();
        for (int i = 0; i < xs.Length; i++)
            if (double.IsFinite(xs[i]) && double.IsFinite(ys[i]))
            {
                cx.Add(px + (xs[i] - xLo) / (xHi - xLo) * pw);
                cy.Add(py + ph - (ys[i] - yLo) / (yHi - yLo) * ph);
            }
        if (cx.Count == 1) canvas.Fill((int)Math.Round(cx[0]) - 1, (int)Math.Round(cy[0]) - 1, 3, 3, colour);
        else if (cx.Count > 1) canvas.Polyline(cx.ToArray(), cy.ToArray(), colour);
        for (int i = 0; i < cx.Count && xs.Length <= 200; i++) canvas.Fill((int)Math.Round(cx[i]) - 1, (int)Math.Round(cy[i]) - 1, 3, 3, colour);
    }

    private static void Paths(Canvas canvas, int px, int py, int pw, int ph, (double X, double Y)[][] paths, IReadOnlyList<int>? labels)
    {
        var (xLo, xHi) = Range(paths.SelectMany(p => p).Select(p => p.X), fromZero: false);
        var (yLo, yHi) = Range(paths.SelectMany(p => p).Select(p => p.Y), fromZero: false);
        // One scale for both axes, so angles and lengths in the picture are the true ones.
        double span = Math.Max(xHi - xLo, yHi - yLo), cxm = (xLo + xHi) / 2, cym = (yLo + yHi) / 2;
        xLo = cxm - span / 2; xHi = cxm + span / 2; yLo = cym - span / 2; yHi = cym + span / 2;
        int side = Math.Min(pw, ph), ox = px + (pw - side) / 2;
        Axes(canvas, px, py, pw, ph, xLo, xHi, yLo, yHi, "START = DOT");
        for (int i = 0; i < paths.Length; i++)
        {
            var colour = labels != null && i < labels.Count ? TrainingPlots.ClassColours[labels[i] % TrainingPlots.ClassColours.Length] : ColorMaps.Blue;
            var xs = paths[i].Select(p => ox + (p.X - xLo) / span * side).ToArray();
            var ys = paths[i].Select(p => py + ph - (p.Y - yLo) / span * side).ToArray();
            if (xs.Any(v => !double.IsFinite(v)) || ys.Any(v => !double.IsFinite(v))) continue;
            canvas.Polyline(xs, ys, colour);
            canvas.Fill((int)Math.Round(xs[0]) - 1, (int)Math.Round(ys[0]) - 1, 3, 3, ColorMaps.Black);
        }
    }

    private static void Histogram(Canvas canvas, int px, int py, int pw, int ph, double[] values, int bins)
    {
        double lo = Math.Min(0, values.Min()), hi = values.Max();
        if (!(hi > lo)) hi = lo + 1;
        var counts = new int[bins];
        foreach (var v in values) counts[Math.Clamp((int)((v - lo) / (hi - lo) * bins), 0, bins - 1)]++;
        int max = counts.Max();
        Axes(canvas, px, py, pw, ph, lo, hi, 0, max, "SINGULAR VALUE");
        for (int b = 0; b < bins; b++)
        {
            int x = px + 1 + b * (pw - 1) / bins, w = Math.Max(1, (pw - 1) / bins - 1);
            int h = (int)Math.Round((double)counts[b] / max * ph);
            if (h > 0) canvas.Fill(x, py + ph - h, w, h, ColorMaps.Blue);
        }
    }

    private static string Number(double v) => PlotAxes.Number(v);
}
