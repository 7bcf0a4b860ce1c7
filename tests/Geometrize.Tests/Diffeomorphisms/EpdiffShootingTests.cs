using Geometrize.Diffeomorphisms;
using Geometrize.Diffeomorphisms.Metrics;
using Geometrize.Numerics;
using Xunit.Abstractions;

namespace Geometrize.Tests.Diffeomorphisms;

public class EpdiffShootingTests(ITestOutputHelper output)
{
    private static readonly MetricParameters Metric = new(Alpha: 4, Gamma: 1, Power: 2);

    [Fact]
    public void ZeroMomentumGivesIdentity()
    {
        var g = ImageGeometry.Create2D(24, 20, 1.0, 1.3);
        var flow = new EpdiffShooting<double>(new FourierMetric<double>(g, Metric, padToFastSizes: true), 7);
        flow.Shoot(new VectorField<double>(g));
        var id = new VectorField<double>(g);
        DisplacementFields.IdentityMap(id);
        Assert.Equal(id.Data, flow.FinalInverseMap.Data);
        var image = ShootingTestFields.Blobs(g, 0);
        var warped = new ScalarField<double>(g);
        Interpolation.Interpolate(image, flow.FinalInverseMap, warped, BoundaryMode.Border);
        Assert.Equal(image.Data, warped.Data);
        var forward = new VectorField<double>(g);
        flow.ForwardMap(forward);
        Assert.Equal(id.Data, forward.Data);
    }

    [Fact]
    public void MomentumAtTimeZeroIsTheInitialMomentum()
    {
        var g = ImageGeometry.Create2D(24, 20, 1.0, 1.3);
        var m0 = ShootingTestFields.SmoothMomentum<double>(g, Metric, 3, 2.0);
        var flow = new EpdiffShooting<double>(new FourierMetric<double>(g, Metric), 5);
        flow.Shoot(m0);
        var m = new VectorField<double>(g);
        flow.Momentum(0, m);
        Assert.Equal(m0.Data, m.Data);
        // The general transport formula at ψ_0 = identity must give m_0 back exactly too.
        var jac = new VectorField<double>(g, 4);
        var id = new VectorField<double>(g);
        DisplacementFields.IdentityMap(id);
        CoadjointTransport.MapJacobian(id, jac);
        var sampled = new VectorField<double>(g);
        Interpolation.Interpolate(m0, id, sampled, BoundaryMode.Border);
        CoadjointTransport.Transport(jac, sampled, CoadjointTransport.SpacingRatios<double>(g), m);
        Assert.Equal(m0.Data, m.Data);
    }

    /// <summary>
    /// Shooting −m_1 from the end state retraces the geodesic: ψ_N of the first shot composed with ψ'_N of the
    /// return shot (φ_1⁻¹ ∘ φ_1) must be the identity up to the time-discretisation error, which shrinks with N.
    /// </summary>
    [Theory]
    [InlineData(10, 0.25)]
    [InlineData(20, 0.12)]
    public void ShootingBackReturnsToIdentity(int steps, double bound)
    {
        var g = ImageGeometry.Create2D(64, 64);
        var m0 = ShootingTestFields.SmoothMomentum<double>(g, Metric, 7, 3.0, smoothing: 4, window: true);
        var metric = new FourierMetric<double>(g, Metric);
        var there = new EpdiffShooting<double>(metric, steps);
        there.Shoot(m0);
        var mEnd = new VectorField<double>(g);
        there.Momentum(steps, mEnd);
        for (int i = 0; i < mEnd.Data.Length; i++) mEnd.Data[i] = -mEnd.Data[i];
        var back = new EpdiffShooting<double>(metric, steps);
        back.Shoot(mEnd);
        double error = ShootingTestFields.CompositionError(there.FinalInverseMap, back.FinalInverseMap, 4);
        double errorAll = ShootingTestFields.CompositionError(there.FinalInverseMap, back.FinalInverseMap, 0);
        double maxDisp = MaxDisplacement(there.FinalInverseMap);
        output.WriteLine($"N={steps}: max displacement {maxDisp:F3} voxel, |ψ_N∘ψ'_N − Id| max {error:E3} voxel (4-voxel margin), {errorAll:E3} (whole grid)");
        Assert.True(maxDisp > 2, $"the shot should move by a few voxels, got {maxDisp}");
        Assert.True(error < bound, $"round trip error {error} exceeds {bound}");
    }

    /// <summary>⟨m_k, K m_k⟩ is constant along a geodesic; the scheme keeps it up to O(dt).</summary>
    [Theory]
    [InlineData(10, 0.03)]
    [InlineData(20, 0.01)]
    public void KineticEnergyIsConserved(int steps, double bound)
    {
        var g = ImageGeometry.Create2D(64, 64);
        var m0 = ShootingTestFields.SmoothMomentum<double>(g, Metric, 7, 3.0, smoothing: 4, window: true);
        var metric = new FourierMetric<double>(g, Metric);
        var flow = new EpdiffShooting<double>(metric, steps);
        flow.Shoot(m0);
        double e0 = metric.DualNorm2(m0), worst = 0;
        var m = new VectorField<double>(g);
        for (int k = 1; k <= steps; k++)
        {
            flow.Momentum(k, m);
            worst = Math.Max(worst, Math.Abs(metric.DualNorm2(m) - e0) / e0);
        }
        output.WriteLine($"N={steps}: max_k |<m_k,Km_k> − <m_0,Km_0>| / <m_0,Km_0> = {worst:E3}");
        Assert.True(worst < bound, $"relative energy drift {worst} exceeds {bound}");
    }

    [Fact]
    public void ForwardMapInvertsInverseMap()
    {
        var g = ImageGeometry.Create2D(48, 40, 1.0, 1.2);
        var m0 = ShootingTestFields.SmoothMomentum<double>(g, Metric, 11, 2.0, smoothing: 4, window: true);
        var flow = new EpdiffShooting<double>(new FourierMetric<double>(g, Metric), 10);
        flow.Shoot(m0);
        var forward = new VectorField<double>(g);
        flow.ForwardMap(forward);
        double error = ShootingTestFields.CompositionError(flow.FinalInverseMap, forward, 4);
        output.WriteLine($"|ψ_N∘φ_N − Id| max {error:E3} voxel");
        Assert.True(error < 0.1, $"forward and inverse maps disagree by {error} voxel");
    }

    private static double MaxDisplacement(VectorField<double> map)
    {
        var id = new VectorField<double>(map.Geometry);
        DisplacementFields.IdentityMap(id);
        return map.Data.Zip(id.Data, (a, b) => Math.Abs(a - b)).Max();
    }
}
