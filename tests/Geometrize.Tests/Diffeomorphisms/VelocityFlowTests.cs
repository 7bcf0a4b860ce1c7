using Geometrize.Diffeomorphisms;
using Geometrize.Numerics;

namespace Geometrize.Tests.Diffeomorphisms;

public class VelocityFlowTests
{
    private static VectorField<double> Identity(ImageGeometry g)
    {
        var id = new VectorField<double>(g);
        DisplacementFields.IdentityMap(id);
        return id;
    }

    private static double MaxAbsDiff(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }

    /// <summary>Velocities equal to the constant physical vector <paramref name="c"/> at every voxel and step.</summary>
    private static double[] Constant(ImageGeometry g, int steps, double[] c)
    {
        int d = g.Dimension, n = g.Count;
        var v = new double[steps * d * n];
        for (int k = 0; k < steps; k++)
            for (int a = 0; a < d; a++) v.AsSpan((k * d + a) * n, n).Fill(c[a]);
        return v;
    }

    private static bool Interior(ImageGeometry g, int i, int margin)
    {
        int x = i % g.Nx, y = i / g.Nx % g.Ny, z = i / (g.Nx * g.Ny);
        return x >= margin && x < g.Nx - margin && y >= margin && y < g.Ny - margin
            && (g.Dimension == 2 || (z >= margin && z < g.Nz - margin));
    }

    public static TheoryData<int[], double[]> Grids => new()
    {
        { [17, 13], [1.0, 1.5] },
        { [9, 8, 7], [0.8, 1.0, 1.3] },
    };

    [Theory]
    [MemberData(nameof(Grids))]
    public void ZeroVelocityGivesIdentityMaps(int[] size, double[] spacing)
    {
        var g = new ImageGeometry(size, spacing);
        var flow = new VelocityFlow<double>(g, 5);
        var v = new double[flow.VelocityLength];
        var id = Identity(g);
        var map = new VectorField<double>(g);
        flow.Integrate(v);
        for (int k = 0; k <= flow.TimeSteps; k++)
        {
            flow.InverseMap(k, map);
            Assert.Equal(0, MaxAbsDiff(map.Span, id.Span));
        }
        flow.ForwardMap(v, map);
        Assert.Equal(0, MaxAbsDiff(map.Span, id.Span));
    }

    [Theory]
    [MemberData(nameof(Grids))]
    public void ConstantVelocityTranslatesMapsByVelocityOverSpacing(int[] size, double[] spacing)
    {
        var g = new ImageGeometry(size, spacing);
        int d = g.Dimension, n = g.Count, steps = 4;
        double[] c = d == 2 ? [1.7, -2.3] : [1.1, -0.9, 2.6];
        var flow = new VelocityFlow<double>(g, steps);
        var v = Constant(g, steps, c);
        var id = Identity(g);
        var map = new VectorField<double>(g);
        flow.Integrate(v);
        // ψ_k(x) = x − (k/N)·c/h; the displacement form makes it exact up to the border too.
        for (int k = 0; k <= steps; k++)
        {
            flow.InverseMap(k, map);
            double err = 0;
            for (int a = 0; a < d; a++)
                for (int i = 0; i < n; i++)
                    err = Math.Max(err, Math.Abs(map.Data[a * n + i] - (id.Data[a * n + i] - (double)k / steps * c[a] / spacing[a])));
            Assert.True(err < 1e-12, $"ψ_{k} off by {err}");
        }
        flow.ForwardMap(v, map);
        double ferr = 0;
        for (int a = 0; a < d; a++)
            for (int i = 0; i < n; i++)
                ferr = Math.Max(ferr, Math.Abs(map.Data[a * n + i] - (id.Data[a * n + i] + c[a] / spacing[a])));
        Assert.True(ferr < 1e-12, $"φ_N off by {ferr}");
    }

    [Theory]
    [MemberData(nameof(Grids))]
    public void TransportedRampIsExactInTheInterior(int[] size, double[] spacing)
    {
        var g = new ImageGeometry(size, spacing);
        int d = g.Dimension, n = g.Count, steps = 3;
        double[] c = d == 2 ? [1.3, -0.8] : [0.7, 1.2, -1.9];
        double[] slope = [0.05, -0.03, 0.02];
        var ramp = new ScalarField<double>(g);
        var id = Identity(g);
        for (int i = 0; i < n; i++)
        {
            double s = 0.5;
            for (int a = 0; a < d; a++) s += slope[a] * id.Data[a * n + i];
            ramp.Data[i] = s;
        }
        var flow = new VelocityFlow<double>(g, steps);
        flow.Integrate(Constant(g, steps, c));
        var moved = new ScalarField<double>(g);
        flow.Transport(ramp, steps, moved);
        // Departure points x − c/h stay in the grid for voxels 3 away from the border (|c_a/h_a| < 3).
        int checkedVoxels = 0;
        for (int i = 0; i < n; i++)
        {
            if (!Interior(g, i, 3)) continue;
            double expected = 0.5;
            for (int a = 0; a < d; a++) expected += slope[a] * (id.Data[a * n + i] - c[a] / spacing[a]);
            Assert.True(Math.Abs(moved.Data[i] - expected) < 1e-13, $"voxel {i}: {moved.Data[i]} vs {expected}");
            checkedVoxels++;
        }
        Assert.True(checkedVoxels > 0);
    }

    /// <summary>
    /// φ_N∘ψ_N − Id for a smooth stationary velocity moving up to 2 voxels: both schemes are first order in time, so
    /// the interior error must fall with N towards the floor of linear interpolation, below 0.1 voxel at N = 4 and
    /// 0.025 voxel at N = 32.
    /// </summary>
    [Theory]
    [InlineData(new[] { 40, 36 }, new[] { 1.0, 1.5 })]
    [InlineData(new[] { 16, 14, 12 }, new[] { 0.8, 1.0, 1.3 })]
    public void ForwardAndInverseMapsComposeToIdentity(int[] size, double[] spacing)
    {
        var g = new ImageGeometry(size, spacing);
        int d = g.Dimension, n = g.Count;
        var id = Identity(g);
        var inverse = new VectorField<double>(g);
        var forward = new VectorField<double>(g);
        var composed = new VectorField<double>(g);
        var errors = new List<double>();
        foreach (int steps in new[] { 4, 8, 16, 32 })
        {
            // One stationary smooth field repeated: the same continuous flow for every N.
            var one = FlowTestFields.SmoothVelocities(g, 1, 2.0, seed: 5, alpha: 60);
            var v = new double[steps * one.Length];
            for (int k = 0; k < steps; k++) one.CopyTo(v, k * one.Length);
            var flow = new VelocityFlow<double>(g, steps);
            flow.Integrate(v);
            flow.InverseMap(steps, inverse);
            flow.ForwardMap(v, forward);
            Interpolation.Interpolate(forward, inverse, composed, BoundaryMode.Border);
            double err = 0;
            for (int a = 0; a < d; a++)
                for (int i = 0; i < n; i++)
                    if (Interior(g, i, 3)) err = Math.Max(err, Math.Abs(composed.Data[a * n + i] - id.Data[a * n + i]));
            errors.Add(err);
        }
        string all = string.Join(", ", errors.Select(e => e.ToString("0.000e0")));
        // Time error (first order) plus a spatial floor from linear interpolation (measured: 2-D 7.7e-2, 4.1e-2,
        // 2.5e-2, 1.8e-2; 3-D 2.9e-2, 1.8e-2, 1.3e-2, 1.0e-2 voxel for a 2-voxel displacement).
        Assert.True(errors[1] < 0.75 * errors[0] && errors[2] < 0.75 * errors[1] && errors[3] < 0.9 * errors[2], $"errors for N = 4, 8, 16, 32: {all}");
        Assert.True(errors[0] < 0.1 && errors[3] < 0.025, $"errors for N = 4, 8, 16, 32: {all}");
    }

    [Fact]
    public void RejectsWrongSizesAndSteps()
    {
        var g = ImageGeometry.Create2D(6, 5);
        Assert.Throws<InvalidParameterException>(() => new VelocityFlow<double>(g, 0));
        var flow = new VelocityFlow<double>(g, 2);
        Assert.Throws<GridMismatchException>(() => flow.Integrate(new double[7]));
        Assert.Throws<InvalidParameterException>(() => flow.InverseMap(3, new VectorField<double>(g)));
        Assert.Throws<GridMismatchException>(() => flow.InverseMap(1, new VectorField<double>(ImageGeometry.Create2D(5, 5))));
    }
}
