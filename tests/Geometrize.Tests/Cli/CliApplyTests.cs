using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Reports;

namespace Geometrize.Tests.Cli;

/// <summary><c>apply</c>: warping files with a displacement field (the library part is tested in DisplacementWarpTests).</summary>
public sealed class CliApplyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("geometrize-cli-apply-").FullName;

    public CliApplyTests() => GeometrizeReports.RegisterFormats();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static Image Pattern(ImageGeometry g)
    {
        var d = new float[g.Count];
        for (int y = 0; y < g.Ny; y++) for (int x = 0; x < g.Nx; x++) d[g.Index(x, y)] = (float)(10 + 3 * x + 0.5 * y * y);
        return new Image(g, d);
    }

    [Fact]
    public void ZeroFieldInAFolderReproducesTheInput_ShiftMovesByExpectedVoxels()
    {
        var g = new ImageGeometry([20, 16], [0.5, 2.0], [3, -1]);
        var input = Pattern(g);
        ImageIO.Write(input, P("in.nii.gz"));
        Directory.CreateDirectory(P("reg"));
        ImageIO.Write(Image.FromField(new VectorField<float>(g)), P("reg/displacement.nii.gz"));
        var shift = new VectorField<float>(g);
        shift.Component(0).Fill(1.5f); // 3 voxels of 0.5 mm
        shift.Component(1).Fill(-2f);  // −1 voxel of 2 mm
        ImageIO.Write(Image.FromField(shift), P("shift.nii.gz"));

        var r = CliRunner.Run(_dir, "apply", "--transform", "reg", "--input", "in.nii.gz", "--reference", "in.nii.gz", "--output", "same.nii.gz");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("float32", r.StdOut);
        var same = ImageIO.Read(P("same.nii.gz"));
        Assert.True(same.Geometry.IsSameGrid(g));
        for (int i = 0; i < g.Count; i++) Assert.Equal(input.Data[i], same.Data[i], 1e-3f);

        r = CliRunner.Run(_dir, "apply", "--transform", "shift.nii.gz", "--input", "in.nii.gz", "--reference", "in.nii.gz", "--output", "moved.nii.gz");
        Assert.Equal(0, r.ExitCode);
        var moved = ImageIO.Read(P("moved.nii.gz"));
        for (int y = 1; y < 16; y++)
            for (int x = 0; x < 17; x++)
                Assert.Equal(input.Data[g.Index(x + 3, y - 1)], moved.Data[g.Index(x, y)], 1e-3f);
    }

    [Fact]
    public void NearestKeepsLabelsAndTheirTypeInPng()
    {
        var g = ImageGeometry.Create2D(30, 24);
        var labels = new float[g.Count];
        for (int y = 0; y < 24; y++) for (int x = 0; x < 30; x++) labels[g.Index(x, y)] = (x / 6 + y / 8) % 3 * 100 + 7;
        ImageIO.Write(new Image(g, labels, 1, PixelType.UInt8), P("labels.png"));
        var u = new VectorField<float>(g);
        for (int i = 0; i < g.Count; i++) { u.Component(0)[i] = 1.3f * MathF.Sin(i * 0.05f); u.Component(1)[i] = 0.7f; }
        ImageIO.Write(Image.FromField(u), P("u.nii.gz"));
        var r = CliRunner.Run(_dir, "apply", "--transform", "u.nii.gz", "--input", "labels.png", "--reference", "labels.png", "--output", "out.png", "--nearest");
        Assert.Equal(0, r.ExitCode);
        var o = ImageIO.Read(P("out.png"));
        Assert.Equal(PixelType.UInt8, o.SourceType);
        Assert.All(o.Data, v => Assert.Contains(v, new[] { 0f, 7f, 107f, 207f }));
        Assert.Contains(o.Data, v => v == 207f);
    }

    [Fact]
    public void DimensionAndComponentMismatchesAreClearErrors()
    {
        var g2 = ImageGeometry.Create2D(10, 8);
        ImageIO.Write(Pattern(g2), P("a.nii.gz"));
        ImageIO.Write(Image.FromField(new VectorField<float>(ImageGeometry.Create3D(10, 8, 4))), P("u3.nii.gz"));
        var r = CliRunner.Run(_dir, "apply", "--transform", "u3.nii.gz", "--input", "a.nii.gz", "--reference", "a.nii.gz", "--output", "o.nii.gz");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("u3.nii.gz", r.StdErr);
        Assert.Contains("same dimension", r.StdErr);
        // A scalar image is not a displacement field.
        r = CliRunner.Run(_dir, "apply", "--transform", "a.nii.gz", "--input", "a.nii.gz", "--reference", "a.nii.gz", "--output", "o.nii.gz");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("a.nii.gz", r.StdErr);
        Assert.Contains("displacement field needs 2", r.StdErr);
        // A folder without displacement.nii.gz.
        Directory.CreateDirectory(P("empty"));
        r = CliRunner.Run(_dir, "apply", "--transform", "empty", "--input", "a.nii.gz", "--reference", "a.nii.gz", "--output", "o.nii.gz");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--transform", r.StdErr);
        Assert.False(File.Exists(P("o.nii.gz")));
    }

    [Fact]
    public void CubicReadsTheShiftedPatternExactlyAndBadInterpolationIsAClearError()
    {
        // The pattern is quadratic in y and linear in x: the cubic B-spline reproduces it exactly at a half-voxel shift
        // (away from the mirrored border), where linear reading is off by the curvature term.
        var g = ImageGeometry.Create2D(24, 24);
        var input = Pattern(g);
        ImageIO.Write(input, P("in.nii.gz"));
        var shift = new VectorField<float>(g);
        shift.Component(1).Fill(0.5f);
        ImageIO.Write(Image.FromField(shift), P("half.nii.gz"));
        var r = CliRunner.Run(_dir, "apply", "--transform", "half.nii.gz", "--input", "in.nii.gz", "--reference", "in.nii.gz",
            "--output", "cubic.nii.gz", "--interpolation", "cubic");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("cubic", r.StdOut);
        r = CliRunner.Run(_dir, "apply", "--transform", "half.nii.gz", "--input", "in.nii.gz", "--reference", "in.nii.gz", "--output", "linear.nii.gz");
        Assert.Equal(0, r.ExitCode);
        var cubic = ImageIO.Read(P("cubic.nii.gz"));
        var linear = ImageIO.Read(P("linear.nii.gz"));
        for (int y = 8; y < 16; y++)
            for (int x = 8; x < 16; x++)
            {
                double truth = 10 + 3 * x + 0.5 * (y + 0.5) * (y + 0.5);
                Assert.Equal(truth, cubic.Data[g.Index(x, y)], 2e-3);
                Assert.Equal(truth + 0.125, linear.Data[g.Index(x, y)], 2e-3);
            }

        r = CliRunner.Run(_dir, "apply", "--transform", "half.nii.gz", "--input", "in.nii.gz", "--reference", "in.nii.gz", "--output", "bad.nii.gz",
            "--interpolation", "quintic");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--interpolation", r.StdErr);
        Assert.Contains("linear, cubic or nearest", r.StdErr);
        r = CliRunner.Run(_dir, "apply", "--transform", "half.nii.gz", "--input", "in.nii.gz", "--reference", "in.nii.gz", "--output", "bad.nii.gz",
            "--interpolation", "cubic", "--nearest");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--nearest", r.StdErr);
        Assert.False(File.Exists(P("bad.nii.gz")));
    }
}
