using Geometrize.Numerics.LinearAlgebra;
using Xunit;

namespace Geometrize.Tests.Numerics;

public class GemmTests
{
    [Theory]
    [InlineData(1, 1, 1, false, false)]
    [InlineData(7, 5, 3, false, false)]
    [InlineData(7, 5, 3, true, false)]
    [InlineData(7, 5, 3, false, true)]
    [InlineData(33, 65, 17, true, true)]
    public void MatchesNaiveTripleLoop(int m, int n, int k, bool ta, bool tb)
    {
        var rng = new Random(m * 100 + n * 10 + k);
        var a = Enumerable.Range(0, m * k).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var c = Enumerable.Range(0, m * n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var expected = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                expected[i * n + j] = 0.5 * s - 2 * c[i * n + j];
            }
        Gemm.Multiply<double>(a, b, c, m, n, k, ta ? Transpose.Yes : Transpose.No, tb ? Transpose.Yes : Transpose.No, 0.5, -2.0);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], c[i], 1e-12);
    }
}
