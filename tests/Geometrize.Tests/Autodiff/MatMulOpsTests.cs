using Geometrize.Autodiff;

namespace Geometrize.Tests.Autodiff;

public class MatMulOpsTests
{
    private static double[] Naive(double[] a, double[] b, int m, int n, int k, bool ta, bool tb)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++)
                    c[i * n + j] += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
        return c;
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void TwoDimensionalProductAndGradientsWithTransposeFlags(bool ta, bool tb)
    {
        var rng = new Random(ta ? 1 : 2 + (tb ? 4 : 0));
        int m = 3, n = 4, k = 5;
        var a = GradCheck.Rand(rng, ta ? [k, m] : [m, k]);
        var b = GradCheck.Rand(rng, tb ? [n, k] : [k, n]);
        var c = a.MatMul(b, ta, tb);
        Assert.Equal(new[] { m, n }, c.Shape);
        var e = Naive(a.Data, b.Data, m, n, k, ta, tb);
        for (int i = 0; i < e.Length; i++) Assert.Equal(e[i], c.Data[i], 1e-12);
        GradCheck.Both(t => t[0].MatMul(t[1], ta, tb), a, b);
        GradCheck.Both(t => t[0].MatMul(t[1], ta, tb).Tanh(), a, b);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void BatchedProductMatchesPerBatchProducts(bool ta, bool tb)
    {
        var rng = new Random(5);
        int batch = 3, m = 2, n = 4, k = 3;
        var a = GradCheck.Rand(rng, ta ? [batch, k, m] : [batch, m, k]);
        var b = GradCheck.Rand(rng, tb ? [batch, n, k] : [batch, k, n]);
        var c = a.MatMul(b, ta, tb);
        Assert.Equal(new[] { batch, m, n }, c.Shape);
        for (int p = 0; p < batch; p++)
        {
            var e = Naive(a.Data[(p * m * k)..((p + 1) * m * k)], b.Data[(p * k * n)..((p + 1) * k * n)], m, n, k, ta, tb);
            for (int i = 0; i < e.Length; i++) Assert.Equal(e[i], c.Data[p * m * n + i], 1e-12);
        }
        GradCheck.Both(t => t[0].MatMul(t[1], ta, tb).Sigmoid(), a, b);
    }

    [Fact]
    public void ThreeByTwoAndLinearMatchFiniteDifferences()
    {
        var rng = new Random(6);
        var x = GradCheck.Rand(rng, 2, 3, 4);
        var w = GradCheck.Rand(rng, 4, 5);
        GradCheck.Both(t => t[0].MatMul(t[1]).Tanh(), x, w);
        var x2 = GradCheck.Rand(rng, 6, 4);
        var weight = GradCheck.Rand(rng, 3, 4);
        var bias = GradCheck.Rand(rng, 3);
        var y = x2.Linear(weight, bias);
        Assert.Equal(new[] { 6, 3 }, y.Shape);
        double y00 = bias.Data[0];
        for (int p = 0; p < 4; p++) y00 += x2.Data[p] * weight.Data[p];
        Assert.Equal(y00, y.Data[0], 1e-12);
        GradCheck.Both(t => t[0].Linear(t[1], t[2]).Softplus(), x2, weight, bias);
    }

    [Fact]
    public void FloatProductAgreesWithDouble()
    {
        var rng = new Random(7);
        var a = Tensor<double>.Randn([33, 17], rng);
        var b = Tensor<double>.Randn([17, 9], rng);
        var cd = a.MatMul(b);
        var cf = Tensor<float>.FromArray([33, 17], a.Data.Select(v => (float)v).ToArray())
            .MatMul(Tensor<float>.FromArray([17, 9], b.Data.Select(v => (float)v).ToArray()));
        for (int i = 0; i < cd.Length; i++) Assert.Equal(cd.Data[i], cf.Data[i], 1e-4);
    }
}
