using Geometrize.Autodiff;

namespace Geometrize.Tests.Autodiff;

public class AutogradTests
{
    [Fact]
    public void QuadraticFormHasGradientAxAndHessianVectorProductAvExactly()
    {
        var rng = new Random(1);
        int n = 6;
        var b = Tensor<double>.Randn([n, n], rng);
        var a = b + b.Transpose(); // symmetric
        var x = Tensor<double>.Randn([n, 1], rng).WithRequiresGrad();
        var v = Tensor<double>.Randn([n, 1], rng);
        Func<Tensor<double>> f = () => (x * a.MatMul(x)).Sum() * 0.5;
        var g = Autograd.Grad(f(), [x])[0];
        var hv = Autograd.HessianVectorProduct(f, [x], [v])[0];
        var ax = a.MatMul(x.Detach());
        var av = a.MatMul(v);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(ax.Data[i], g.Data[i], 1e-13);
            Assert.Equal(av.Data[i], hv.Data[i], 1e-13);
        }
    }

    [Fact]
    public void LogisticLossHessianEqualsClosedFormXtDXOverN()
    {
        var rng = new Random(2);
        int n = 20, d = 4;
        var X = Tensor<double>.Randn([n, d], rng);
        var y = Tensor<double>.FromArray([n, 1], Enumerable.Range(0, n).Select(_ => (double)rng.Next(2)).ToArray());
        var w = Tensor<double>.Randn([d, 1], rng, std: 0.5).WithRequiresGrad();
        Func<Tensor<double>> loss = () =>
        {
            var z = X.MatMul(w);
            return (z.Softplus() - y * z).Mean();
        };
        var z0 = X.MatMul(w.Detach());
        for (int c = 0; c < d; c++)
        {
            var e = Tensor<double>.Zeros(d, 1);
            e.Data[c] = 1;
            var column = Autograd.HessianVectorProduct(loss, [w], [e])[0];
            for (int r = 0; r < d; r++)
            {
                double h = 0;
                for (int i = 0; i < n; i++)
                {
                    double s = 1 / (1 + Math.Exp(-z0.Data[i]));
                    h += X.Data[i * d + r] * s * (1 - s) * X.Data[i * d + c];
                }
                Assert.Equal(h / n, column.Data[r], 1e-13);
            }
        }
    }

    [Fact]
    public void BackwardAccumulatesIntoLeavesAndSharedSubexpressionsAreSummed()
    {
        var x = Tensor<double>.FromArray([3], [0.5, -1, 2]).WithRequiresGrad();
        var yy = x * x;
        var z = (yy + yy * yy).Sum();
        z.Backward();
        for (int i = 0; i < 3; i++)
        {
            double xi = x.Data[i];
            Assert.Equal(2 * xi + 4 * xi * xi * xi, x.Grad!.Data[i], 1e-12);
        }
        (x * x).Sum().Backward();
        for (int i = 0; i < 3; i++)
        {
            double xi = x.Data[i];
            Assert.Equal(4 * xi + 4 * xi * xi * xi, x.Grad!.Data[i], 1e-12);
        }
        Assert.False(x.Grad!.RequiresGrad);
    }

    [Fact]
    public void NoGradRecordsNothingAndDetachCutsTheGraph()
    {
        var x = Tensor<double>.FromArray([2], [3, 4]).WithRequiresGrad();
        using (Autograd.NoGrad())
        {
            var y = x * x;
            Assert.False(y.RequiresGrad);
            Assert.True(y.IsLeaf);
            Assert.False(Autograd.IsGradEnabled);
        }
        Assert.True(Autograd.IsGradEnabled);
        var g = Autograd.Grad((x * x.Detach()).Sum(), [x])[0];
        Assert.Equal(new double[] { 3, 4 }, g.Data);
        Assert.Same(x.Data, x.Detach().Data);
    }

    [Fact]
    public void UnusedInputsGetZerosAndInputsWithoutGradientsAreRejected()
    {
        var x = Tensor<double>.Ones(2).WithRequiresGrad();
        var u = Tensor<double>.Ones(3).WithRequiresGrad();
        var g = Autograd.Grad(x.Sum(), [x, u]);
        Assert.Equal(new double[] { 0, 0, 0 }, g[1].Data);
        var c = Tensor<double>.Ones(2);
        var ex = Assert.Throws<InvalidParameterException>(() => Autograd.Grad((x * c).Sum(), [c]));
        Assert.Contains("WithRequiresGrad", ex.Message);
    }

    [Fact]
    public void GradientsOfGradientsGiveThirdDerivatives()
    {
        var x = Tensor<double>.FromArray([1], [0.7]).WithRequiresGrad();
        var f = x.Pow(4.0).Sum();
        var g1 = Autograd.Grad(f, [x], createGraph: true)[0];
        var g2 = Autograd.Grad(g1.Sum(), [x], createGraph: true)[0];
        var g3 = Autograd.Grad(g2.Sum(), [x])[0];
        Assert.Equal(4 * Math.Pow(0.7, 3), g1.Data[0], 1e-13);
        Assert.Equal(12 * 0.49, g2.Data[0], 1e-13);
        Assert.Equal(24 * 0.7, g3.Data[0], 1e-13);
    }

    [Fact]
    public void LongChainsDoNotOverflowTheStack()
    {
        var x = Tensor<double>.FromArray([1], [1.0]).WithRequiresGrad();
        var y = x;
        for (int i = 0; i < 20000; i++) y = y * 1.0001;
        var g = Autograd.Grad(y.Sum(), [x])[0];
        Assert.Equal(Math.Pow(1.0001, 20000), g.Data[0], 1e-9);
    }
}
