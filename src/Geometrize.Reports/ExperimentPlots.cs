using System.Globalization;
using Geometrize.Reports.Raster;
using SixLabors.ImageSharp.PixelFormats;

namespace Geometrize.Reports;

/// <summary>One data series of an experiment panel: a line (optionally with ±error bars) or a set of points.</summary>
/// <param name="Label">Legend text.</param>
/// <param name="X">Abscissae.</param>
/// <param name="Y">Ordinates (same length as <paramref name="X"/>; non-finite values are skipped).</param>
/// <param name="Error">Half-width of an error bar at each point (e.g. one standard deviation), or null.</param>
/// <param name="PointsOnly">Draw markers without joining them (scatter plots).</param>
public sealed record PlotSeries(string Label, double[] X, double[] Y, double[]? Error = null, bool PointsOnly = false);

/// <summary>One panel of an experiment figure.</summary>
/// <param name="Title">Panel title (drawn in capitals).</param>
/// <param name="XLabel">Label under the horizontal axis.</param>
/// <param name="Series">The series, coloured in order.</param>
/// <param name="LogY">Plot log₁₀ of the ordinates (non-positive values are skipped); the axis shows log₁₀ values.</param>
public sealed record PlotPanel(string Title, string XLabel, IReadOnlyList<PlotSeries> Series, bool LogY = false);

/// <summary>
/// The figure of a <c>net experiment</c> run: a grid of panels, each with one or more series and a legend, so that
/// every experiment draws its comparison (with vs without batch norm, flow vs plain, measures vs generalisation gap)
/// with the same look.
/// </summary>
public static class ExperimentPlots
{
    private const int PanelWidth = 420, PanelHeight = 300, LeftAxis = 60, BottomAxis = 22, TitleBand = 26, Margin = 10;

    /// <summary>Series colours, in order.</summary>
    public static readonly Rgb24[] SeriesColours =
    [
        ColorMaps.Blue, ColorMaps.Red, new Rgb24(40, 150, 60), new Rgb24(150, 80, 190), new Rgb24(230, 140, 20), new Rgb24(20, 160, 170),
    ];

    /// <summary>Draws <paramref name="panels"/> in rows of <paramref name="columns"/> under a title line.</summary>
    /// <exception cref="InvalidParameterException">No panels, or fewer than one column.</exception>
    public static Canvas Draw(string title, IReadOnlyList<PlotPanel> panels, int columns = 2)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0) throw new InvalidParameterException("panels", "an experiment figure needs at least one panel.");
        if (columns < 1) throw new InvalidParameterException("columns", $"must be at least 1, got {columns}.");
        columns = Math.Min(columns, panels.Count);
        int rows = (panels.Count + columns - 1) / columns;
        const int header = 30;
        var canvas = new Canvas(columns * PanelWidth + (columns + 1) * Margin, header + rows * PanelHeight + (rows + 1) * Margin, ColorMaps.White);
        canvas.Text(Margin, Margin, (title ?? "").ToUpperInvariant(), ColorMaps.Black, 2);
        for (int i = 0; i < panels.Count; i++)
        {
            int x = Margin + i % columns * (PanelWidth + Margin), y = header + Margin + i / columns * (PanelHeight + Margin);
            DrawPanel(canvas, x, y, panels[i]);
        }
        return canvas;
    }

    private static void DrawPanel(Canvas canvas, int x, int y, PlotPanel panel)
    {
        string title = panel.Title.ToUpperInvariant();
        canvas.Text(x, y + 2, title, ColorMaps.Black, 2 * BitmapFont.Measure(title) <= PanelWidth ? 2 : 1);
        // The legend gets its own strip on the right, so that it never hides a point.
        int legendWidth = panel.Series.Where(s => !string.IsNullOrEmpty(s.Label)).Select(s => BitmapFont.Measure(s.Label.ToUpperInvariant()) + 18).DefaultIfEmpty(0).Max();
        int px = x + LeftAxis, py = y + TitleBand, pw = PanelWidth - LeftAxis - 8 - legendWidth, ph = PanelHeight - TitleBand - BottomAxis;
        canvas.Line(px, py, px, py + ph, ColorMaps.MidGray);
        canvas.Line(px, py + ph, px + pw, py + ph, ColorMaps.MidGray);
        double Y(double v) => panel.LogY ? (v > 0 ? Math.Log10(v) : double.NaN) : v;
        var xs = new List<double>();
        var ys = new List<double>();
        foreach (var s in panel.Series)
            for (int i = 0; i < Math.Min(s.X.Length, s.Y.Length); i++)
            {
                double e = s.Error != null && i < s.Error.Length && double.IsFinite(s.Error[i]) ? s.Error[i] : 0;
                double lo = Y(s.Y[i] - e), hi = Y(s.Y[i] + e), mid = Y(s.Y[i]);
                if (!double.IsFinite(s.X[i]) || !double.IsFinite(mid)) continue;
                xs.Add(s.X[i]);
                ys.Add(mid);
                if (double.IsFinite(lo)) ys.Add(lo);
                if (double.IsFinite(hi)) ys.Add(hi);
            }
        if (xs.Count == 0)
        {
            canvas.Text(px + 8, py + ph / 2, "NO DATA", ColorMaps.MidGray);
            return;
        }
        var (xLo, xHi) = Pad(xs.Min(), xs.Max());
        var (yLo, yHi) = Pad(ys.Min(), ys.Max());
        PlotAxes.Label(canvas, px, py, pw, ph, LeftAxis, xLo, xHi, yLo, yHi, panel.XLabel.ToUpperInvariant());
        if (panel.LogY) canvas.Text(px - LeftAxis + 2, py + ph / 2, "LOG10", ColorMaps.MidGray);
        double Sx(double v) => px + (v - xLo) / (xHi - xLo) * pw;
        double Sy(double v) => py + ph - (v - yLo) / (yHi - yLo) * ph;

        int legendY = py + 4;
        for (int si = 0; si < panel.Series.Count; si++)
        {
            var s = panel.Series[si];
            var colour = SeriesColours[si % SeriesColours.Length];
            var cx = new List<double>();
            var cy = new List<double>();
            for (int i = 0; i < Math.Min(s.X.Length, s.Y.Length); i++)
            {
                double mid = Y(s.Y[i]);
                if (!double.IsFinite(s.X[i]) || !double.IsFinite(mid)) continue;
                double sx = Sx(s.X[i]), sy = Sy(mid);
                cx.Add(sx);
                cy.Add(sy);
                if (s.Error != null && i < s.Error.Length && double.IsFinite(s.Error[i]) && s.Error[i] > 0)
                {
                    double lo = Y(s.Y[i] - s.Error[i]), hi = Y(s.Y[i] + s.Error[i]);
                    // On a log axis a bar reaching zero or below has no lower end: only its upper half is drawn.
                    double top = double.IsFinite(hi) ? Sy(hi) : sy, bottom = double.IsFinite(lo) ? Sy(lo) : sy;
                    canvas.Line(sx, top, sx, bottom, colour);
                    canvas.Line(sx - 3, top, sx + 3, top, colour);
                    canvas.Line(sx - 3, bottom, sx + 3, bottom, colour);
                }
            }
            if (!s.PointsOnly && cx.Count > 1) canvas.Polyline(cx.ToArray(), cy.ToArray(), colour);
            int marker = s.PointsOnly ? 5 : 3;
            for (int i = 0; i < cx.Count; i++)
                canvas.Fill((int)Math.Round(cx[i]) - marker / 2, (int)Math.Round(cy[i]) - marker / 2, marker, marker, colour);
            if (!string.IsNullOrEmpty(s.Label))
            {
                string label = s.Label.ToUpperInvariant();
                int lx = px + pw + 8;
                canvas.Fill(lx, legendY + 2, 8, 8, colour);
                canvas.Text(lx + 12, legendY, label, ColorMaps.Black);
                legendY += BitmapFont.GlyphHeight + 4;
            }
        }
    }

    private static (double Lo, double Hi) Pad(double lo, double hi)
    {
        if (!(hi > lo)) return (lo - 0.5, hi + 0.5);
        double pad = 0.04 * (hi - lo);
        return (lo - pad, hi + pad);
    }

    private static string Number(double v) => PlotAxes.Number(v);
}
