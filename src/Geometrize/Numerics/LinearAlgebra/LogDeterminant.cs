namespace Geometrize.Numerics.LinearAlgebra;

/// <summary>
/// log|det A| of a small dense square matrix by LU factorisation with partial pivoting, in double precision.
/// </summary>
/// <remarks>
/// Summing logs of the pivots avoids the overflow/underflow of the determinant itself (a deep flow can change
/// volume by e^±100) and, unlike ½·log det(AᵀA), does not square the condition number.
/// </remarks>
public static class LogDeterminant
{
    /// <summary>
    /// log|det A| of the row-major n×n matrix <paramref name="a"/>, which is overwritten by its LU factors.
    /// Returns −∞ for a singular matrix (a zero pivot).
    /// </summary>
    /// <exception cref="InvalidParameterException">The span holds fewer than n² values or n is negative.</exception>
    public static double OfInPlace(Span<double> a, int n)
    {
        if (n < 0 || a.Length < (long)n * n)
            throw new InvalidParameterException("logdet", $"an {n}×{n} matrix needs {n * n} values, got {a.Length}.");
        double sum = 0;
        for (int k = 0; k < n; k++)
        {
            int pivot = k;
            double best = Math.Abs(a[k * n + k]);
            for (int i = k + 1; i < n; i++)
            {
                double v = Math.Abs(a[i * n + k]);
                if (v > best) { best = v; pivot = i; }
            }
            if (best == 0) return double.NegativeInfinity;
            if (pivot != k)
                for (int j = 0; j < n; j++) (a[k * n + j], a[pivot * n + j]) = (a[pivot * n + j], a[k * n + j]);
            double d = a[k * n + k];
            sum += Math.Log(best);
            for (int i = k + 1; i < n; i++)
            {
                double f = a[i * n + k] / d;
                if (f == 0) continue;
                for (int j = k + 1; j < n; j++) a[i * n + j] -= f * a[k * n + j];
            }
        }
        return sum;
    }

    /// <summary>log|det A| of the row-major n×n matrix <paramref name="a"/> (left unchanged).</summary>
    /// <exception cref="InvalidParameterException">The span holds fewer than n² values or n is negative.</exception>
    public static double Of(ReadOnlySpan<double> a, int n)
    {
        if (n < 0 || a.Length < (long)n * n)
            throw new InvalidParameterException("logdet", $"an {n}×{n} matrix needs {n * n} values, got {a.Length}.");
        return OfInPlace(a[..(n * n)].ToArray(), n);
    }
}
