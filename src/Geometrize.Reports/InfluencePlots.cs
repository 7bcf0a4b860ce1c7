using System.Globalization;
using Geometrize.Analysis.Influence;
using Geometrize.Networks.Data;
using Geometrize.Reports.Raster;
using SixLabors.ImageSharp.PixelFormats;

namespace Geometrize.Reports;

/// <summary>
/// The picture of an <see cref="InfluenceResult"/>. For image data (a square number of features, e.g. 784 = 28²) the
/// test image and the most helpful and most harmful training images, each captioned with its index, label and
/// I_up,loss; for other data a bar chart of those influences. When a leave-one-out validation was run, a scatter of
/// predicted against actual test-loss change (with the line y = x) is added on the right.
/// </summary>
public static class InfluencePlots
{
    private const int Margin = 10, TitleBand = 22, ScatterSize = 320, LeftAxis = 60, BottomAxis = 22;

    /// <summary>Side of the square images of <paramref name="data"/>, or 0 when its features are not a square image of at least 4×4.</summary>
    public static int ImageSide(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int side = (int)Math.Round(Math.Sqrt(data.FeatureDimension));
        return side >= 4 && side * side == data.FeatureDimension ? side : 0;
    }

    /// <summary>Draws the influence picture.</summary>
    /// <param name="result">Influence of every training point on the test point.</param>
    /// <param name="training">The training set, as the user gave it (pixels before normalisation look natural).</param>
    /// <param name="test">The test set holding <see cref="InfluenceResult.TestIndex"/>.</param>
    /// <param name="top">How many helpful and how many harmful points to show (1 or more).</param>
    /// <param name="validation">The leave-one-out validation, or null.</param>
    public static Canvas Draw(InfluenceResult result, Dataset training, Dataset test, int top, LeaveOneOutReport? validation = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(test);
        if (top < 1) throw new InvalidParameterException("--top", $"the picture needs at least one point per side, got {top}.");
        top = Math.Min(top, result.Influence.Length);
        var helpful = result.MostHelpful(top);
        var harmful = result.MostHarmful(top);
        int side = ImageSide(training) == ImageSide(test) ? ImageSide(training) : 0;
        int zoom = side == 0 ? 1 : Math.Max(1, 56 / side);
        int tile = Math.Max(side * zoom, BitmapFont.Measure("-0.000E-00")) + 8;
        int leftWidth = side > 0 ? Math.Max(tile * (top + 1) + Margin, 420) : 560;
        int leftHeight = side > 0 ? 3 * (TitleBand + side * zoom + 2 * BitmapFont.GlyphHeight + 12) : TitleBand + 2 * top * 14 + 40;
        int width = leftWidth + (validation is null ? 0 : ScatterSize + 2 * Margin) + Margin;
        int height = Math.Max(leftHeight, validation is null ? 0 : ScatterSize + TitleBand + 2 * Margin) + 2 * Margin;
        var canvas = new Canvas(width, height, ColorMaps.White);
        if (side > 0) Images(canvas, result, training, test, helpful, harmful, side, zoom, tile);
        else Bars(canvas, result, training, helpful, harmful, leftWidth);
        if (validation is not null) Scatter(canvas, validation, leftWidth + Margin, Margin);
        return canvas;
    }

    private static void Images(Canvas canvas, InfluenceResult r, Dataset training, Dataset test, int[] helpful, int[] harmful, int side, int zoom, int tile)
    {
        int rowHeight = TitleBand + side * zoom + 2 * BitmapFont.GlyphHeight + 12;
        int y = Margin;
        canvas.Text(Margin, y, string.Create(CultureInfo.InvariantCulture, $"TEST #{r.TestIndex}  LABEL {Label(test, r.TestIndex)}  LOSS {Number(r.TestLoss)}"), ColorMaps.Black, 2);
        Image(canvas, test.FeatureRow(r.TestIndex), side, zoom, Margin, y + TitleBand);
        y += rowHeight;
        Row(canvas, "MOST HELPFUL (REMOVING RAISES TEST LOSS)", helpful, ColorMaps.Blue);
        y += rowHeight;
        Row(canvas, "MOST HARMFUL (REMOVING LOWERS TEST LOSS)", harmful, ColorMaps.Red);

        void Row(Canvas c, string title, int[] points, Rgb24 colour)
        {
            c.Text(Margin, y, title, colour, 2);
            for (int k = 0; k < points.Length; k++)
            {
                int x = Margin + k * tile, iy = y + TitleBand;
                Image(c, training.FeatureRow(points[k]), side, zoom, x, iy);
                c.Rectangle(x - 1, iy - 1, side * zoom + 2, side * zoom + 2, colour);
                int ty = iy + side * zoom + 4;
                c.Text(x, ty, string.Create(CultureInfo.InvariantCulture, $"#{points[k]} L{Label(training, points[k])}"), ColorMaps.Black);
                c.Text(x, ty + BitmapFont.GlyphHeight + 3, Number(r.Influence[points[k]]), colour);
            }
        }
    }

    private static void Image(Canvas canvas, ReadOnlySpan<float> pixels, int side, int zoom, int x, int y)
    {
        // Each image on its own gray range, so normalised and raw pixels both show their full contrast.
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        foreach (float v in pixels)
            if (float.IsFinite(v)) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        for (int r = 0; r < side; r++)
            for (int c = 0; c < side; c++)
                canvas.Fill(x + c * zoom, y + r * zoom, zoom, zoom, ColorMaps.Gray(pixels[r * side + c], lo, hi));
    }

    private static void Bars(Canvas canvas, InfluenceResult r, Dataset training, int[] helpful, int[] harmful, int width)
    {
        canvas.Text(Margin, Margin, string.Create(CultureInfo.InvariantCulture, $"INFLUENCE ON TEST #{r.TestIndex} (LOSS {Number(r.TestLoss)})"), ColorMaps.Black, 2);
        var points = harmful.Concat(Enumerable.Reverse(helpful)).ToArray();
        double max = points.Length == 0 ? 1 : points.Max(i => Math.Abs(r.Influence[i]));
        if (!(max > 0)) max = 1;
        int labelWidth = BitmapFont.Measure("#000000 L00") + 8, valueWidth = BitmapFont.Measure("-0.000E-00") + 8;
        int axis = Margin + labelWidth + (width - labelWidth - valueWidth - 2 * Margin) / 2, half = (width - labelWidth - valueWidth - 2 * Margin) / 2;
        int y = Margin + TitleBand + 8;
        canvas.Line(axis, y - 4, axis, y + points.Length * 14, ColorMaps.MidGray);
        foreach (int i in points)
        {
            double v = r.Influence[i];
            int len = (int)Math.Round(Math.Abs(v) / max * (half - 4));
            var colour = v > 0 ? ColorMaps.Red : ColorMaps.Blue;
            if (len > 0) canvas.Fill(v > 0 ? axis + 1 : axis - len, y, len, 10, colour);
            canvas.Text(Margin, y + 2, string.Create(CultureInfo.InvariantCulture, $"#{i} {Label(training, i)}"), ColorMaps.Black);
            canvas.Text(axis + half + 8, y + 2, Number(v), colour);
            y += 14;
        }
        canvas.Text(Margin, y + 8, "RED: HARMFUL (I > 0)   BLUE: HELPFUL (I < 0)", ColorMaps.MidGray);
    }

    private static void Scatter(Canvas canvas, LeaveOneOutReport v, int x, int y)
    {
        canvas.Text(x, y, "LEAVE-ONE-OUT", ColorMaps.Black, 2);
        canvas.Text(x, y + TitleBand - 6, string.Create(CultureInfo.InvariantCulture,
            $"{v.Pairs.Count} RETRAININGS   PEARSON {v.Pearson:0.000}   SPEARMAN {v.Spearman:0.000}"), ColorMaps.Black);
        int px = x + LeftAxis, py = y + TitleBand + 12, pw = ScatterSize - LeftAxis - 4, ph = ScatterSize - TitleBand - 8 - BottomAxis;
        canvas.Line(px, py, px, py + ph, ColorMaps.MidGray);
        canvas.Line(px, py + ph, px + pw, py + ph, ColorMaps.MidGray);
        var values = v.Pairs.SelectMany(q => new[] { q.Predicted, q.Actual }).Where(double.IsFinite).ToArray();
        double lo = values.Length == 0 ? -1 : values.Min(), hi = values.Length == 0 ? 1 : values.Max();
        if (!(hi > lo)) { lo -= 1e-12 + Math.Abs(lo); hi += 1e-12 + Math.Abs(hi); }
        double pad = 0.05 * (hi - lo);
        lo -= pad; hi += pad;
        // Same range on both axes: points on the dashed diagonal are exact predictions.
        canvas.Line(px, py + ph, px + pw, py, ColorMaps.MidGray, dash: 4);
        canvas.Text(px - LeftAxis + 2, py, Number(hi), ColorMaps.Black);
        canvas.Text(px - LeftAxis + 2, py + ph - BitmapFont.GlyphHeight, Number(lo), ColorMaps.Black);
        canvas.Text(px, py + ph + 6, Number(lo), ColorMaps.Black);
        string last = Number(hi);
        canvas.Text(px + pw - BitmapFont.Measure(last), py + ph + 6, last, ColorMaps.Black);
        canvas.Text(px + pw / 2 - BitmapFont.Measure("PREDICTED") / 2, py + ph + 6, "PREDICTED", ColorMaps.Black);
        canvas.Text(px + 4, py + 2, "ACTUAL", ColorMaps.Black);
        foreach (var q in v.Pairs)
        {
            if (!double.IsFinite(q.Predicted) || !double.IsFinite(q.Actual)) continue;
            int cx = (int)Math.Round(px + (q.Predicted - lo) / (hi - lo) * pw), cy = (int)Math.Round(py + ph - (q.Actual - lo) / (hi - lo) * ph);
            // Colours as in the image rows: a predicted rise of the test loss on removal marks a helpful point (blue).
            canvas.Fill(cx - 2, cy - 2, 5, 5, q.Predicted > 0 ? ColorMaps.Blue : ColorMaps.Red);
        }
    }

    private static string Label(Dataset data, int i) => data.Task == LearningTask.Classification
        ? data.Label(i).ToString(CultureInfo.InvariantCulture)
        : data.TargetRow(i)[0].ToString("0.###", CultureInfo.InvariantCulture);

    private static string Number(double v) => v == 0 ? "0" : Math.Abs(v) >= 1e4 || Math.Abs(v) < 1e-2
        ? v.ToString("0.###E+0", CultureInfo.InvariantCulture)
        : v.ToString("0.####", CultureInfo.InvariantCulture);
}
