using Geometrize.Diffeomorphisms;
using Geometrize.Diffeomorphisms.Metrics;
using Geometrize.Numerics;
using Geometrize.Optimization;
using Geometrize.Registration.DataTerms;
using Xunit.Abstractions;

namespace Geometrize.Tests.Diffeomorphisms;

public class ScalarMomentumShootingTests(ITestOutputHelper output)
{
    private static readonly MetricParameters TestMetric = new(Alpha: 2, Gamma: 1, Power: 2);

    /// <summary>A smooth image in [0, 1] with structure along every axis (so ∇I is nonzero almost everywhere).</summary>
    internal static ScalarField<double> SmoothImage(ImageGeometry g, double phase)
    {
        var f = new ScalarField<double>(g);
        int d = g.Dimension;
        for (int z = 0; z < g.Nz; z++)
            for (int y = 0; y < g.Ny; y++)
                for (int x = 0; x < g.Nx; x++)
                {
                    double u = (double)x / g.Nx, v = (double)y / g.Ny, w = d == 3 ? (double)z / g.Nz : 0.3;
                    double blob = Math.Exp(-((u - 0.55) * (u - 0.55) + (v - 0.45) * (v - 0.45) + (w - 0.5) * (w - 0.5)) / 0.05);
                    f[x, y, z] = 0.5 + 0.25 * Math.Sin(2 * Math.PI * 1.3 * u + phase) * Math.Cos(2 * Math.PI * 0.9 * v - phase)
                        * Math.Cos(2 * Math.PI * 0.7 * w) + 0.2 * blob;
                }
        return f;
    }

    /// <summary>Uniform noise smoothed with a Gaussian of σ mm, scaled to maximum magnitude 1.</summary>
    internal static double[] RandomSmooth(ImageGeometry g, Random rng, double sigma)
    {
        var noise = new ScalarField<double>(g);
        for (int i = 0; i < noise.Count; i++) noise.Data[i] = rng.NextDouble() * 2 - 1;
        var smooth = new ScalarField<double>(g);
        GaussianSmoothing.Smooth(noise, smooth, sigma);
        double max = smooth.Data.Max(Math.Abs);
        return smooth.Data.Select(v => v / max).ToArray();
    }

    /// <summary>Largest |ψ_N(x) − x| over voxels and axes (voxels).</summary>
    internal static double MaxDisplacement<T>(VectorField<T> map) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var id = new VectorField<T>(map.Geometry);
        DisplacementFields.IdentityMap(id);
        double max = 0;
        for (int i = 0; i < map.Data.Length; i++) max = Math.Max(max, Math.Abs(double.CreateTruncating(map.Data[i] - id.Data[i])));
        return max;
    }

    /// <summary>P_0 random smooth, scaled so that the shot moves voxels by about <paramref name="voxels"/>.</summary>
    private static double[] ScaledMomentum(ScalarMomentumShooting<double> s, Random rng, double sigma, double voxels)
    {
        var p = RandomSmooth(s.Geometry, rng, sigma);
        s.Shoot(p);
        double scale = voxels / MaxDisplacement(s.FinalInverseMap);
        return p.Select(v => v * scale).ToArray();
    }

    private TaylorTest.Report Taylor(ImageGeometry g, int steps, int seed, double voxels, MetricParameters metric, bool pad)
    {
        var rng = new Random(seed);
        var shooting = new ScalarMomentumShooting<double>(SmoothImage(g, 0.3), metric, steps, pad);
        var target = SmoothImage(g, 0.8);
        var ssd = new SsdDataTerm<double>(0.1);
        var p0 = ScaledMomentum(shooting, rng, 1.5, voxels);
        var direction = RandomSmooth(g, rng, 1.5).Select((v, i) => v * Abs(p0)).ToArray();
        double Energy(double[] p) => shooting.Shoot(p) + ssd.Evaluate(shooting.FinalImage, target, null);
        var dataGrad = new ScalarField<double>(g);
        var grad = new double[g.Count];
        double e0 = shooting.Shoot(p0) + ssd.Evaluate(shooting.FinalImage, target, dataGrad);
        output.WriteLine($"{g}: N={steps}, max displacement {MaxDisplacement(shooting.FinalInverseMap):0.00} voxels, E={e0:0.0000e0}");
        shooting.Adjoint(dataGrad, 1, grad);
        var report = TaylorTest.Run(Energy, p0, grad, direction, [1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5]);
        output.WriteLine(report.ToString());
        return report;
    }

    private static double Abs(double[] a) => a.Max(Math.Abs);

    /// <summary>The Taylor remainder falls at second order over at least 3 decades above the round-off floor (1e-10).</summary>
    internal static void AssertSecondOrder(TaylorTest.Report report)
    {
        // Energies are O(10²–10³) here; round-off in E is ~1e-13, stay well above it.
        const double floor = 1e-10;
        double order = report.MinimumOrder(floor);
        int firstBelow = Array.FindIndex(report.Remainders, r => r <= floor);
        double smallest = firstBelow < 0 ? report.Epsilons[^1] : report.Epsilons[firstBelow - 1];
        Assert.True(Math.Log10(report.Epsilons[0] / smallest) >= 3, $"fewer than 3 decades above the floor: {report}");
        Assert.True(order > 1.9, $"Taylor order {order:0.000} (want ≈ 2): {report}");
    }

    [Theory]
    [InlineData(4, 1.0)]
    [InlineData(8, 2.0)]
    public void TaylorTest2DAnisotropic(int steps, double voxels)
    {
        var g = ImageGeometry.Create2D(24, 20, 1.2, 0.8);
        var report = Taylor(g, steps, 11, voxels, TestMetric, pad: false);
        AssertSecondOrder(report);
    }

    [Fact]
    public void TaylorTest2DFluidMetricPadded()
    {
        var g = ImageGeometry.Create2D(23, 19, 0.9, 1.3);
        var report = Taylor(g, 5, 5, 1.5, new MetricParameters(Alpha: 3, Gamma: 1, Power: 1.5, Beta: 0.5), pad: true);
        AssertSecondOrder(report);
    }

    [Fact]
    public void TaylorTest3D()
    {
        var g = ImageGeometry.Create3D(12, 10, 8, 1.0, 1.1, 1.3);
        var report = Taylor(g, 4, 7, 1.0, TestMetric, pad: false);
        AssertSecondOrder(report);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ZeroMomentumGivesIdentity(int dimension)
    {
        var g = dimension == 2 ? ImageGeometry.Create2D(17, 13, 0.7, 1.1) : ImageGeometry.Create3D(9, 8, 7, 1, 1.2, 0.9);
        var source = SmoothImage(g, 0.1).Convert<float>();
        var s = new ScalarMomentumShooting<float>(source, TestMetric, 6);
        double kinetic = s.Shoot(new float[g.Count]);
        var id = new VectorField<float>(g);
        DisplacementFields.IdentityMap(id);
        Assert.Equal(0.0, kinetic);
        Assert.Equal(id.Data, s.FinalInverseMap.Data);
        Assert.Equal(source.Data, s.FinalImage.Data);
        var forward = new VectorField<float>(g);
        s.ForwardMap(forward);
        Assert.Equal(id.Data, forward.Data);
    }

    /// <summary>Documented sign: v = −K(P∇I), so P_0 &gt; 0 pushes a bright disc's rim outwards and the disc grows.</summary>
    [Fact]
    public void PositiveMomentumGrowsBrightRegions()
    {
        var disc = Geometrize.Imaging.Phantoms.Disc(48, 12);
        var smooth = new ScalarField<float>(disc.Geometry);
        GaussianSmoothing.Smooth(disc, smooth, 1.0);
        var s = new ScalarMomentumShooting<float>(smooth, new MetricParameters(Alpha: 4, Gamma: 1, Power: 2), 10);
        var p0 = Enumerable.Repeat(3f, smooth.Count).ToArray();
        s.Shoot(p0);
        double before = smooth.Data.Sum(v => (double)v), after = s.FinalImage.Data.Sum(v => (double)v);
        output.WriteLine($"mass {before:0.0} -> {after:0.0}, max displacement {MaxDisplacement(s.FinalInverseMap):0.00}");
        Assert.True(after > before * 1.05, $"mass {before} -> {after}");
        s.Shoot(p0.Select(v => -v).ToArray());
        Assert.True(s.FinalImage.Data.Sum(v => (double)v) < before * 0.95);
    }

    /// <summary>
    /// ½⟨m_k, K m_k⟩ is constant along a continuous geodesic. Measured (48×40, 4-voxel shot): max relative drift 2.4 %
    /// for N = 10 and 4.0 % for N = 20. The drift does not fall with N: each step re-interpolates ψ_k, and that
    /// numerical diffusion (which grows with N) outweighs the first-order time error at these step counts.
    /// A wrong sign, a missing det(Dψ) or a wrong velocity scaling change it by far more.
    /// </summary>
    [Fact]
    public void KineticEnergyApproximatelyConserved()
    {
        var g = ImageGeometry.Create2D(48, 40, 1, 1);
        var source = SmoothImage(g, 0.5);
        var drift = new Dictionary<int, double>();
        double[]? p0 = null;
        foreach (int steps in new[] { 10, 20 })
        {
            var s = new ScalarMomentumShooting<double>(source, TestMetric, steps);
            p0 ??= ScaledMomentum(s, new Random(3), 3, 4.0);
            s.Shoot(p0);
            var e = s.KineticEnergies.ToArray();
            drift[steps] = e.Max(v => Math.Abs(v - e[0])) / e[0];
            output.WriteLine($"N={steps}: max displacement {MaxDisplacement(s.FinalInverseMap):0.00} voxels, E0={e[0]:0.0000e0}, "
                + $"max relative drift {drift[steps]:0.000e0}, E_last={e[^1]:0.0000e0}");
        }
        Assert.True(drift[10] < 0.035, $"drift {drift[10]} for N = 10");
        Assert.True(drift[20] < 0.06, $"drift {drift[20]} for N = 20");
    }

    /// <summary>The forward map (Euler along trajectories) inverts the inverse map (semi-Lagrangian): φ_N∘ψ_N ≈ Id.</summary>
    [Theory]
    [InlineData(10)]
    [InlineData(20)]
    public void ForwardMapInvertsInverseMap(int steps)
    {
        var g = ImageGeometry.Create2D(48, 40, 1, 1.25);
        var s = new ScalarMomentumShooting<double>(SmoothImage(g, 0.5), TestMetric, steps);
        var p0 = ScaledMomentum(s, new Random(9), 3, 3.0);
        s.Shoot(p0);
        var forward = new VectorField<double>(g);
        s.ForwardMap(forward);
        var composed = new VectorField<double>(g);
        Interpolation.Interpolate(forward, s.FinalInverseMap, composed, BoundaryMode.Border);
        var id = new VectorField<double>(g);
        DisplacementFields.IdentityMap(id);
        double max = 0, sum = 0;
        int count = 0;
        for (int y = 4; y < g.Ny - 4; y++)
            for (int x = 4; x < g.Nx - 4; x++)
            {
                int i = g.Index(x, y);
                double e = Math.Sqrt(Math.Pow(composed.Data[i] - id.Data[i], 2) + Math.Pow(composed.Data[g.Count + i] - id.Data[g.Count + i], 2));
                max = Math.Max(max, e);
                sum += e;
                count++;
            }
        output.WriteLine($"N={steps}: max displacement {MaxDisplacement(s.FinalInverseMap):0.00} voxels; |φ∘ψ − Id| mean {sum / count:0.0000}, max {max:0.0000} voxels (interior)");
        Assert.True(sum / count < 0.03 && max < 0.25, $"mean {sum / count}, max {max}");
    }

    [Fact]
    public void BadInputIsRejected()
    {
        var g = ImageGeometry.Create2D(8, 8);
        var source = new ScalarField<float>(g);
        Assert.Throws<InvalidParameterException>(() => new ScalarMomentumShooting<float>(source, TestMetric, 0));
        var s = new ScalarMomentumShooting<float>(source, TestMetric, 2);
        Assert.Throws<InvalidParameterException>(() => s.ForwardMap(new VectorField<float>(g)));
        Assert.Throws<InvalidParameterException>(() => s.Shoot(new float[5]));
        s.Shoot(new float[g.Count]);
        Assert.Throws<InvalidParameterException>(() => s.Adjoint(source, 1, new float[3]));
        Assert.Throws<GridMismatchException>(() => s.Adjoint(new ScalarField<float>(ImageGeometry.Create2D(8, 9)), 1, new float[g.Count]));
    }
}
