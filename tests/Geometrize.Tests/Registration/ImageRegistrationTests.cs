using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json;
using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Registration;

namespace Geometrize.Tests.Registration;

public sealed class ImageRegistrationTests : IDisposable
{
    private static readonly ProblemFactory<float> TestFactory = (f, m, d, s) => new DisplacementTestProblem<float>(f, m, d, s);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "geometrize-reg-" + Guid.NewGuid().ToString("N"));

    public ImageRegistrationTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>A pair in original units (×1000 + 50) on a grid with spacing, origin and a rotated direction.</summary>
    private static (Image Fixed, Image Moving) ImagePair(ImageGeometry? moving = null)
    {
        double c = Math.Cos(0.3), s = Math.Sin(0.3);
        var g = new ImageGeometry([48, 40], [1.1, 0.9], [10, -4], [c, -s, s, c]);
        var (f, m) = MultiscaleTests.Pair(g);
        var fixedImage = new Image(g, f.Data.Select(v => 1000 * v + 50).ToArray(), 1, PixelType.Int16);
        var movingImage = new Image(moving ?? g, m.Data.Select(v => 1000 * v + 50).ToArray(), 1, PixelType.Int16);
        return (fixedImage, movingImage);
    }

    private static RegistrationSettings Settings => MultiscaleTests.TestSettings([2, 1], [15, 8]);

    [Fact]
    public void RegistrationImprovesTheMatchAndReportsInOriginalUnits()
    {
        var (f, m) = ImagePair();
        var r = ImageRegistration.Run(f, m, Settings, TestFactory);
        Assert.Equal("displacement", r.Method);
        Assert.Equal(ImageRegistration.MeanSquaredError(f.Data, m.Data), r.MseBefore, 1e-6 * r.MseBefore);
        Assert.True(r.MseAfter < 0.02 * r.MseBefore, $"MSE {r.MseBefore} -> {r.MseAfter}");
        Assert.True(r.NccAfter > r.NccBefore);
        Assert.Equal(m.Data, r.MovingOnFixedGrid.Data); // same grid: identity resampling
        Assert.Equal(2, r.Displacement.Components);
        Assert.Equal(f.Geometry, r.Displacement.Geometry);
        Assert.Equal(f.Geometry, r.Jacobian.Geometry);
        Assert.True(r.JacobianMin > 0 && r.JacobianMax < 3 && r.JacobianMin <= r.JacobianMax);
        Assert.Equal(r.History.Count(h => h.Iteration > 0), r.Iterations);
        Assert.Null(r.Momentum);
        Assert.True(r.Seconds > 0);
    }

    [Theory]
    [InlineData(WarpInterpolation.Linear)]
    [InlineData(WarpInterpolation.Cubic)]
    public void WarpedIsTheOriginalMovingImageReadAtXPlusU(WarpInterpolation interpolation)
    {
        // The moving image lives on another grid (spacing, origin, no rotation), so warping composes both maps.
        var mg = new ImageGeometry([60, 50], [1.0, 0.8], [2, -12]);
        var (f, _) = ImagePair();
        var moving = new Image(mg, new float[mg.Count], 1);
        var rng = new Random(3);
        for (int y = 0; y < mg.Ny; y++)
            for (int x = 0; x < mg.Nx; x++)
                moving.Data[mg.Index(x, y)] = (float)(100 + 40 * Math.Sin(0.2 * x) * Math.Cos(0.15 * y) + rng.NextDouble());
        var r = ImageRegistration.Run(f, moving, Settings with { FinalInterpolation = interpolation }, TestFactory);
        var movingField = moving.AsScalarField();
        var coefficients = BSplineInterpolation.Coefficients(movingField.Convert<double>());
        var one = new VectorField<double>(ImageGeometry.Create2D(1, 1), 2);
        var value = new double[1];
        Span<double> idx = stackalloc double[2], p = stackalloc double[2], q = stackalloc double[2];
        var fg = f.Geometry;
        for (int k = 0; k < 200; k++)
        {
            int x = rng.Next(fg.Nx), y = rng.Next(fg.Ny), i = fg.Index(x, y);
            idx[0] = x; idx[1] = y;
            fg.IndexToPhysical(idx, p);
            p[0] += r.Displacement.Data[i];
            p[1] += r.Displacement.Data[fg.Count + i];
            fg.PhysicalToIndex(p, q);
            if (q[0] < 0 || q[1] < 0 || q[0] > fg.Nx - 1 || q[1] > fg.Ny - 1) continue; // clamped to the fixed box
            mg.PhysicalToIndex(p, q);
            if (q[0] < 0 || q[1] < 0 || q[0] > mg.Nx - 1 || q[1] > mg.Ny - 1) continue;
            one.Data[0] = q[0];
            one.Data[1] = q[1];
            BSplineInterpolation.Sample(coefficients.Data, mg, 1, one, value, BoundaryMode.Zero);
            double expected = interpolation == WarpInterpolation.Cubic ? value[0] : Bilinear(movingField, q[0], q[1]);
            Assert.Equal(expected, r.Warped.Data[i], 1e-2);
        }
    }

    [Fact]
    public void ZeroIterationsGiveTheIdentity()
    {
        var mg = new ImageGeometry([52, 44], [1.0, 1.0], [5, -10]);
        var (f, _) = ImagePair();
        var moving = new Image(mg, Enumerable.Range(0, mg.Count).Select(i => (float)(i % 17)).ToArray(), 1);
        // Linear final reading: the warped image is then the linearly resampled moving image exactly.
        var r = ImageRegistration.Run(f, moving, MultiscaleTests.TestSettings([2, 1], [0, 0]) with { FinalInterpolation = WarpInterpolation.Linear }, TestFactory);
        Assert.True(r.Displacement.Data.All(v => Math.Abs(v) < 1e-4));
        Assert.True(r.InverseDisplacement.Data.All(v => Math.Abs(v) < 1e-4));
        Assert.Equal(1, r.JacobianMin, 4);
        Assert.Equal(1, r.JacobianMax, 4);
        for (int i = 0; i < f.Geometry.Count; i++) Assert.Equal(r.MovingOnFixedGrid.Data[i], r.Warped.Data[i], 2e-3);
        Assert.Equal(r.MseBefore, r.MseAfter, 1e-3 * r.MseBefore);
        Assert.Equal(0, r.Iterations);
    }

    [Fact]
    public void MismatchedDimensionsAreRefused()
    {
        var (f, _) = ImagePair();
        var m3 = new Image(ImageGeometry.Create3D(20, 20, 10), new float[4000], 1);
        var e = Assert.Throws<GridMismatchException>(() => ImageRegistration.Run(f, m3, Settings, TestFactory));
        Assert.Contains("2-D", e.Message);
        Assert.Contains("3-D", e.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NonFiniteVoxelsAreRefusedNamingTheImage(bool inFixed)
    {
        var (f, m) = ImagePair();
        (inFixed ? f : m).Data[37] = inFixed ? float.NaN : float.PositiveInfinity;
        var e = Assert.ThrowsAny<GeometrizeException>(() => ImageRegistration.Run(f, m, Settings, TestFactory));
        Assert.Contains(inFixed ? "fixed image" : "moving image", e.Message);
        Assert.Contains("non-finite", e.Message);
    }

    [Fact]
    public void ImagesThatDoNotOverlapAreRefused()
    {
        var (f, _) = ImagePair();
        var far = new ImageGeometry([48, 40], [1.1, 0.9], [5000, 5000]);
        var m = new Image(far, new float[far.Count].Select((_, i) => (float)i).ToArray(), 1);
        var e = Assert.ThrowsAny<GeometrizeException>(() => ImageRegistration.Run(f, m, Settings, TestFactory));
        Assert.Contains("overlap", e.Message);
        Assert.Equal(0, ImageRegistration.Overlap(f.Geometry, far));
        Assert.Equal(1, ImageRegistration.Overlap(f.Geometry, f.Geometry));
    }

    [Fact]
    public void VectorImagesAndUnknownMethodsAreRefused()
    {
        var (f, m) = ImagePair();
        var v = new Image(f.Geometry, new float[2 * f.Geometry.Count], 2);
        Assert.Equal("--fixed", Assert.Throws<InvalidParameterException>(() => ImageRegistration.Run(v, m, Settings, TestFactory)).Parameter);
        Assert.Equal("--moving", Assert.Throws<InvalidParameterException>(() => ImageRegistration.Run(f, v, Settings, TestFactory)).Parameter);
        var e = Assert.Throws<InvalidParameterException>(() => RegistrationProblems.FactoryFor((RegistrationMethod)99));
        Assert.Equal("--method", e.Parameter);
        Assert.Contains("not available in this build", e.Message);
        Assert.Equal("--sigma", Assert.Throws<InvalidParameterException>(() => ImageRegistration.Run(f, m, Settings with { Sigma = -1 }, TestFactory)).Parameter);
    }

    [Fact]
    public void OutputsAreWrittenWithTheExpectedNamesAndShapes()
    {
        var (f, m) = ImagePair();
        var r = ImageRegistration.Run(f, m, Settings, TestFactory);
        string outDir = Path.Combine(_dir, "out", "nested");
        var written = RegistrationOutputs.Write(r, f, outDir, "fixed.mha");
        string[] expected = ["warped.nii.gz", "warped.mha", "displacement.nii.gz", "inverse_displacement.nii.gz", "jacobian.nii.gz", "energy.csv", "summary.json"];
        Assert.Equal(expected.Order(), written.Select(Path.GetFileName).Order());
        Assert.Equal(expected.Order(), Directory.GetFiles(outDir).Select(Path.GetFileName).Order());
        Assert.Empty(Directory.GetDirectories(Path.Combine(_dir, "out"), ".*"));

        var warped = ImageIO.Read(Path.Combine(outDir, "warped.nii.gz"));
        Assert.Equal(r.Warped.Data, warped.Data);
        Assert.Equal(r.Warped.Data, ImageIO.Read(Path.Combine(outDir, "warped.mha")).Data);
        Assert.True(warped.Geometry.IsSameGrid(f.Geometry));
        var jac = ImageIO.Read(Path.Combine(outDir, "jacobian.nii.gz"));
        Assert.Equal(r.Jacobian.Data, jac.Data);

        string[] csv = File.ReadAllLines(Path.Combine(outDir, "energy.csv"));
        Assert.Equal("level,iteration,regularity,data,total,seconds", csv[0]);
        Assert.Equal(r.History.Count + 1, csv.Length);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var root = json.RootElement;
        foreach (string key in new[] { "method", "seconds", "iterations", "mse_before", "mse_after", "ncc_before", "ncc_after",
                     "jacobian_min", "jacobian_max", "energy_regularity", "energy_data", "settings" })
            Assert.True(root.TryGetProperty(key, out _), key);
        Assert.Equal(r.MseAfter, root.GetProperty("mse_after").GetDouble(), 1e-9 * r.MseAfter);
        Assert.Equal(r.Iterations, root.GetProperty("iterations").GetInt32());
        Assert.Equal("2x1", root.GetProperty("settings").GetProperty("shrink").GetString());

        // Writing again into the existing folder replaces the files and leaves no staging folder.
        RegistrationOutputs.Write(r, f, outDir, "fixed.nii.gz");
        Assert.Empty(Directory.GetDirectories(Path.Combine(_dir, "out"), ".*"));
    }

    [Fact]
    public void DisplacementReadsBackInItkLayout()
    {
        var (f, m) = ImagePair();
        var r = ImageRegistration.Run(f, m, Settings, TestFactory);
        string outDir = Path.Combine(_dir, "itk");
        RegistrationOutputs.Write(r, f, outDir, "fixed.nii.gz");
        foreach (var (name, field) in new[] { ("displacement.nii.gz", r.Displacement), ("inverse_displacement.nii.gz", r.InverseDisplacement) })
        {
            string path = Path.Combine(outDir, name);
            var back = ImageIO.Read(path);
            Assert.Equal(2, back.Components);
            Assert.True(back.Geometry.IsSameGrid(f.Geometry));
            Assert.Equal(field.Data, back.Data);
            // NIfTI-1 header: dim[0] = 5, dim[5] = d, intent vector (1007), float32 (16).
            using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            var header = new byte[348];
            gz.ReadExactly(header);
            Assert.Equal(5, BinaryPrimitives.ReadInt16LittleEndian(header.AsSpan(40)));
            Assert.Equal(2, BinaryPrimitives.ReadInt16LittleEndian(header.AsSpan(40 + 2 * 5)));
            Assert.Equal(1007, BinaryPrimitives.ReadInt16LittleEndian(header.AsSpan(68)));
            Assert.Equal(16, BinaryPrimitives.ReadInt16LittleEndian(header.AsSpan(70)));
        }
    }

    [Fact]
    public void PngInputsGetAPngPreviewToo()
    {
        Geometrize.Reports.GeometrizeReports.RegisterFormats();
        var g = ImageGeometry.Create2D(40, 36);
        var (ff, mf) = MultiscaleTests.Pair(g);
        var f = new Image(g, ff.Data.Select(v => MathF.Round(200 * v)).ToArray(), 1, PixelType.UInt8);
        var m = new Image(g, mf.Data.Select(v => MathF.Round(200 * v)).ToArray(), 1, PixelType.UInt8);
        var r = ImageRegistration.Run(f, m, Settings, TestFactory);
        string outDir = Path.Combine(_dir, "png");
        var written = RegistrationOutputs.Write(r, f, outDir, "brain.png");
        Assert.Contains(written, p => p.EndsWith("warped.png", StringComparison.Ordinal));
        Assert.Contains(written, p => p.EndsWith("warped.nii.gz", StringComparison.Ordinal));
        var preview = ImageIO.Read(Path.Combine(outDir, "warped.png"));
        for (int i = 0; i < g.Count; i++) Assert.Equal(MathF.Round(Math.Clamp(r.Warped.Data[i], 0, 255)), preview.Data[i]);
    }

    [Fact]
    public void UnwritableOutputFailsAndLeavesNothing()
    {
        var (f, m) = ImagePair();
        var r = ImageRegistration.Run(f, m, MultiscaleTests.TestSettings([1], [2]), TestFactory);
        string file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "x");
        string under = Path.Combine(file, "out");
        var e = Assert.ThrowsAny<GeometrizeException>(() => RegistrationOutputs.Write(r, f, under, "fixed.nii.gz"));
        Assert.Contains(under, e.Message);
        Assert.Equal(["a-file"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));
        Assert.Equal("x", File.ReadAllText(file));
        // The output path itself being a file is refused too.
        Assert.ThrowsAny<GeometrizeException>(() => RegistrationOutputs.Write(r, f, file, "fixed.nii.gz"));
        Assert.Equal(["a-file"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void SummaryJsonWritesNullForNonFiniteValues()
    {
        var (f, m) = ImagePair();
        var r = ImageRegistration.Run(f, m, MultiscaleTests.TestSettings([1], [1]), TestFactory);
        var odd = new RegistrationResult
        {
            Method = r.Method, Settings = r.Settings, Seconds = r.Seconds, Iterations = r.Iterations, History = r.History,
            FinalEnergy = r.FinalEnergy, Warped = r.Warped, MovingOnFixedGrid = r.MovingOnFixedGrid, Displacement = r.Displacement,
            InverseDisplacement = r.InverseDisplacement, Jacobian = r.Jacobian, MseBefore = r.MseBefore, MseAfter = r.MseAfter,
            NccBefore = double.NaN, NccAfter = r.NccAfter,
        };
        using var json = JsonDocument.Parse(RegistrationOutputs.SummaryJson(odd));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("ncc_before").ValueKind);
    }

    [SkippableFact]
    public void RealBrainPairRunsThroughThePipeline()
    {
        // The ITK brain slices (221×257 PNG) with the test problem: checks reading, normalisation, outputs on real data.
        Geometrize.Reports.GeometrizeReports.RegisterFormats();
        string fixedPath = TestData.Require("itk/BrainProtonDensitySliceBorder20.png");
        string movingPath = TestData.Require("itk/BrainProtonDensitySliceBSplined10.png");
        var f = ImageIO.Read(fixedPath);
        var m = ImageIO.Read(movingPath);
        var r = ImageRegistration.Run(f, m, MultiscaleTests.TestSettings([4, 2, 1], [20, 10, 5]) with { Metric = new(Alpha: 40) }, TestFactory);
        // MSE before in the original 0–255 units is the 1309; the test problem (a plain displacement, not a
        // diffeomorphism) only has to lower it clearly — its Jacobian may fold, so only finiteness is checked.
        Assert.Equal(1309.5, r.MseBefore, 0.5);
        Assert.True(r.MseAfter < 0.2 * r.MseBefore, $"MSE {r.MseBefore} -> {r.MseAfter}");
        Assert.True(double.IsFinite(r.JacobianMin) && double.IsFinite(r.JacobianMax));
        var written = RegistrationOutputs.Write(r, f, Path.Combine(_dir, "brain"), fixedPath);
        Assert.Equal(7, written.Count); // warped.nii.gz, warped.png, both displacements, jacobian, energy.csv, summary.json
    }

    private static double Bilinear(ScalarField<float> f, double x, double y)
    {
        int x0 = Math.Min((int)Math.Floor(x), f.Geometry.Nx - 2), y0 = Math.Min((int)Math.Floor(y), f.Geometry.Ny - 2);
        double fx = x - x0, fy = y - y0;
        return (1 - fx) * (1 - fy) * f[x0, y0] + fx * (1 - fy) * f[x0 + 1, y0] + (1 - fx) * fy * f[x0, y0 + 1] + fx * fy * f[x0 + 1, y0 + 1];
    }
}
