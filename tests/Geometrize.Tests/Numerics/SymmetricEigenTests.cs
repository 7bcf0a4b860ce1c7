using Geometrize.Numerics.LinearAlgebra;

namespace Geometrize.Tests.Numerics;

/// <summary>Cyclic Jacobi against matrices with known spectra, plus the eigen-equation and orthogonality invariants.</summary>
public class SymmetricEigenTests
{
    [Fact]
    public void TwoByTwoHasKnownEigenpairs()
    {
        var (values, vectors) = SymmetricEigen.Decompose([2.0, 1.0, 1.0, 2.0], 2);
        Assert.Equal(1.0, values[0], 14);
        Assert.Equal(3.0, values[1], 14);
        // λ = 1 ↔ (1, −1)/√2, λ = 3 ↔ (1, 1)/√2, up to sign
        Assert.Equal(-1.0, vectors[0] * vectors[2] * 2, 12);
        Assert.Equal(1.0, vectors[1] * vectors[3] * 2, 12);
    }

    [Fact]
    public void DiscreteLaplacianMatchesCosineFormula()
    {
        const int n = 15;
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            a[i * n + i] = 2;
            if (i + 1 < n) a[i * n + i + 1] = a[(i + 1) * n + i] = -1;
        }
        var values = SymmetricEigen.Eigenvalues(a, n);
        for (int k = 1; k <= n; k++)
            Assert.Equal(2 - 2 * Math.Cos(k * Math.PI / (n + 1)), values[k - 1], 12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(24)]
    public void RecoversPrescribedSpectrumWithRepeatedAndNegativeValues(int n)
    {
        var rng = new Random(n);
        var q = RandomOrthogonal(n, rng);
        var lambda = Enumerable.Range(0, n).Select(i => i % 3 == 0 ? 2.5 : rng.NextDouble() * 20 - 10).ToArray();
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++) a[i * n + j] += q[i * n + k] * lambda[k] * q[j * n + k];
        var (values, vectors) = SymmetricEigen.Decompose(a, n);
        var expected = lambda.OrderBy(v => v).ToArray();
        for (int i = 0; i < n; i++) Assert.Equal(expected[i], values[i], 11);
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < n; i++)
            {
                double av = 0;
                for (int k = 0; k < n; k++) av += a[i * n + k] * vectors[k * n + j];
                Assert.Equal(values[j] * vectors[i * n + j], av, 10); // A v = λ v
            }
            for (int l = 0; l < n; l++)
            {
                double dot = 0;
                for (int k = 0; k < n; k++) dot += vectors[k * n + j] * vectors[k * n + l];
                Assert.Equal(j == l ? 1.0 : 0.0, dot, 12); // VᵀV = I
            }
        }
    }

    [Fact]
    public void ZeroMatrixGivesZerosAndIdentity()
    {
        var (values, vectors) = SymmetricEigen.Decompose(new double[9], 3);
        Assert.All(values, v => Assert.Equal(0.0, v));
        Assert.Equal([1.0, 0, 0, 0, 1, 0, 0, 0, 1], vectors);
    }

    [Fact]
    public void ShortInputIsRejected()
    {
        Assert.Throws<InvalidParameterException>(() => SymmetricEigen.Decompose(new double[8], 3));
        Assert.Throws<InvalidParameterException>(() => SymmetricEigen.Decompose(new double[1], -1));
    }

    [Fact]
    public void LogDeterminantMatchesProductOfPivotsAndSingularValues()
    {
        // needs a row swap: the (0,0) entry is zero
        double[] a = [0, 2, 1, 3, 1, 0, 1, 1, 4];
        double det = 0 * (1 * 4 - 0 * 1) - 2 * (3 * 4 - 0 * 1) + 1 * (3 * 1 - 1 * 1); // cofactor expansion: −22
        Assert.Equal(Math.Log(Math.Abs(det)), LogDeterminant.Of(a, 3), 13);
        Assert.Equal([0.0, 2, 1, 3, 1, 0, 1, 1, 4], a); // input untouched

        var rng = new Random(3);
        const int n = 9;
        var m = Enumerable.Range(0, n * n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var gram = new double[n * n];
        Gemm.Multiply<double>(m, m, gram, n, n, n, Transpose.Yes, Transpose.No);
        double half = 0.5 * SymmetricEigen.Eigenvalues(gram, n).Sum(Math.Log); // ½ log det(MᵀM) = Σ log σ
        Assert.Equal(half, LogDeterminant.Of(m, n), 9);
        Assert.Equal(double.NegativeInfinity, LogDeterminant.Of([1.0, 2, 2, 4], 2));
    }

    /// <summary>A random n×n orthogonal matrix (row-major), by modified Gram–Schmidt on random columns.</summary>
    internal static double[] RandomOrthogonal(int n, Random rng)
    {
        var q = Enumerable.Range(0, n * n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        for (int j = 0; j < n; j++) // modified Gram–Schmidt on columns
        {
            for (int l = 0; l < j; l++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += q[i * n + j] * q[i * n + l];
                for (int i = 0; i < n; i++) q[i * n + j] -= dot * q[i * n + l];
            }
            double norm = Math.Sqrt(Enumerable.Range(0, n).Sum(i => q[i * n + j] * q[i * n + j]));
            for (int i = 0; i < n; i++) q[i * n + j] /= norm;
        }
        return q;
    }
}
