using Geometrize.Numerics.LinearAlgebra;

namespace Geometrize.Tests.Numerics;

/// <summary>Cholesky factorisation against a matrix built from a known factor.</summary>
public class CholeskyTests
{
    /// <summary>A = L Lᵀ from a random lower-triangular L with positive diagonal.</summary>
    private static (double[] A, double[] L) FromFactor(int n, int seed)
    {
        var rng = new Random(seed);
        var l = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++) l[i * n + j] = rng.NextDouble() - 0.5;
            l[i * n + i] = 0.5 + rng.NextDouble();
        }
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k <= Math.Min(i, j); k++) a[i * n + j] += l[i * n + k] * l[j * n + k];
        return (a, l);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(40)]
    public void RecoversTheFactorSolvesAndGivesTheDeterminant(int n)
    {
        var (a, l) = FromFactor(n, n);
        var c = Cholesky.Factorize(a, n);
        for (int i = 0; i < n * n; i++) Assert.Equal(l[i], c.Factor[i], 1e-12);
        double logDet = 0;
        for (int i = 0; i < n; i++) logDet += 2 * Math.Log(l[i * n + i]);
        Assert.Equal(logDet, c.LogDeterminant, 1e-10);
        var x = Enumerable.Range(0, n).Select(i => Math.Cos(i)).ToArray();
        var b = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) b[i] += a[i * n + j] * x[j];
        var solved = new double[n];
        c.Solve(b, solved);
        for (int i = 0; i < n; i++) Assert.Equal(x[i], solved[i], 1e-10);
        c.Solve(b, b); // in place
        for (int i = 0; i < n; i++) Assert.Equal(x[i], b[i], 1e-10);
    }

    [Fact]
    public void IndefiniteAndSingularMatricesAreDetected()
    {
        Assert.False(Cholesky.TryFactor([1, 2, 2, 1], 2, out _, out int pivot, out double value));
        Assert.Equal(1, pivot);
        Assert.Equal(-3, value, 1e-15);
        // Rank one v vᵀ: round-off leaves a tiny pivot, which must still count as singular.
        double[] v = [0.3, 0.7, 1.1];
        var a = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) a[i * 3 + j] = v[i] * v[j];
        var ex = Assert.Throws<NotPositiveDefiniteException>(() => Cholesky.Factorize(a, 3));
        Assert.Equal(1, ex.Pivot);
        Assert.Throws<InvalidParameterException>(() => Cholesky.Factorize([1, double.NaN, double.NaN, 1], 2));
        Assert.Throws<InvalidParameterException>(() => Cholesky.Factorize([1, 0, 0], 2));
        Assert.Throws<InvalidParameterException>(() => Cholesky.Factorize([1.0], 1).Solve([1.0, 2.0], new double[2]));
    }
}
