namespace Geometrize.Analysis;

/// <summary>
/// A symmetric linear map on ℝⁿ known only through its action v ↦ Av (a Hessian through Hessian–vector
/// products, or an explicit matrix). The spectral tools (<see cref="HessianSpectrum"/>, <see cref="HessianTrace"/>,
/// <see cref="SpectralDensity"/>) work on this interface, so they can be checked on matrices with known spectra.
/// </summary>
public interface ISymmetricOperator
{
    /// <summary>Dimension n of the space.</summary>
    int Dimension { get; }

    /// <summary>Writes A·<paramref name="v"/> into <paramref name="result"/> (both of length <see cref="Dimension"/>).</summary>
    void Apply(ReadOnlySpan<double> v, Span<double> result);
}

/// <summary>An explicit dense symmetric matrix as an <see cref="ISymmetricOperator"/>.</summary>
public sealed class DenseSymmetricOperator : ISymmetricOperator
{
    private readonly double[] _matrix;

    /// <summary>Wraps a row-major n×n matrix (copied).</summary>
    /// <exception cref="InvalidParameterException">The array does not hold n² values.</exception>
    public DenseSymmetricOperator(double[] matrix, int n)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (n < 1 || matrix.Length != (long)n * n)
            throw new InvalidParameterException("matrix", $"an {n}×{n} matrix needs {(long)n * n} values, got {matrix.Length}.");
        _matrix = (double[])matrix.Clone();
        Dimension = n;
    }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        SymmetricOperatorChecks.Lengths(this, v, result);
        int n = Dimension;
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            var row = _matrix.AsSpan(i * n, n);
            for (int j = 0; j < n; j++) s += row[j] * v[j];
            result[i] = s;
        }
    }
}

/// <summary>Operations on any <see cref="ISymmetricOperator"/>.</summary>
public static class SymmetricOperatorExtensions
{
    /// <summary>
    /// The explicit n×n matrix (row-major), built column by column as A·e_j and then symmetrised as ½(A + Aᵀ)
    /// to remove the rounding asymmetry of the products. n products: for small models and reference checks.
    /// </summary>
    public static double[] ToDense(this ISymmetricOperator op)
    {
        ArgumentNullException.ThrowIfNull(op);
        int n = op.Dimension;
        var a = new double[n * n];
        var e = new double[n];
        var column = new double[n];
        for (int j = 0; j < n; j++)
        {
            e[j] = 1;
            op.Apply(e, column);
            e[j] = 0;
            for (int i = 0; i < n; i++) a[i * n + j] = column[i];
        }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                a[i * n + j] = a[j * n + i] = 0.5 * (a[i * n + j] + a[j * n + i]);
        return a;
    }
}

internal static class SymmetricOperatorChecks
{
    public static void Lengths(ISymmetricOperator op, ReadOnlySpan<double> v, Span<double> result)
    {
        if (v.Length != op.Dimension || result.Length != op.Dimension)
            throw new InvalidParameterException("v", $"operator of dimension {op.Dimension} applied to a vector of length {v.Length} into {result.Length}.");
    }
}
