using System.Globalization;
using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Registration;
using Geometrize.Reports.Raster;
using SixLabors.ImageSharp.PixelFormats;

namespace Geometrize.Reports;

/// <summary>
/// <c>report.png</c> of a registration: one row of panels per view — fixed, moving, warped, |fixed − moving|,
/// |fixed − warped|, deformed grid, Jacobian determinant — and the energy curve below, with a header line of
/// the summary figures. 2-D results have one row; 3-D results show the middle axial, coronal and sagittal slices.
/// Metamorphosis results add a row: the images I_t along the path, the intensity change and |fixed − I_1|.
/// </summary>
/// <remarks>
/// <para>Scales: fixed, moving and warped share one gray window (the range of fixed and moving together); the two
/// difference maps share another ([0, the larger maximum]) so that the reduction is visible by eye. The Jacobian
/// determinant uses a blue–white–red log scale centred at 1, symmetric around it, reaching full colour at the 99th
/// percentile of |log det| (folds, det ≤ 0, in green), with the minimum and maximum printed.</para>
/// <para>Deformed grid: the lines of the fixed grid (every few voxels) carried by x ↦ x + u(x), drawn over the dimmed
/// moving image. x + u(x) is a point of moving space, so the lines show where each fixed-grid line was taken from
/// in the moving image; for 3-D the in-plane part of u is drawn.</para>
/// </remarks>
public static class RegistrationReport
{
    /// <summary>Side of the square box an image panel is scaled into (pixels).</summary>
    public const int PanelSize = 192;
    /// <summary>Space around panels (pixels).</summary>
    public const int Margin = 6;
    /// <summary>Height of a panel's title and information lines (pixels).</summary>
    public const int TitleHeight = 30;
    /// <summary>Height of the header line (pixels).</summary>
    public const int HeaderHeight = 26;
    /// <summary>Image panels per row.</summary>
    public const int Columns = 7;

    /// <summary>Width of one panel cell.</summary>
    public const int CellWidth = PanelSize + 2 * Margin;
    /// <summary>Height of one panel cell (and of the energy plot row).</summary>
    public const int CellHeight = TitleHeight + PanelSize + Margin;

    /// <summary>Pixel size of the report for a <paramref name="dimension"/>-D registration: 1 (2-D) or 3 (3-D) rows of panels plus the energy row.</summary>
    public static (int Width, int Height) CanvasSize(int dimension) => CanvasSize(dimension, pathRow: false);

    /// <summary>
    /// Pixel size of the report, with one more row of panels when <paramref name="pathRow"/> (metamorphosis: the images
    /// I_t along the path, the intensity change and the final residual).
    /// </summary>
    public static (int Width, int Height) CanvasSize(int dimension, bool pathRow) =>
        (Columns * CellWidth, HeaderHeight + ((dimension == 3 ? 3 : 1) + (pathRow ? 1 : 0)) * CellHeight + CellHeight);

    /// <summary>
    /// Renders the report of <paramref name="result"/> to <paramref name="path"/> (PNG, written atomically), with
    /// the result's <see cref="RegistrationResult.MovingOnFixedGrid"/> as the moving image.
    /// </summary>
    /// <param name="result">The registration result.</param>
    /// <param name="fixedImage">The fixed image, on the result's grid.</param>
    /// <param name="path">Output file, normally <c>report.png</c>.</param>
    public static void Render(RegistrationResult result, Image fixedImage, string path)
        => Render(result, fixedImage, result.MovingOnFixedGrid, path);

    /// <summary>Renders the report of <paramref name="result"/> with an explicit moving image (see <see cref="Render(RegistrationResult, Image, string)"/>).</summary>
    /// <param name="result">The registration result (its <see cref="RegistrationResult.Warped"/>, displacement, Jacobian and history are drawn).</param>
    /// <param name="fixedImage">The fixed image, on the result's grid.</param>
    /// <param name="movingOnFixedGrid">The moving image resampled onto the fixed grid without deformation.</param>
    /// <param name="path">Output file, normally <c>report.png</c>.</param>
    public static void Render(RegistrationResult result, Image fixedImage, Image movingOnFixedGrid, string path)
        => Draw(result, fixedImage, movingOnFixedGrid).SavePng(path);

    /// <summary>Draws the report onto a new canvas (see <see cref="Render(RegistrationResult, Image, Image, string)"/>).</summary>
    public static Canvas Draw(RegistrationResult result, Image fixedImage, Image movingOnFixedGrid)
    {
        var g = fixedImage.Geometry;
        g.RequireSameGrid(movingOnFixedGrid.Geometry, "the fixed image and the resampled moving image");
        g.RequireSameGrid(result.Warped.Geometry, "the fixed image and the warped image");
        g.RequireSameGrid(result.Displacement.Geometry, "the fixed image and the displacement");
        g.RequireSameGrid(result.Jacobian.Geometry, "the fixed image and the Jacobian");
        int d = g.Dimension, n = g.Count;
        var f = fixedImage.Data.AsSpan(0, n);
        var m = movingOnFixedGrid.Data.AsSpan(0, n);
        var w = result.Warped.Data.AsSpan(0, n);

        var (lo, hi) = Range(f, m);
        var diffBefore = new float[n];
        var diffAfter = new float[n];
        double diffMax = 0;
        for (int i = 0; i < n; i++)
        {
            diffBefore[i] = Math.Abs(f[i] - m[i]);
            diffAfter[i] = Math.Abs(f[i] - w[i]);
            if (float.IsFinite(diffBefore[i])) diffMax = Math.Max(diffMax, diffBefore[i]);
            if (float.IsFinite(diffAfter[i])) diffMax = Math.Max(diffMax, diffAfter[i]);
        }
        if (!(diffMax > 0)) diffMax = 1;
        var (detMin, detMax) = Range(result.Jacobian.Data, []);
        double detRange = JacobianColourRange(result.Jacobian.Data);
        var indexDisplacement = new VectorField<float>(g, d);
        DisplacementFields.PhysicalToIndexDisplacement(result.Displacement, indexDisplacement);

        bool pathRow = result.PathImages is { Count: > 0 } && result.IntensityChange != null;
        var (width, height) = CanvasSize(d, pathRow);
        var canvas = new Canvas(width, height, ColorMaps.White);
        canvas.Text(Margin, 6, Header(result, detMin, detMax), ColorMaps.Black, 2);

        var views = d == 3 ? new[] { SliceOrientation.Axial, SliceOrientation.Coronal, SliceOrientation.Sagittal } : [SliceOrientation.Axial];
        string window = $"{Num(lo)}..{Num(hi)}", diffWindow = $"0..{Num(diffMax)}";
        for (int row = 0; row < views.Length; row++)
        {
            var o = views[row];
            int y = HeaderHeight + row * CellHeight;
            string where = d == 3 ? ViewLabel(g, o) + " " : "";
            Func<float, Rgb24> gray = v => ColorMaps.Gray(v, lo, hi);
            Func<float, Rgb24> diff = v => ColorMaps.Gray(v, 0, diffMax);
            Panel(canvas, 0, y, "FIXED", where + window, DisplaySlice.Extract(g, f, o), gray);
            Panel(canvas, 1, y, "MOVING", where + window, DisplaySlice.Extract(g, m, o), gray);
            Panel(canvas, 2, y, "WARPED", where + window, DisplaySlice.Extract(g, w, o), gray);
            Panel(canvas, 3, y, "|FIXED-MOVING|", where + diffWindow, DisplaySlice.Extract(g, diffBefore, o), diff);
            Panel(canvas, 4, y, "|FIXED-WARPED|", where + diffWindow, DisplaySlice.Extract(g, diffAfter, o), diff);
            var placed = Panel(canvas, 5, y, "GRID X+U(X)", where + "ON MOVING", DisplaySlice.Extract(g, m, o),
                v => ColorMaps.Gray(0.25 + 0.5 * Normalised(v, lo, hi), 0, 1));
            DeformedGrid(canvas, placed, DisplaySlice.ExtractInPlane(indexDisplacement, o));
            Panel(canvas, 6, y, "DET JACOBIAN", where + $"MIN {Num(detMin)} MAX {Num(detMax)}",
                DisplaySlice.Extract(g, result.Jacobian.Data, o), v => ColorMaps.Jacobian(v, detRange));
        }
        int rows = views.Length;
        if (pathRow) PathRow(canvas, HeaderHeight + rows++ * CellHeight, result, f, lo, hi);
        int energyTop = HeaderHeight + rows * CellHeight;
        EnergyPlot.Draw(canvas, Margin, energyTop + Margin, width - 2 * Margin, CellHeight - 2 * Margin, result.History);
        return canvas;
    }

    /// <summary>
    /// Metamorphosis row (middle axial slice in 3-D): I_t at the stored times in the gray window of the images, the
    /// accumulated intensity change Z_1 (blue negative, red positive, full colour at max |Z_1|) and |fixed − I_1|.
    /// </summary>
    private static void PathRow(Canvas canvas, int y, RegistrationResult result, ReadOnlySpan<float> f, double lo, double hi)
    {
        var g = result.IntensityChange!.Geometry;
        var path = result.PathImages!;
        int columns = Math.Min(path.Count, Columns - 2);
        string window = $"{Num(lo)}..{Num(hi)}";
        for (int j = 0; j < columns; j++)
        {
            double t = columns == 1 ? 1 : (double)j / (columns - 1);
            int index = columns == 1 ? path.Count - 1 : (int)Math.Round(t * (path.Count - 1));
            Panel(canvas, j, y, string.Create(CultureInfo.InvariantCulture, $"I(T={t:0.00})"), window,
                DisplaySlice.Extract(g, path[index].Data, SliceOrientation.Axial), v => ColorMaps.Gray(v, lo, hi));
        }
        var z = result.IntensityChange.Data;
        double zMax = 0;
        foreach (float v in z) if (float.IsFinite(v)) zMax = Math.Max(zMax, Math.Abs(v));
        if (!(zMax > 0)) zMax = 1;
        Panel(canvas, columns, y, "INTENSITY CHANGE", $"+-{Num(zMax)}", DisplaySlice.Extract(g, z, SliceOrientation.Axial),
            v => ColorMaps.Diverging(v / zMax));
        var last = path[^1].Data;
        var residual = new float[f.Length];
        double rMax = 0;
        for (int i = 0; i < residual.Length; i++)
        {
            residual[i] = Math.Abs(f[i] - last[i]);
            if (float.IsFinite(residual[i])) rMax = Math.Max(rMax, residual[i]);
        }
        if (!(rMax > 0)) rMax = 1;
        Panel(canvas, columns + 1, y, "|FIXED-I(1)|", $"0..{Num(rMax)}", DisplaySlice.Extract(g, residual, SliceOrientation.Axial),
            v => ColorMaps.Gray(v, 0, rMax));
    }

    private static Placement Panel(Canvas canvas, int column, int top, string title, string info, DisplaySlice slice, Func<float, Rgb24> colour)
    {
        int x = column * CellWidth + Margin;
        canvas.Text(x, top + 4, title, ColorMaps.Black, 2);
        canvas.Text(x, top + 21, info, ColorMaps.Black);
        var placed = slice.Draw(canvas, x, top + TitleHeight, PanelSize, colour);
        canvas.Rectangle(placed.X - 1, placed.Y - 1, placed.W + 2, placed.H + 2, ColorMaps.MidGray);
        return placed;
    }

    /// <summary>Lines of constant row and column, every few pixels of the slice, carried by the in-plane displacement.</summary>
    private static void DeformedGrid(Canvas canvas, Placement at, (DisplaySlice Right, DisplaySlice Down) u)
    {
        int cols = u.Right.Width, rows = u.Right.Height;
        int step = Math.Max(2, (int)Math.Round(Math.Max(cols, rows) / 20.0));
        var xs = new double[Math.Max(cols, rows)];
        var ys = new double[xs.Length];
        for (int r = 0; r < rows; r += step)
        {
            for (int c = 0; c < cols; c++) (xs[c], ys[c]) = at.ToCanvas(c + u.Right[c, r], r + u.Down[c, r]);
            canvas.Polyline(xs.AsSpan(0, cols), ys.AsSpan(0, cols), ColorMaps.Yellow);
        }
        for (int c = 0; c < cols; c += step)
        {
            for (int r = 0; r < rows; r++) (xs[r], ys[r]) = at.ToCanvas(c + u.Right[c, r], r + u.Down[c, r]);
            canvas.Polyline(xs.AsSpan(0, rows), ys.AsSpan(0, rows), ColorMaps.Yellow);
        }
    }

    private static string Header(RegistrationResult r, double detMin, double detMax) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{r.Method}  {r.Seconds:0.0} S  {r.Iterations} IT  MSE {Num(r.MseBefore)} -> {Num(r.MseAfter)}  " +
            $"NCC {r.NccBefore:0.000} -> {r.NccAfter:0.000}  DET {Num(detMin)}..{Num(detMax)}");

    private static string ViewLabel(ImageGeometry g, SliceOrientation o) => o switch
    {
        SliceOrientation.Axial => $"AX Z={g.Nz / 2}",
        SliceOrientation.Coronal => $"COR Y={g.Ny / 2}",
        _ => $"SAG X={g.Nx / 2}",
    };

    /// <summary>
    /// The factor shown at full colour: the 99th percentile of |log det| (at least 5 %), so that the typical
    /// deformation is visible even when a few voxels reach extreme values (those saturate; min and max are printed).
    /// </summary>
    private static double JacobianColourRange(ReadOnlySpan<float> det)
    {
        // The 99th percentile of |log det| from a fine histogram: a colour range needs no exact order statistic, and
        // sorting a million determinants took longer than drawing the whole report.
        const int bins = 4096;
        double largest = 0;
        int count = 0;
        foreach (float v in det)
            if (v > 0 && float.IsFinite(v)) { largest = Math.Max(largest, Math.Abs(Math.Log(v))); count++; }
        if (count == 0 || !(largest > 0)) return 1.05;
        var histogram = new int[bins];
        foreach (float v in det)
            if (v > 0 && float.IsFinite(v)) histogram[Math.Min(bins - 1, (int)(Math.Abs(Math.Log(v)) / largest * bins))]++;
        long target = (long)(0.99 * (count - 1)), seen = 0;
        int bin = 0;
        for (; bin < bins - 1; bin++) { seen += histogram[bin]; if (seen > target) break; }
        return Math.Max(1.05, Math.Exp((bin + 1) * largest / bins));
    }

    private static double Normalised(double v, double lo, double hi) => hi > lo ? Math.Clamp((v - lo) / (hi - lo), 0, 1) : 0;

    /// <summary>Minimum and maximum over the finite values of both spans (0..1 when there are none).</summary>
    private static (double Lo, double Hi) Range(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (float v in a) if (float.IsFinite(v)) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        foreach (float v in b) if (float.IsFinite(v)) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        return lo <= hi ? (lo, hi) : (0, 1);
    }

    private static string Num(double v) => EnergyPlot.Number(v);
}
