using System.Globalization;
using Geometrize.Networks.Training;
using Geometrize.Reports.Raster;
using SixLabors.ImageSharp.PixelFormats;

namespace Geometrize.Reports;

/// <summary>
/// The picture of a learned-example-weights experiment: test accuracy per epoch of each run (left) and the
/// distribution of the learned weights in two groups of training samples, e.g. clean versus corrupted labels (right).
/// </summary>
public static class ReweightPlots
{
    private const int PanelWidth = 380, PanelHeight = 280, LeftAxis = 56, BottomAxis = 20, TitleBand = 26, Margin = 8, Bins = 30;

    private static readonly Rgb24[] RunColours = [ColorMaps.Black, ColorMaps.Blue, new(44, 160, 44), new(255, 127, 14)];

    /// <summary>Draws both panels.</summary>
    /// <param name="runs">Named runs with their histories (at most four colours, cycled beyond).</param>
    /// <param name="weights">Mean learned weight per training sample (NaN entries are ignored).</param>
    /// <param name="inGroup">Per sample: true for the group drawn in red (corrupted), false for the one in blue (clean).</param>
    /// <param name="groupName">Label of the red group.</param>
    /// <param name="otherName">Label of the blue group.</param>
    public static Canvas Draw(IReadOnlyList<(string Name, IReadOnlyList<EpochRecord> History)> runs, IReadOnlyList<double> weights,
        IReadOnlyList<bool> inGroup, string groupName, string otherName)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(inGroup);
        if (weights.Count != inGroup.Count)
            throw new InvalidParameterException("weights", $"{weights.Count} weights but {inGroup.Count} group flags.");
        var canvas = new Canvas(2 * PanelWidth + 3 * Margin, PanelHeight + 2 * Margin, ColorMaps.White);
        Accuracy(canvas, Margin, Margin, runs);
        Histogram(canvas, 2 * Margin + PanelWidth, Margin, weights, inGroup, groupName, otherName);
        return canvas;
    }

    private static (int X, int Y, int W, int H) Frame(Canvas canvas, int x, int y, string title)
    {
        canvas.Text(x, y + 2, title, ColorMaps.Black, 2);
        int px = x + LeftAxis, py = y + TitleBand + 12, pw = PanelWidth - LeftAxis - 6, ph = PanelHeight - TitleBand - 12 - BottomAxis;
        canvas.Line(px, py, px, py + ph, ColorMaps.MidGray);
        canvas.Line(px, py + ph, px + pw, py + ph, ColorMaps.MidGray);
        return (px, py, pw, ph);
    }

    private static void Labels(Canvas canvas, int px, int py, int pw, int ph, double xLo, double xHi, double yLo, double yHi, string xLabel)
        => PlotAxes.Label(canvas, px, py, pw, ph, LeftAxis, xLo, xHi, yLo, yHi, xLabel);

    private static void Accuracy(Canvas canvas, int x, int y, IReadOnlyList<(string Name, IReadOnlyList<EpochRecord> History)> runs)
    {
        var (px, py, pw, ph) = Frame(canvas, x, y, "TEST ACCURACY");
        int tx = px;
        for (int r = 0; r < runs.Count; r++) tx = canvas.Text(tx, y + TitleBand, runs[r].Name.ToUpperInvariant(), RunColours[r % RunColours.Length]) + 12;
        var finite = runs.SelectMany(r => r.History).Select(h => h.TestAccuracy).Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            canvas.Text(px + 8, py + ph / 2, "NO TEST SET", ColorMaps.MidGray);
            return;
        }
        double lo = Math.Max(0, Math.Floor(finite.Min() * 10 - 0.5) / 10), hi = Math.Min(1, Math.Ceiling(finite.Max() * 10 + 0.5) / 10);
        if (!(hi > lo)) hi = lo + 0.1;
        int epochs = runs.Max(r => r.History.Count);
        Labels(canvas, px, py, pw, ph, 1, epochs, lo, hi, "EPOCH");
        for (int r = 0; r < runs.Count; r++)
        {
            var h = runs[r].History;
            var xs = new List<double>();
            var ys = new List<double>();
            foreach (var e in h)
            {
                if (!double.IsFinite(e.TestAccuracy)) continue;
                xs.Add(epochs > 1 ? px + (e.Epoch - 1.0) / (epochs - 1) * pw : px + pw / 2.0);
                ys.Add(py + ph - (e.TestAccuracy - lo) / (hi - lo) * ph);
            }
            var colour = RunColours[r % RunColours.Length];
            if (xs.Count == 1) canvas.Fill((int)Math.Round(xs[0]) - 1, (int)Math.Round(ys[0]) - 1, 3, 3, colour);
            else if (xs.Count > 1) canvas.Polyline(xs.ToArray(), ys.ToArray(), colour);
        }
    }

    // Two overlaid histograms, each normalised to its own group size (fractions), so groups of different sizes compare.
    private static void Histogram(Canvas canvas, int x, int y, IReadOnlyList<double> weights, IReadOnlyList<bool> inGroup, string groupName, string otherName)
    {
        var (px, py, pw, ph) = Frame(canvas, x, y, "LEARNED WEIGHTS");
        int tx = canvas.Text(px, y + TitleBand, otherName.ToUpperInvariant(), ColorMaps.Blue) + 12;
        canvas.Text(tx, y + TitleBand, groupName.ToUpperInvariant(), ColorMaps.Red);
        var values = Enumerable.Range(0, weights.Count).Where(i => double.IsFinite(weights[i])).ToArray();
        if (values.Length == 0)
        {
            canvas.Text(px + 8, py + ph / 2, "NO WEIGHTS", ColorMaps.MidGray);
            return;
        }
        // The axis ends at the 99th percentile: a handful of very large weights would squash the rest into one bin (they go to the last).
        var sorted = values.Select(i => weights[i]).Order().ToArray();
        double lo = 0, hi = sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(0.99 * sorted.Length))];
        if (!(hi > lo)) hi = sorted[^1];
        if (!(hi > lo)) hi = lo + 1;
        var counts = new double[2, Bins];
        var totals = new int[2];
        foreach (int i in values)
        {
            int g = inGroup[i] ? 1 : 0;
            counts[g, Math.Clamp((int)((weights[i] - lo) / (hi - lo) * Bins), 0, Bins - 1)]++;
            totals[g]++;
        }
        double max = 0;
        for (int g = 0; g < 2; g++)
            for (int b = 0; b < Bins; b++)
                max = Math.Max(max, counts[g, b] = totals[g] > 0 ? counts[g, b] / totals[g] : 0);
        Labels(canvas, px, py, pw, ph, lo, hi, 0, max, "MEAN WEIGHT (LAST EPOCH)");
        int bw = Math.Max(2, (pw - 1) / Bins - 1);
        for (int b = 0; b < Bins; b++)
        {
            int bx = px + 1 + b * (pw - 1) / Bins;
            int h0 = (int)Math.Round(counts[0, b] / max * ph), h1 = (int)Math.Round(counts[1, b] / max * ph);
            if (h0 > 0) canvas.Fill(bx, py + ph - h0, bw / 2, h0, ColorMaps.Blue);
            if (h1 > 0) canvas.Fill(bx + bw / 2, py + ph - h1, bw - bw / 2, h1, ColorMaps.Red);
        }
    }

    private static string Number(double v) => PlotAxes.Number(v);
}
