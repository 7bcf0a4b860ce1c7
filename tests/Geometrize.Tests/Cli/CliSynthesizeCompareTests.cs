using System.Text.Json;
using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Registration;

namespace Geometrize.Tests.Cli;

/// <summary><c>synthesize</c> (known-answer test cases) and <c>compare</c> (end-point error, MSE/NCC).</summary>
public sealed class CliSynthesizeCompareTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("geometrize-cli-synth-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    // A smooth image, so that interpolating it twice (warp and warp back) loses little.
    private void WritePhantom(string name)
    {
        var g = new ImageGeometry([48, 48], [1.5, 1.5], [10, -4]);
        var d = new float[g.Count];
        for (int y = 0; y < g.Ny; y++)
            for (int x = 0; x < g.Nx; x++)
                d[g.Index(x, y)] = (float)(Math.Exp(-((x - 24.0) * (x - 24) + (y - 22.0) * (y - 22)) / 200) + 0.3 * Math.Sin(x / 5.0));
        ImageIO.Write(new Image(g, d), P(name));
    }

    private static double Json(string stdout, string key)
    {
        using var doc = JsonDocument.Parse(stdout);
        return doc.RootElement.GetProperty(key).GetDouble();
    }

    [Fact]
    public void SynthesizeWritesAMovingImageAndItsTrueDisplacement()
    {
        WritePhantom("fixed.nii.gz");
        var r = CliRunner.Run(_dir, "synthesize", "--fixed", "fixed.nii.gz", "--output", "case", "--amplitude", "3", "--smoothness", "8", "--seed", "4");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var truthImage = ImageIO.Read(P("case/true_displacement.nii.gz"));
        var moving = ImageIO.Read(P("case/moving.nii.gz"));
        var fixedImage = ImageIO.Read(P("fixed.nii.gz"));
        Assert.True(moving.Geometry.IsSameGrid(fixedImage.Geometry));
        var truth = DisplacementWarp.RequireDisplacement(truthImage, "truth");
        // The largest vector is the requested amplitude; the same seed gives the same field.
        double longest = 0;
        for (int i = 0; i < truth.Count; i++)
            longest = Math.Max(longest, Math.Sqrt(truth.Data[i] * truth.Data[i] + truth.Data[truth.Count + i] * truth.Data[truth.Count + i]));
        Assert.Equal(3.0, longest, 1e-4);
        var expected = SyntheticDeformation.Smooth(fixedImage.Geometry, 3, 8, 4);
        Assert.Equal(expected.Data, truth.Data);
        // moving(x + u(x)) = fixed(x): warping moving back by the truth reproduces the fixed image (away from edges).
        var back = DisplacementWarp.Warp(moving, truth, fixedImage.Geometry);
        double err = 0, scale = 0;
        var g = fixedImage.Geometry;
        for (int y = 4; y < g.Ny - 4; y++)
            for (int x = 4; x < g.Nx - 4; x++)
            {
                int i = g.Index(x, y);
                err += Math.Abs(back.Data[i] - fixedImage.Data[i]);
                scale += Math.Abs(fixedImage.Data[i]);
            }
        Assert.True(err < 0.01 * scale, $"round trip error {err} of {scale}");
    }

    [Fact]
    public void TextureWritesATexturedFixedImageThatTheMovingImageMatches()
    {
        WritePhantom("plain.nii.gz");
        var r = CliRunner.Run(_dir, "synthesize", "--fixed", "plain.nii.gz", "--output", "tex", "--amplitude", "2", "--texture", "0.3", "--seed", "5");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("fixed.nii.gz", r.StdOut);
        var plain = ImageIO.Read(P("plain.nii.gz"));
        var textured = ImageIO.Read(P("tex/fixed.nii.gz"));
        Assert.True(textured.Geometry.IsSameGrid(plain.Geometry));
        // Multiplicative: the ratio textured/plain varies (the texture) with a spread near the requested 0.3.
        var ratios = Enumerable.Range(0, plain.Data.Length).Where(i => plain.Data[i] > 0.2).Select(i => (double)textured.Data[i] / plain.Data[i]).ToArray();
        double mean = ratios.Average(), sd = Math.Sqrt(ratios.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(sd, 0.15, 0.45);
        Assert.InRange(mean, 0.8, 1.2);
        // The moving image is the textured one deformed: warping it back by the truth reproduces the textured image.
        var truth = DisplacementWarp.RequireDisplacement(ImageIO.Read(P("tex/true_displacement.nii.gz")), "truth");
        var back = DisplacementWarp.Warp(ImageIO.Read(P("tex/moving.nii.gz")), truth, plain.Geometry, WarpInterpolation.Cubic);
        var g = plain.Geometry;
        double err = 0, toPlain = 0;
        for (int y = 6; y < g.Ny - 6; y++)
            for (int x = 6; x < g.Nx - 6; x++)
            {
                int i = g.Index(x, y);
                err += Math.Abs(back.Data[i] - textured.Data[i]);
                toPlain += Math.Abs(back.Data[i] - plain.Data[i]);
            }
        Assert.True(err < 0.2 * toPlain, $"{err} vs {toPlain}");

        r = CliRunner.Run(_dir, "synthesize", "--fixed", "plain.nii.gz", "--output", "bad", "--texture", "1.5");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--texture", r.StdErr);
        Assert.False(Directory.Exists(P("bad")));
    }

    [Fact]
    public void CompareGivesZeroForTheTruthAndTheTrueMeanForZero()
    {
        WritePhantom("fixed.nii.gz");
        Assert.Equal(0, CliRunner.Run(_dir, "synthesize", "--fixed", "fixed.nii.gz", "--output", "case", "--amplitude", "2").ExitCode);
        var r = CliRunner.Run(_dir, "compare", "--displacement", "case/true_displacement.nii.gz", "--truth", "case/true_displacement.nii.gz", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal(0, Json(r.StdOut, "mean_voxel"), 12);
        double trueMean = Json(r.StdOut, "true_mean_voxel");
        Assert.True(trueMean > 0.05, r.StdOut);

        var g = ImageIO.Read(P("fixed.nii.gz")).Geometry;
        ImageIO.Write(Image.FromField(new VectorField<float>(g)), P("zero.nii.gz"));
        r = CliRunner.Run(_dir, "compare", "--displacement", "zero.nii.gz", "--truth", "case/true_displacement.nii.gz", "--json");
        Assert.Equal(trueMean, Json(r.StdOut, "mean_voxel"), 6);
        Assert.Equal(2.0 / 1.5, Json(r.StdOut, "max_voxel"), 3); // 2 mm on 1.5 mm voxels
        Assert.Equal(2.0, Json(r.StdOut, "max_mm"), 3);

        r = CliRunner.Run(_dir, "compare", "--image", "fixed.nii.gz", "--reference", "fixed.nii.gz", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal(0, Json(r.StdOut, "mse"), 12);
        Assert.Equal(1, Json(r.StdOut, "ncc"), 9);
        r = CliRunner.Run(_dir, "compare", "--image", "case/moving.nii.gz", "--reference", "fixed.nii.gz");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("mse ", r.StdOut);
    }

    [Fact]
    public void BadInputGivesClearErrors()
    {
        WritePhantom("fixed.nii.gz");
        ImageIO.Write(Image.FromField(Phantoms.SheppLogan2D(20)), P("small.nii.gz"));
        var r = CliRunner.Run(_dir, "synthesize", "--fixed", "fixed.nii.gz", "--output", "x", "--amplitude", "-1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--amplitude", r.StdErr);
        Assert.False(Directory.Exists(P("x")));
        r = CliRunner.Run(_dir, "synthesize", "--fixed", "missing.nii.gz", "--output", "x");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("missing.nii.gz", r.StdErr);
        r = CliRunner.Run(_dir, "compare", "--displacement", "fixed.nii.gz");
        Assert.Equal(2, r.ExitCode);
        r = CliRunner.Run(_dir, "compare", "--image", "fixed.nii.gz", "--reference", "small.nii.gz");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("same grid", r.StdErr);
        r = CliRunner.Run(_dir, "compare", "--displacement", "fixed.nii.gz", "--truth", "fixed.nii.gz");
        Assert.Equal(1, r.ExitCode); // a scalar image is not a displacement field
    }
}
