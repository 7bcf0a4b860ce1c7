using Geometrize.Diffeomorphisms.Metrics;
using Geometrize.Numerics;

namespace Geometrize.Tests.Diffeomorphisms;

/// <summary>Smooth random velocities and images for the flow and LDDMM tests.</summary>
internal static class FlowTestFields
{
    /// <summary>
    /// N smooth random velocity slices (layout k·d + a, physical units) scaled so the largest index-space
    /// displacement of one whole path, max_a |v_a|/h_a, equals <paramref name="maxVoxels"/>.
    /// </summary>
    public static double[] SmoothVelocities(ImageGeometry g, int steps, double maxVoxels, int seed, double alpha = 8)
    {
        var rng = new Random(seed);
        int d = g.Dimension, n = g.Count;
        var metric = new FourierMetric<double>(g, new MetricParameters(alpha, 1, 2));
        var slice = new VectorField<double>(g);
        var result = new double[steps * d * n];
        for (int k = 0; k < steps; k++)
        {
            for (int i = 0; i < slice.Data.Length; i++) slice.Data[i] = rng.NextDouble() * 2 - 1;
            metric.ApplyK(slice, slice);
            slice.Data.CopyTo(result, k * d * n);
        }
        double max = 0;
        for (int k = 0; k < steps; k++)
            for (int a = 0; a < d; a++)
                for (int i = 0; i < n; i++) max = Math.Max(max, Math.Abs(result[(k * d + a) * n + i]) / g.Spacing[a]);
        for (int i = 0; i < result.Length; i++) result[i] *= maxVoxels / max;
        return result;
    }

    /// <summary>A smooth image in [0, 1]: a few Gaussian blobs at random places.</summary>
    public static ScalarField<double> Blobs(ImageGeometry g, int seed, int count = 4, double widthFraction = 0.12)
    {
        var rng = new Random(seed);
        var f = new ScalarField<double>(g);
        int d = g.Dimension;
        var centre = new double[count * 3];
        var width = new double[count];
        for (int b = 0; b < count; b++)
        {
            for (int a = 0; a < d; a++) centre[3 * b + a] = (0.2 + 0.6 * rng.NextDouble()) * g.Size[a];
            width[b] = (widthFraction + 0.1 * rng.NextDouble()) * g.Size.ToArray().Min();
        }
        for (int z = 0; z < g.Nz; z++)
            for (int y = 0; y < g.Ny; y++)
                for (int x = 0; x < g.Nx; x++)
                {
                    double s = 0;
                    for (int b = 0; b < count; b++)
                    {
                        double dx = x - centre[3 * b], dy = y - centre[3 * b + 1], dz = d == 3 ? z - centre[3 * b + 2] : 0;
                        s += Math.Exp(-(dx * dx + dy * dy + dz * dz) / (2 * width[b] * width[b]));
                    }
                    f[x, y, z] = s / count;
                }
        return f;
    }
}
