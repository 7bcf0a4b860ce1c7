using Geometrize.Diffeomorphisms;
using Geometrize.Diffeomorphisms.Metrics;
using Geometrize.Numerics;
using Geometrize.Optimization;
using Geometrize.Registration.DataTerms;
using Xunit.Abstractions;

namespace Geometrize.Tests.Diffeomorphisms;

public class MetamorphosisShootingTests(ITestOutputHelper output)
{
    private static readonly MetricParameters TestMetric = new(Alpha: 2, Gamma: 1, Power: 2);

    /// <summary>
    /// p_0 random smooth, scaled so that the shot moves voxels by about <paramref name="voxels"/>. The velocity grows
    /// faster than linearly with p_0 once Z contributes to ∇I, so the scale is refined a few times.
    /// </summary>
    private static double[] ScaledMomentum(MetamorphosisShooting<double> s, Random rng, double sigma, double voxels)
    {
        var p = ScalarMomentumShootingTests.RandomSmooth(s.Geometry, rng, sigma);
        double scale = 1;
        for (int i = 0; i < 8; i++)
        {
            s.Shoot(p.Select(v => v * scale).ToArray());
            double moved = ScalarMomentumShootingTests.MaxDisplacement(s.FinalInverseMap);
            scale *= Math.Clamp(voxels / moved, 0.25, 8);
        }
        return p.Select(v => v * scale).ToArray();
    }

    private TaylorTest.Report Taylor(ImageGeometry g, int steps, double rho, int seed, double voxels, MetricParameters metric, bool pad)
    {
        var rng = new Random(seed);
        var shooting = new MetamorphosisShooting<double>(ScalarMomentumShootingTests.SmoothImage(g, 0.3), metric, steps, rho, pad);
        var target = ScalarMomentumShootingTests.SmoothImage(g, 0.8);
        var ssd = new SsdDataTerm<double>(0.1);
        var p0 = ScaledMomentum(shooting, rng, 1.5, voxels);
        var direction = ScalarMomentumShootingTests.RandomSmooth(g, rng, 1.5).Select(v => v * p0.Max(Math.Abs)).ToArray();
        double Energy(double[] p) => shooting.Shoot(p) + ssd.Evaluate(shooting.FinalImage, target, null);
        var dataGrad = new ScalarField<double>(g);
        var grad = new double[g.Count];
        double e0 = shooting.Shoot(p0) + ssd.Evaluate(shooting.FinalImage, target, dataGrad);
        double change = shooting.FinalIntensityChange.Data.Max(Math.Abs);
        output.WriteLine($"{g}: N={steps}, ρ={rho}, max displacement {ScalarMomentumShootingTests.MaxDisplacement(shooting.FinalInverseMap):0.00} voxels, "
            + $"max |Z_1| {change:0.000}, E={e0:0.0000e0}");
        shooting.Adjoint(dataGrad, 1, grad);
        var report = TaylorTest.Run(Energy, p0, grad, direction, [1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5]);
        output.WriteLine(report.ToString());
        return report;
    }

    private static void AssertSecondOrder(TaylorTest.Report report) => ScalarMomentumShootingTests.AssertSecondOrder(report);

    [Theory]
    [InlineData(4, 0.01, 1.0)]
    [InlineData(6, 0.002, 2.0)]
    [InlineData(5, 1.0, 0.0)]
    public void TaylorTest2DAnisotropic(int steps, double rho, double voxels)
    {
        var g = ImageGeometry.Create2D(24, 20, 1.2, 0.8);
        if (voxels == 0)
        {
            // ρ = 1 moves nothing: take p_0 of the size of the image instead of scaling by a displacement.
            var rng = new Random(3);
            var shooting = new MetamorphosisShooting<double>(ScalarMomentumShootingTests.SmoothImage(g, 0.3), TestMetric, steps, rho);
            Assert.True(RunUnscaled(shooting, rng) > 1.9);
            return;
        }
        AssertSecondOrder(Taylor(g, steps, rho, 11, voxels, TestMetric, pad: false));
    }

    /// <summary>Taylor test at an O(1) random p_0 (used where the shot does not move voxels).</summary>
    private double RunUnscaled(MetamorphosisShooting<double> shooting, Random rng)
    {
        var g = shooting.Geometry;
        var target = ScalarMomentumShootingTests.SmoothImage(g, 0.8);
        var ssd = new SsdDataTerm<double>(0.1);
        var p0 = ScalarMomentumShootingTests.RandomSmooth(g, rng, 1.5);
        var direction = ScalarMomentumShootingTests.RandomSmooth(g, rng, 1.5);
        var dataGrad = new ScalarField<double>(g);
        var grad = new double[g.Count];
        shooting.Shoot(p0);
        ssd.Evaluate(shooting.FinalImage, target, dataGrad);
        shooting.Adjoint(dataGrad, 1, grad);
        var report = TaylorTest.Run(p => shooting.Shoot(p) + ssd.Evaluate(shooting.FinalImage, target, null), p0, grad, direction);
        output.WriteLine(report.ToString());
        AssertSecondOrder(report);
        return report.MinimumOrder(1e-10);
    }

    [Fact]
    public void TaylorTest2DFluidMetricPadded()
    {
        var g = ImageGeometry.Create2D(23, 19, 0.9, 1.3);
        AssertSecondOrder(Taylor(g, 5, 0.005, 5, 1.5, new MetricParameters(Alpha: 3, Gamma: 1, Power: 1.5, Beta: 0.5), pad: true));
    }

    [Fact]
    public void TaylorTest3D()
    {
        var g = ImageGeometry.Create3D(12, 10, 8, 1.0, 1.1, 1.3);
        AssertSecondOrder(Taylor(g, 4, 0.01, 7, 1.0, TestMetric, pad: false));
    }

    /// <summary>
    /// ρ = 0 is the scalar-momentum shooting of Vialard et al.: same energy, image and gradient to round-off (the two
    /// classes run the same discrete operations).
    /// </summary>
    [Fact]
    public void RhoZeroIsScalarMomentumShooting()
    {
        var g = ImageGeometry.Create2D(24, 20, 1.2, 0.8);
        var source = ScalarMomentumShootingTests.SmoothImage(g, 0.3);
        var target = ScalarMomentumShootingTests.SmoothImage(g, 0.8);
        var meta = new MetamorphosisShooting<double>(source, TestMetric, 6, 0);
        var scalar = new ScalarMomentumShooting<double>(source, TestMetric, 6);
        var p0 = ScaledMomentum(meta, new Random(4), 1.5, 2.0);
        var ssd = new SsdDataTerm<double>(0.1);
        var dataGrad = new ScalarField<double>(g);
        double e1 = meta.Shoot(p0) + ssd.Evaluate(meta.FinalImage, target, dataGrad);
        var g1 = new double[g.Count];
        meta.Adjoint(dataGrad, 1, g1);
        double e2 = scalar.Shoot(p0) + ssd.Evaluate(scalar.FinalImage, target, dataGrad);
        var g2 = new double[g.Count];
        scalar.Adjoint(dataGrad, 1, g2);
        double gradError = g1.Zip(g2, (a, b) => Math.Abs(a - b)).Max() / g2.Max(Math.Abs);
        double imageError = meta.FinalImage.Data.Zip(scalar.FinalImage.Data, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"E {e1} vs {e2}; max image difference {imageError:0.0e0}; relative gradient difference {gradError:0.0e0}");
        Assert.Equal(e2, e1, 1e-10 * Math.Abs(e2));
        Assert.True(imageError < 1e-12, $"image differs by {imageError}");
        Assert.True(gradError < 1e-10, $"gradient differs by {gradError}");
        Assert.Equal(0, meta.FinalIntensityChange.Data.Max(Math.Abs));
    }

    /// <summary>ρ = 1: no motion (ψ_N = Id) and I_1 = I_0 + p_0 exactly (z = p is constant when v = 0).</summary>
    [Fact]
    public void RhoOneOnlyAddsIntensity()
    {
        var g = ImageGeometry.Create2D(20, 16, 1.0, 1.5);
        var source = ScalarMomentumShootingTests.SmoothImage(g, 0.3);
        var meta = new MetamorphosisShooting<double>(source, TestMetric, 5, 1);
        var p0 = ScalarMomentumShootingTests.RandomSmooth(g, new Random(8), 1.5);
        double h = meta.Shoot(p0);
        double maxMove = ScalarMomentumShootingTests.MaxDisplacement(meta.FinalInverseMap);
        double error = 0;
        for (int i = 0; i < g.Count; i++) error = Math.Max(error, Math.Abs(meta.FinalImage.Data[i] - source.Data[i] - p0[i]));
        double expected = 0.5 * p0.Sum(v => v * v) * 1.5;
        output.WriteLine($"max displacement {maxMove}, max |I_1 − I_0 − p_0| {error:0.0e0}, H {h} vs {expected}");
        Assert.Equal(0, maxMove);
        Assert.True(error < 1e-12, $"I_1 − I_0 − p_0 = {error}");
        Assert.Equal(expected, h, 1e-10 * expected);
    }

    /// <summary>
    /// The Hamiltonian ½(1−ρ)⟨m, Km⟩ + ½ρ‖p‖² is conserved along a continuous geodesic. Along the discrete shot it
    /// drifts, as the kinetic energy of scalar shooting does, by an amount dominated by the spatial discretisation
    /// (it does not shrink with dt): bound stated for a 2-voxel shot, below 12 % at 10 and at 20 steps (measured 8.9 % at 10).
    /// </summary>
    [Fact]
    public void HamiltonianApproximatelyConserved()
    {
        var g = ImageGeometry.Create2D(32, 28, 1.0, 1.0);
        var source = ScalarMomentumShootingTests.SmoothImage(g, 0.3);
        double[]? p0 = null;
        foreach (int steps in new[] { 10, 20 })
        {
            var s = new MetamorphosisShooting<double>(source, TestMetric, steps, 0.005);
            p0 ??= ScaledMomentum(s, new Random(9), 2.0, 2.0);
            s.Shoot(p0);
            var hs = s.Hamiltonians.ToArray();
            double drift = hs.Max(v => Math.Abs(v - hs[0])) / hs[0];
            output.WriteLine($"N={steps}: max displacement {ScalarMomentumShootingTests.MaxDisplacement(s.FinalInverseMap):0.00} voxels, "
                + $"max |Z_1| {s.FinalIntensityChange.Data.Max(Math.Abs):0.000}, relative Hamiltonian drift {drift:0.000e0}");
            Assert.True(drift < 0.12, $"drift {drift} at {steps} steps");
        }
    }
}
