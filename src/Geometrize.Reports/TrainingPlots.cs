using System.Globalization;
using Geometrize.Networks.Data;
using Geometrize.Networks.Training;
using Geometrize.Reports.Raster;
using SixLabors.ImageSharp.PixelFormats;

namespace Geometrize.Reports;

/// <summary>
/// Pictures of a network training run: the learning curves (loss; train and test accuracy) against the epoch, and,
/// for data in the plane, the decision regions (or the regression surface) with the data points on top.
/// </summary>
public static class TrainingPlots
{
    private const int PanelWidth = 360, PanelHeight = 260, LeftAxis = 56, BottomAxis = 20, TitleBand = 26, Margin = 8;

    /// <summary>Class colours (Tableau-like), cycled beyond ten classes.</summary>
    public static readonly Rgb24[] ClassColours =
    [
        new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40), new(148, 103, 189),
        new(140, 86, 75), new(227, 119, 194), new(127, 127, 127), new(188, 189, 34), new(23, 190, 207),
    ];

    /// <summary>Loss (left) and accuracy (right) against the epoch.</summary>
    public static Canvas Curves(IReadOnlyList<EpochRecord> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var canvas = new Canvas(2 * PanelWidth + 3 * Margin, PanelHeight + 2 * Margin, ColorMaps.White);
        var epochs = history.Select(h => (double)h.Epoch).ToArray();
        Panel(canvas, Margin, Margin, "LOSS", epochs, [(history.Select(h => h.Loss).ToArray(), ColorMaps.Black, "TRAIN LOSS")], fixedRange: null);
        Panel(canvas, 2 * Margin + PanelWidth, Margin, "ACCURACY", epochs,
            [(history.Select(h => h.TrainAccuracy).ToArray(), ColorMaps.Blue, "TRAIN"), (history.Select(h => h.TestAccuracy).ToArray(), ColorMaps.Red, "TEST")],
            fixedRange: (0, 1));
        return canvas;
    }

    private static void Panel(Canvas canvas, int x, int y, string title, double[] epochs, (double[] Values, Rgb24 Colour, string Label)[] series, (double Lo, double Hi)? fixedRange)
    {
        int tx = canvas.Text(x, y + 2, title, ColorMaps.Black, 2) + 16;
        foreach (var s in series)
            if (s.Values.Any(double.IsFinite)) tx = canvas.Text(tx, y + 6, s.Label, s.Colour) + 12;
        int px = x + LeftAxis, py = y + TitleBand, pw = PanelWidth - LeftAxis - 6, ph = PanelHeight - TitleBand - BottomAxis;
        canvas.Line(px, py, px, py + ph, ColorMaps.MidGray);
        canvas.Line(px, py + ph, px + pw, py + ph, ColorMaps.MidGray);
        var finite = series.SelectMany(s => s.Values).Where(double.IsFinite).ToArray();
        if (epochs.Length == 0 || finite.Length == 0)
        {
            canvas.Text(px + 8, py + ph / 2, "NOT AVAILABLE", ColorMaps.MidGray);
            return;
        }
        double lo = fixedRange?.Lo ?? Math.Min(0, finite.Min()), hi = fixedRange?.Hi ?? finite.Max();
        if (!(hi > lo)) hi = lo + 1;
        double e0 = epochs[0], e1 = epochs[^1];
        double X(double e) => e1 > e0 ? px + (e - e0) / (e1 - e0) * pw : px + pw / 2.0;
        double Y(double v) => py + ph - (v - lo) / (hi - lo) * ph;
        canvas.Text(x + 2, py, Number(hi), ColorMaps.Black);
        canvas.Text(x + 2, py + ph - BitmapFont.GlyphHeight, Number(lo), ColorMaps.Black);
        canvas.Text(px, py + ph + 6, Number(e0), ColorMaps.Black);
        string last = Number(e1);
        canvas.Text(px + pw - BitmapFont.Measure(last), py + ph + 6, last, ColorMaps.Black);
        canvas.Text(px + pw / 2 - BitmapFont.Measure("EPOCH") / 2, py + ph + 6, "EPOCH", ColorMaps.Black);
        foreach (var (values, colour, _) in series)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (int k = 0; k < values.Length; k++)
                if (double.IsFinite(values[k])) { xs.Add(X(epochs[k])); ys.Add(Y(values[k])); }
            if (xs.Count == 1) canvas.Fill((int)Math.Round(xs[0]) - 1, (int)Math.Round(ys[0]) - 1, 3, 3, colour);
            else canvas.Polyline(xs.ToArray(), ys.ToArray(), colour);
        }
    }

    /// <summary>
    /// Decision regions of a classifier (or the surface of a regression model) over the bounding box of the 2-D
    /// <paramref name="data"/> (10 % margin), with the data points drawn on top in their class colours (regression:
    /// their target on the same blue–white–red scale, outlined in black).
    /// </summary>
    /// <param name="data">Points in the plane, in the coordinates <paramref name="predict"/> expects.</param>
    /// <param name="predict">Maps n points (x, y interleaved) to n values: the class index, or the regression output.</param>
    /// <param name="size">Side of the square plot in pixels.</param>
    /// <exception cref="InvalidParameterException">The data are not two-dimensional.</exception>
    public static Canvas DecisionRegions(Dataset data, Func<float[], int, float[]> predict, int size = 420)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(predict);
        if (data.FeatureDimension != 2) throw new InvalidParameterException("--data", $"decision regions need 2-D points; '{data.Name}' has {data.FeatureDimension} features.");
        var f = data.Features;
        float x0 = float.MaxValue, x1 = float.MinValue, y0 = float.MaxValue, y1 = float.MinValue;
        for (int i = 0; i < data.Count; i++)
        {
            x0 = Math.Min(x0, f[2 * i]); x1 = Math.Max(x1, f[2 * i]);
            y0 = Math.Min(y0, f[2 * i + 1]); y1 = Math.Max(y1, f[2 * i + 1]);
        }
        float mx = Math.Max(1e-6f, 0.1f * (x1 - x0)), my = Math.Max(1e-6f, 0.1f * (y1 - y0));
        x0 -= mx; x1 += mx; y0 -= my; y1 += my;
        var canvas = new Canvas(size + 2 * Margin, size + TitleBand + Margin, ColorMaps.White);
        bool classify = data.Task == LearningTask.Classification;
        canvas.Text(Margin, 6, classify ? "DECISION REGIONS" : "PREDICTION", ColorMaps.Black, 2);
        int ox = Margin, oy = TitleBand;
        // The model is evaluated on a grid of Cell×Cell pixel cells (a few tens of thousands of points, not one per pixel).
        const int Cell = 3;
        int cells = (size + Cell - 1) / Cell;
        var grid = new float[2 * cells * cells];
        for (int r = 0; r < cells; r++)
            for (int c = 0; c < cells; c++)
            {
                grid[2 * (r * cells + c)] = x0 + (c + 0.5f) / cells * (x1 - x0);
                grid[2 * (r * cells + c) + 1] = y1 - (r + 0.5f) / cells * (y1 - y0); // y up
            }
        var values = predict(grid, cells * cells);
        double range = 1;
        if (!classify)
        {
            var t = data.Targets;
            range = Math.Max(1e-12, Math.Max(t.ToArray().Max(Math.Abs), values.Max(v => Math.Abs(v))));
        }
        for (int r = 0; r < size; r++)
            for (int c = 0; c < size; c++)
            {
                float v = values[r / Cell * cells + c / Cell];
                canvas.Set(ox + c, oy + r, classify ? Light(ClassColours[(int)v % ClassColours.Length]) : ColorMaps.Diverging(v / range));
            }
        canvas.Rectangle(ox, oy, size, size, ColorMaps.MidGray);
        for (int i = 0; i < data.Count; i++)
        {
            int px = ox + (int)((f[2 * i] - x0) / (x1 - x0) * size), py = oy + (int)((y1 - f[2 * i + 1]) / (y1 - y0) * size);
            var colour = classify ? ClassColours[data.Label(i) % ClassColours.Length] : ColorMaps.Diverging(data.TargetRow(i)[0] / range);
            canvas.Fill(px - 2, py - 2, 5, 5, classify ? ColorMaps.White : ColorMaps.Black);
            canvas.Fill(px - 1, py - 1, 3, 3, colour);
        }
        return canvas;
    }

    private static Rgb24 Light(Rgb24 c) => new((byte)(c.R + (255 - c.R) * 0.65), (byte)(c.G + (255 - c.G) * 0.65), (byte)(c.B + (255 - c.B) * 0.65));

    private static string Number(double v) => PlotAxes.Number(v);
}
