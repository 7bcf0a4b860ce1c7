using System.Numerics;
using Geometrize.Numerics;

namespace Geometrize.Tests.Numerics;

/// <summary>Random fields, inner products and a thread-count switch for the kernel tests.</summary>
internal static class KernelTestFields
{
    public static ScalarField<double> RandomScalar(ImageGeometry g, Random rng)
    {
        var f = new ScalarField<double>(g);
        for (int i = 0; i < f.Count; i++) f.Data[i] = rng.NextDouble() * 2 - 1;
        return f;
    }

    public static VectorField<double> RandomVector(ImageGeometry g, int components, Random rng)
    {
        var v = new VectorField<double>(g, components);
        for (int i = 0; i < v.Data.Length; i++) v.Data[i] = rng.NextDouble() * 2 - 1;
        return v;
    }

    /// <summary>Points (continuous indices of <paramref name="sampled"/>) covering the grid and up to 2.5 voxels outside, some exactly on integers, a few far away.</summary>
    public static VectorField<double> RandomPoints(ImageGeometry pointsGrid, ImageGeometry sampled, Random rng)
    {
        int d = sampled.Dimension, n = pointsGrid.Count;
        var p = new VectorField<double>(pointsGrid, d);
        for (int a = 0; a < d; a++)
            for (int i = 0; i < n; i++)
            {
                double x = -2.5 + rng.NextDouble() * (sampled.Size[a] + 4);
                int kind = rng.Next(20);
                if (kind == 0) x = Math.Round(x);
                else if (kind == 1) x = (rng.Next(2) == 0 ? -1 : 1) * 1e7 * rng.NextDouble();
                p.Data[a * n + i] = x;
            }
        return p;
    }

    public static double Dot<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += double.CreateTruncating(a[i]) * double.CreateTruncating(b[i]);
        return s;
    }

    public static double AbsDot<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += Math.Abs(double.CreateTruncating(a[i]) * double.CreateTruncating(b[i]));
        return s;
    }

    /// <summary>Relative adjointness error |⟨Ax,y⟩ − ⟨x,Aᵀy⟩| / Σ|terms| (the denominator makes round-off the scale).</summary>
    public static double AdjointError(double lhs, double rhs, double scale) => Math.Abs(lhs - rhs) / Math.Max(scale, 1e-300);

    public static T WithThreads<T>(int threads, Func<T> body)
    {
        int old = Parallelism.MaxDegreeOfParallelism;
        Parallelism.MaxDegreeOfParallelism = threads;
        try { return body(); }
        finally { Parallelism.MaxDegreeOfParallelism = old; }
    }

    public static ImageGeometry Rotated3D(int nx, int ny, int nz, double sx, double sy, double sz)
    {
        double c = Math.Cos(0.4), s = Math.Sin(0.4), c2 = Math.Cos(0.25), s2 = Math.Sin(0.25);
        // Rz(0.4)·Rx(0.25)
        double[] dir = [c, -s * c2, s * s2, s, c * c2, -c * s2, 0, s2, c2];
        return new ImageGeometry([nx, ny, nz], [sx, sy, sz], [3.5, -7, 11], dir);
    }
}
