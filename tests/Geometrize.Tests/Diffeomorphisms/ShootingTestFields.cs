using System.Numerics;
using Geometrize.Diffeomorphisms.Metrics;
using Geometrize.Numerics;

namespace Geometrize.Tests.Diffeomorphisms;

/// <summary>Smooth random momenta and smooth test images for the shooting tests.</summary>
internal static class ShootingTestFields
{
    /// <summary>
    /// Smoothed noise scaled so that the velocity K m reaches <paramref name="maxDisplacement"/> voxels at most
    /// (per axis, in index units), so the flow is nontrivial but invertible.
    /// </summary>
    /// <param name="window">Taper the noise to zero towards the border with a Gaussian window (for invariance tests,
    /// where the periodic K and the clamped maps must not meet at the border).</param>
    public static VectorField<T> SmoothMomentum<T>(ImageGeometry g, MetricParameters p, int seed, double maxDisplacement, double smoothing = 2,
        bool window = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var noise = new VectorField<double>(g);
        for (int i = 0; i < noise.Data.Length; i++) noise.Data[i] = rng.NextDouble() * 2 - 1;
        var m = new VectorField<double>(g);
        GaussianSmoothing.Smooth(noise, m, smoothing);
        if (window)
        {
            int n = g.Count;
            for (int z = 0; z < g.Nz; z++)
                for (int y = 0; y < g.Ny; y++)
                    for (int x = 0; x < g.Nx; x++)
                    {
                        int[] idx = [x, y, z];
                        double r2 = 0;
                        for (int a = 0; a < g.Dimension; a++)
                        {
                            double u = (idx[a] - (g.Size[a] - 1) / 2.0) / (0.2 * g.Size[a]);
                            r2 += u * u;
                        }
                        double w = Math.Exp(-r2);
                        for (int a = 0; a < g.Dimension; a++) m.Data[a * n + g.Index(x, y, z)] *= w;
                    }
        }
        var v = new VectorField<double>(g);
        new FourierMetric<double>(g, p).ApplyK(m, v);
        double max = 0;
        for (int a = 0; a < g.Dimension; a++)
            foreach (double x in v.Component(a)) max = Math.Max(max, Math.Abs(x) / g.Spacing[a]);
        double scale = maxDisplacement / max;
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] *= scale;
        return m.Convert<T>();
    }

    /// <summary>
    /// m_0 = P·∇I_0 with P smoothed noise, scaled so K m_0 moves at most <paramref name="maxDisplacement"/> voxels:
    /// the form of every energy-minimising momentum for image matching, so the map it shoots is identifiable.
    /// </summary>
    public static VectorField<float> ImageMomentum(ScalarField<float> image, MetricParameters p, int seed, double maxDisplacement, double smoothing)
    {
        var g = image.Geometry;
        var rng = new Random(seed);
        var noise = new ScalarField<double>(g);
        for (int i = 0; i < noise.Count; i++) noise.Data[i] = rng.NextDouble() * 2 - 1;
        var pField = new ScalarField<double>(g);
        GaussianSmoothing.Smooth(noise, pField, smoothing);
        var grad = new VectorField<double>(g);
        FiniteDifferences.Gradient(image.Convert<double>(), grad);
        int n = g.Count;
        for (int a = 0; a < g.Dimension; a++)
            for (int i = 0; i < n; i++) grad.Data[a * n + i] *= pField.Data[i];
        var v = new VectorField<double>(g);
        new FourierMetric<double>(g, p).ApplyK(grad, v);
        double max = 0;
        for (int a = 0; a < g.Dimension; a++)
            foreach (double x in v.Component(a)) max = Math.Max(max, Math.Abs(x) / g.Spacing[a]);
        for (int i = 0; i < grad.Data.Length; i++) grad.Data[i] *= maxDisplacement / max;
        return grad.Convert<float>();
    }

    /// <summary>A few Gaussian blobs (values in [0, 1]), centred by <paramref name="shift"/> voxels from a fixed layout.</summary>
    public static ScalarField<double> Blobs(ImageGeometry g, double shift)
    {
        var f = new ScalarField<double>(g);
        int d = g.Dimension;
        double[][] centres = [[0.35, 0.4, 0.45], [0.65, 0.55, 0.5], [0.45, 0.7, 0.6]];
        double[] widths = [0.18, 0.14, 0.12];
        for (int z = 0; z < g.Nz; z++)
            for (int y = 0; y < g.Ny; y++)
                for (int x = 0; x < g.Nx; x++)
                {
                    double sum = 0;
                    for (int b = 0; b < centres.Length; b++)
                    {
                        double r2 = 0;
                        int[] idx = [x, y, z];
                        for (int a = 0; a < d; a++)
                        {
                            double c = centres[b][a] * (g.Size[a] - 1) + shift;
                            double w = widths[b] * g.Size[a];
                            r2 += (idx[a] - c) * (idx[a] - c) / (w * w);
                        }
                        sum += 0.5 * Math.Exp(-r2);
                    }
                    f[x, y, z] = Math.Min(1, sum);
                }
        return f;
    }

    /// <summary>max_x |a(b(x)) − x| over voxels at least <paramref name="margin"/> from the border (composition of index maps).</summary>
    public static double CompositionError(VectorField<double> outer, VectorField<double> inner, int margin)
    {
        var g = outer.Geometry;
        var composed = new VectorField<double>(g);
        Interpolation.Interpolate(outer, inner, composed, BoundaryMode.Border);
        int n = g.Count, d = g.Dimension;
        double max = 0;
        for (int z = 0; z < g.Nz; z++)
            for (int y = 0; y < g.Ny; y++)
                for (int x = 0; x < g.Nx; x++)
                {
                    int[] idx = [x, y, z];
                    bool inside = true;
                    for (int a = 0; a < d; a++) inside &= idx[a] >= margin && idx[a] < g.Size[a] - margin;
                    if (!inside) continue;
                    int i = g.Index(x, y, z);
                    for (int a = 0; a < d; a++) max = Math.Max(max, Math.Abs(composed.Data[a * n + i] - idx[a]));
                }
        return max;
    }
}
