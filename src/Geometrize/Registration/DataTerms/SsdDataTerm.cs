using System.Numerics;
using Geometrize.Numerics;

namespace Geometrize.Registration.DataTerms;

/// <summary>
/// Sum of squared differences D = (1/2σ²) Σ_x (w(x) − t(x))² · voxel volume, the Gaussian-noise likelihood of
/// LDDMM (Beg et al. 2005). Gradient: (w − t) · voxel volume / σ².
/// </summary>
public sealed class SsdDataTerm<T> : IDataTerm<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the term with noise level <paramref name="sigma"/> (same units as the intensities).</summary>
    public SsdDataTerm(double sigma)
    {
        if (!(sigma > 0) || !double.IsFinite(sigma)) throw new InvalidParameterException("--sigma", $"must be positive and finite, got {sigma}.");
        Sigma = sigma;
    }

    /// <summary>Noise level σ.</summary>
    public double Sigma { get; }

    /// <inheritdoc />
    public string Name => "ssd";

    /// <inheritdoc />
    public double Evaluate(ScalarField<T> warped, ScalarField<T> target, ScalarField<T>? gradient)
    {
        warped.Geometry.RequireSameGrid(target.Geometry, "the warped and fixed images");
        double volume = 1;
        for (int a = 0; a < warped.Geometry.Dimension; a++) volume *= warped.Geometry.Spacing[a];
        double scale = volume / (Sigma * Sigma);
        T[] w = warped.Data, t = target.Data;
        T[]? g = gradient?.Data;
        int n = w.Length, chunks = Math.Max(1, Math.Min(64, n / 4096));
        var partial = new double[chunks];
        T s = T.CreateTruncating(scale);
        // Fixed chunk boundaries keep the sum independent of the thread count.
        Parallelism.For(chunks, n / chunks * 4L, (c0, c1) =>
        {
            for (int c = c0; c < c1; c++)
            {
                int start = (int)((long)n * c / chunks), end = (int)((long)n * (c + 1) / chunks);
                double sum = 0;
                for (int i = start; i < end; i++)
                {
                    T r = w[i] - t[i];
                    double rd = double.CreateTruncating(r);
                    sum += rd * rd;
                    if (g != null) g[i] = r * s;
                }
                partial[c] = sum;
            }
        });
        double total = 0;
        foreach (double p in partial) total += p;
        return 0.5 * scale * total;
    }
}
