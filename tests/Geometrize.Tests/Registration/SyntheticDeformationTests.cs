using Geometrize.Imaging;
using Geometrize.Numerics;
using Geometrize.Registration;

namespace Geometrize.Tests.Registration;

public class SyntheticDeformationTests
{
    private static double MaxLength(VectorField<float> u)
    {
        int d = u.Components, n = u.Count;
        double m = 0;
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int c = 0; c < d; c++) s += u.Data[c * n + i] * (double)u.Data[c * n + i];
            m = Math.Max(m, s);
        }
        return Math.Sqrt(m);
    }

    [Fact]
    public void SmoothFieldHasTheRequestedAmplitudeIsDeterministicAndInvertible()
    {
        var g = ImageGeometry.Create2D(64, 48, 1, 1.5);
        var u = SyntheticDeformation.Smooth(g, 3, 8, seed: 7);
        Assert.Equal(3, MaxLength(u), 1e-5);
        Assert.Equal(u.Data, SyntheticDeformation.Smooth(g, 3, 8, seed: 7).Data);
        Assert.NotEqual(u.Data, SyntheticDeformation.Smooth(g, 3, 8, seed: 8).Data);
        var det = new ScalarField<float>(g);
        Jacobian.DisplacementDeterminant(u, det);
        Assert.True(det.Data.Min() > 0);
        // Tapered: the outermost voxels move far less than the interior maximum.
        Assert.True(Math.Abs(u.Component(0)[g.Index(0, 20)]) < 0.2 && Math.Abs(u.Component(1)[g.Index(30, 47)]) < 0.2);

        var g3 = ImageGeometry.Create3D(24, 20, 16, 1, 1, 2);
        Assert.Equal(2, MaxLength(SyntheticDeformation.Smooth(g3, 2, 6, seed: 1)), 1e-5);
    }

    [Fact]
    public void FoldingFieldIsRejected()
    {
        var g = ImageGeometry.Create2D(64, 64);
        var e = Assert.Throws<InvalidParameterException>(() => SyntheticDeformation.Smooth(g, 40, 2, seed: 3));
        Assert.Equal("amplitude", e.Parameter);
        Assert.Throws<InvalidParameterException>(() => SyntheticDeformation.Smooth(g, -1, 2, seed: 3));
    }

    [Fact]
    public void InverseComposesToTheIdentityBothWays()
    {
        var g = ImageGeometry.Create2D(48, 40, 0.8, 1.2);
        var u = SyntheticDeformation.Smooth(g, 4, 8, seed: 2);
        var w = SyntheticDeformation.Invert(u, tolerance: 1e-4);
        var uw = new VectorField<float>(g);
        var wu = new VectorField<float>(g);
        DisplacementFields.Compose(u, w, uw); // w + u∘(Id + w)
        DisplacementFields.Compose(w, u, wu); // u + w∘(Id + u)
        Assert.True(MaxLength(uw) < 1e-3, $"u after w: {MaxLength(uw)}");
        // The other order is exact only up to interpolation error of w (linear, smooth field, steepest
        // near the tapered border), and only inside:
        // border points may map outside the grid where w is read clamped.
        double interior = 0;
        for (int y = 2; y < 38; y++)
            for (int x = 2; x < 46; x++)
                interior = Math.Max(interior, Math.Sqrt(Math.Pow(wu.Component(0)[g.Index(x, y)], 2) + Math.Pow(wu.Component(1)[g.Index(x, y)], 2)));
        // Measured 0.042 mm; the naive inverse w = −u would be off by |u|·|Du| ≈ 1 mm here.
        Assert.True(interior < 0.08, $"w after u: {interior}");
    }

    [Fact]
    public void MovingImageSatisfiesMovingOfXPlusUEqualsFixed()
    {
        var g = ImageGeometry.Create2D(64, 64);
        var fixedImage = Image.FromField(Phantoms.Disc(64, 18, antialias: true));
        var blurred = new ScalarField<float>(g);
        GaussianSmoothing.Smooth(fixedImage.AsScalarField(), blurred, 2);
        fixedImage = Image.FromField(blurred);
        var u = SyntheticDeformation.Smooth(g, 3, 10, seed: 4);
        var moving = SyntheticDeformation.MovingImage(fixedImage, u);
        double before = 0, after = 0;
        var back = DisplacementWarp.Warp(moving, u, g);
        for (int i = 0; i < g.Count; i++)
        {
            before = Math.Max(before, Math.Abs(moving.Data[i] - fixedImage.Data[i]));
            after = Math.Max(after, Math.Abs(back.Data[i] - fixedImage.Data[i]));
        }
        Assert.True(before > 0.1, $"the deformation should change the image ({before})");
        Assert.True(after < 0.02, $"moving(x + u(x)) should equal fixed(x): max error {after}");
    }

    [Fact]
    public void EndPointErrorIsMeasuredInVoxelsAndHonoursTheMask()
    {
        var g = ImageGeometry.Create2D(10, 8, 2, 0.5);
        var truth = new VectorField<float>(g);
        var estimate = new VectorField<float>(g);
        // Error (1.2, 0.4) mm = (0.6, 0.8) voxels: length 1 voxel; doubled on the right half.
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 10; x++)
            {
                float k = x < 5 ? 1 : 2;
                estimate.Component(0)[g.Index(x, y)] = 1.2f * k;
                estimate.Component(1)[g.Index(x, y)] = 0.4f * k;
            }
        Assert.Equal(1.5, SyntheticDeformation.MeanEndPointError(estimate, truth), 1e-6);
        var mask = new ScalarField<float>(g);
        for (int y = 0; y < 8; y++) for (int x = 0; x < 5; x++) mask[x, y] = 1;
        Assert.Equal(1.0, SyntheticDeformation.MeanEndPointError(estimate, truth, mask), 1e-6);
        Assert.Throws<InvalidParameterException>(() => SyntheticDeformation.MeanEndPointError(estimate, truth, new ScalarField<float>(g)));
    }
}
