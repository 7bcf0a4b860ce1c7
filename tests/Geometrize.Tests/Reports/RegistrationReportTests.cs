using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Registration;
using Geometrize.Reports;
using Geometrize.Reports.Raster;
using SixLabors.ImageSharp.PixelFormats;
using IsImage = SixLabors.ImageSharp.Image;

namespace Geometrize.Tests.Reports;

public sealed class RegistrationReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("geometrize-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// A hand-made result: fixed = a smoothed phantom, moving = fixed deformed by a known smooth u, warped = moving
    /// pulled back by u (≈ fixed), Jacobian of u, three levels of decreasing energies.
    /// </summary>
    private static (RegistrationResult Result, Image Fixed, Image Moving) Synthetic(ImageGeometry g, ScalarField<float> phantom, double amplitude)
    {
        var fixedImage = Image.FromField(phantom);
        var u = SyntheticDeformation.Smooth(g, amplitude, 4 * g.Spacing.ToArray().Max() + 4, seed: 11);
        var moving = SyntheticDeformation.MovingImage(fixedImage, u);
        var warped = DisplacementWarp.Warp(moving, u, g);
        var det = new ScalarField<float>(g);
        Jacobian.DisplacementDeterminant(u, det);
        var history = new List<EnergyRecord>();
        for (int level = 0; level < 3; level++)
            for (int it = 0; it <= 6; it++)
                history.Add(new EnergyRecord(level, it, new EnergySplit(0.5 * it + level, 40.0 / (1 + it + 3 * level)), 0.1 * history.Count));
        var result = new RegistrationResult
        {
            Method = "shooting",
            Settings = new RegistrationSettings(),
            Seconds = 1.25,
            Iterations = 18,
            History = history,
            FinalEnergy = history[^1].Energy,
            Warped = warped,
            MovingOnFixedGrid = moving,
            Displacement = u,
            InverseDisplacement = SyntheticDeformation.Invert(u),
            Jacobian = det,
            MseBefore = 0.01,
            MseAfter = 0.0001,
            NccBefore = 0.9,
            NccAfter = 0.999,
            JacobianMin = det.Data.Min(),
            JacobianMax = det.Data.Max(),
        };
        return (result, fixedImage, moving);
    }

    private static double Variance(SixLabors.ImageSharp.Image<Rgb24> img, int x0, int y0, int w, int h)
    {
        double s = 0, s2 = 0;
        for (int y = y0; y < y0 + h; y++)
            for (int x = x0; x < x0 + w; x++)
            {
                var p = img[x, y];
                double v = (p.R + p.G + p.B) / 3.0;
                s += v;
                s2 += v * v;
            }
        double n = (double)w * h;
        return s2 / n - (s / n) * (s / n);
    }

    private static int Count(SixLabors.ImageSharp.Image<Rgb24> img, int x0, int y0, int w, int h, Func<Rgb24, bool> pred)
    {
        int c = 0;
        for (int y = y0; y < y0 + h; y++)
            for (int x = x0; x < x0 + w; x++)
                if (pred(img[x, y])) c++;
        return c;
    }

    private static void AssertPanelsDrawn(SixLabors.ImageSharp.Image<Rgb24> img, int rows)
    {
        for (int row = 0; row < rows; row++)
            for (int col = 0; col < RegistrationReport.Columns; col++)
            {
                int x = col * RegistrationReport.CellWidth + RegistrationReport.Margin;
                int y = RegistrationReport.HeaderHeight + row * RegistrationReport.CellHeight + RegistrationReport.TitleHeight;
                double v = Variance(img, x, y, RegistrationReport.PanelSize, RegistrationReport.PanelSize);
                Assert.True(v > 50, $"panel row {row} column {col} looks blank (variance {v})");
                // The title band holds text: some dark pixels.
                Assert.True(Count(img, x, y - RegistrationReport.TitleHeight, RegistrationReport.PanelSize, RegistrationReport.TitleHeight,
                    p => p.R < 100 && p.G < 100 && p.B < 100) > 20, $"panel row {row} column {col} has no title");
            }
        int top = RegistrationReport.HeaderHeight + rows * RegistrationReport.CellHeight;
        // Energy row: curves in black, blue and red.
        Assert.True(Count(img, 0, top + 30, img.Width, RegistrationReport.CellHeight - 40, p => p.B > 150 && p.R < 100) > 50, "no regularity curve");
        Assert.True(Count(img, 0, top + 30, img.Width, RegistrationReport.CellHeight - 40, p => p.R > 150 && p.G < 100 && p.B < 100) > 50, "no data curve");
    }

    [Fact]
    public void Renders2DReportWithEveryPanel()
    {
        var g = ImageGeometry.Create2D(64, 64);
        var (result, f, m) = Synthetic(g, Phantoms.SheppLogan2D(64), 3);
        string path = Path.Combine(_dir, "report.png");
        RegistrationReport.Render(result, f, path);
        using var img = IsImage.Load<Rgb24>(path);
        var (w, h) = RegistrationReport.CanvasSize(2);
        Assert.Equal((w, h), (img.Width, img.Height));
        Assert.Equal(RegistrationReport.Columns * RegistrationReport.CellWidth, w);
        Assert.Equal(RegistrationReport.HeaderHeight + 2 * RegistrationReport.CellHeight, h);
        AssertPanelsDrawn(img, 1);

        // The Jacobian panel shows both compression (blue) and expansion (red) of this random field.
        int jx = 6 * RegistrationReport.CellWidth + RegistrationReport.Margin, jy = RegistrationReport.HeaderHeight + RegistrationReport.TitleHeight;
        int size = RegistrationReport.PanelSize;
        Assert.True(Count(img, jx, jy, size, size, p => p.B > p.R + 20) > 100, "no compression colour");
        Assert.True(Count(img, jx, jy, size, size, p => p.R > p.B + 20) > 100, "no expansion colour");
        // The deformed grid panel has grid lines.
        int gx = 5 * RegistrationReport.CellWidth + RegistrationReport.Margin;
        Assert.True(Count(img, gx, jy, size, size, p => p.R > 200 && p.G > 150 && p.B < 60) > 500, "no grid lines");
        // |fixed − warped| is darker than |fixed − moving| (same scale): the before/after difference is visible.
        double Mean(int col) => Count(img, col * RegistrationReport.CellWidth + RegistrationReport.Margin, jy, size, size, p => p.R > 60);
        Assert.True(Mean(4) < Mean(3), "the difference after should be smaller than before");
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Renders3DReportWithThreeViews()
    {
        var g = ImageGeometry.Create3D(32, 28, 20, 1, 1, 1.5);
        var phantom = Phantoms.SheppLogan3D(32);
        // Resample the cubic phantom onto the anisotropic grid so the slices are not all alike.
        var onGrid = new ScalarField<float>(g);
        Resampling.ResampleLinear(phantom, onGrid);
        var (result, f, m) = Synthetic(g, onGrid, 2);
        string path = Path.Combine(_dir, "report3d.png");
        RegistrationReport.Render(result, f, m, path);
        using var img = IsImage.Load<Rgb24>(path);
        Assert.Equal(RegistrationReport.CanvasSize(3), (img.Width, img.Height));
        Assert.Equal(RegistrationReport.HeaderHeight + 4 * RegistrationReport.CellHeight, img.Height);
        AssertPanelsDrawn(img, 3);
    }

    [Fact]
    public void MismatchedGridsAndUnwritableFolderAreClearErrors()
    {
        var g = ImageGeometry.Create2D(32, 32);
        var (result, f, m) = Synthetic(g, Phantoms.Disc(32, 10), 2);
        var other = new Image(ImageGeometry.Create2D(30, 32), new float[30 * 32]);
        Assert.Throws<GridMismatchException>(() => RegistrationReport.Render(result, f, other, Path.Combine(_dir, "x.png")));
        var e = Assert.Throws<ImageFormatException>(() => RegistrationReport.Render(result, f, m, Path.Combine(_dir, "missing", "x.png")));
        Assert.Contains("does not exist", e.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void EmptyHistoryStillRenders()
    {
        var g = ImageGeometry.Create2D(24, 16, 2, 1);
        var (result, f, m) = Synthetic(g, Phantoms.Disc(24, 8).Convert<float>() is var disc ? Resampled(disc, g) : null!, 2);
        var empty = new RegistrationResult
        {
            Method = result.Method, Settings = result.Settings, Seconds = 0, Iterations = 0, History = [], FinalEnergy = default,
            Warped = result.Warped, MovingOnFixedGrid = m, Displacement = result.Displacement, InverseDisplacement = result.InverseDisplacement,
            Jacobian = result.Jacobian, MseBefore = 0, MseAfter = 0, NccBefore = 1, NccAfter = 1,
        };
        var canvas = RegistrationReport.Draw(empty, f, m);
        Assert.Equal(RegistrationReport.CanvasSize(2), (canvas.Width, canvas.Height));
    }

    [Fact]
    public void RendersTheResultOfTheRegistrationPipeline()
    {
        // A real result from ImageRegistration with the driver's test problem (a displacement parameterisation),
        // so the report is checked on what the pipeline produces, not only on hand-made results.
        var g = ImageGeometry.Create2D(48, 40, 1.5, 1);
        var fixedImage = Image.FromField(Resampled(Phantoms.SheppLogan2D(64), g));
        var u = SyntheticDeformation.Smooth(g, 2, 10, seed: 3);
        var moving = SyntheticDeformation.MovingImage(fixedImage, u);
        var settings = new RegistrationSettings { Shrink = [2, 1], Iterations = [10, 10], Metric = new(Alpha: 0.5) };
        var result = ImageRegistration.Run(fixedImage, moving, settings,
            (f, m, dt, s) => new Geometrize.Tests.Registration.DisplacementTestProblem<float>(f, m, dt, s));
        string path = Path.Combine(_dir, "pipeline.png");
        RegistrationReport.Render(result, fixedImage, path);
        using var img = IsImage.Load<Rgb24>(path);
        Assert.Equal(RegistrationReport.CanvasSize(2), (img.Width, img.Height));
        AssertPanelsDrawn(img, 1);
    }

    private static ScalarField<float> Resampled(ScalarField<float> s, ImageGeometry g)
    {
        var r = new ScalarField<float>(g);
        Resampling.ResampleLinear(s, r);
        return r;
    }

    [Fact]
    public void CanvasLinesAndTextLandWhereExpected()
    {
        var c = new Canvas(40, 20, ColorMaps.White);
        c.Line(2, 3, 12, 3, ColorMaps.Black);
        for (int x = 2; x <= 12; x++) Assert.Equal(ColorMaps.Black, c[x, 3]);
        Assert.Equal(ColorMaps.White, c[13, 3]);
        c.Line(-100, -100, 1e300, double.NaN, ColorMaps.Red); // clipped / ignored, no exception
        c.Line(0, 10, 39, 10, ColorMaps.Blue, dash: 2);
        Assert.Equal(ColorMaps.Blue, c[0, 10]);
        Assert.Equal(ColorMaps.White, c[2, 10]);
        Assert.Equal(ColorMaps.Blue, c[4, 10]);
        int end = c.Text(20, 5, "1|", ColorMaps.Red);
        Assert.Equal(20 + 2 * BitmapFont.Advance, end);
        // '1' has its stem in the middle column; '|' likewise: both columns set in row 3.
        Assert.Equal(ColorMaps.Red, c[22, 8]);
        Assert.Equal(ColorMaps.Red, c[28, 8]);
        // Lower case is drawn as upper case; unknown characters as '?'.
        Assert.True(BitmapFont.Glyph('a').SequenceEqual(BitmapFont.Glyph('A')));
        Assert.True(BitmapFont.Glyph('\u00e9').SequenceEqual(BitmapFont.Glyph('?')));
        foreach (char ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.-+=:/()|%<>_[]*#")
            Assert.False(BitmapFont.Glyph(ch).SequenceEqual(BitmapFont.Glyph('?')) && ch != '?', $"glyph {ch} missing");
    }
}
