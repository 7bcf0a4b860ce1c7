using Geometrize.Optimization;

namespace Geometrize.Tests.Optimization;

public class OptimizerTests
{
    /// <summary>Rosenbrock in n dimensions: minimum 0 at (1, …, 1).</summary>
    private sealed class Rosenbrock(int n) : IObjective<double>
    {
        public int Dimension => n;
        public int Calls;
        public double Evaluate(ReadOnlySpan<double> x, Span<double> g)
        {
            Calls++;
            double e = 0;
            g.Clear();
            for (int i = 0; i < n - 1; i++)
            {
                double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
                e += 100 * a * a + b * b;
                g[i] += -400 * a * x[i] - 2 * b;
                g[i + 1] += 200 * a;
            }
            return e;
        }
    }

    /// <summary>E(x) = ½ xᵀAx − bᵀx with A diagonal: minimiser A⁻¹b.</summary>
    private sealed class Quadratic(double[] diag, double[] b) : IObjective<float>
    {
        public int Dimension => diag.Length;
        public double Evaluate(ReadOnlySpan<float> x, Span<float> g)
        {
            double e = 0;
            for (int i = 0; i < diag.Length; i++)
            {
                e += 0.5 * diag[i] * x[i] * x[i] - b[i] * x[i];
                g[i] = (float)(diag[i] * x[i] - b[i]);
            }
            return e;
        }
    }

    [Fact]
    public void LbfgsSolvesRosenbrock()
    {
        var f = new Rosenbrock(6);
        var x = new double[6];
        var r = new Lbfgs<double>(new OptimizerOptions { MaxIterations = 500, GradientTolerance = 1e-10, EnergyTolerance = 0 }, 7).Minimize(f, x);
        Assert.True(r.Energy < 1e-12, $"energy {r.Energy} after {r.Iterations} iterations ({r.Reason})");
        foreach (double v in x) Assert.Equal(1.0, v, 5);
    }

    [Fact]
    public void GradientDescentDecreasesRosenbrockMonotonically()
    {
        var f = new Rosenbrock(2);
        var x = new double[] { -1.2, 1 };
        double last = double.PositiveInfinity;
        var o = new OptimizerOptions { MaxIterations = 3000, EnergyTolerance = 0, GradientTolerance = 1e-8, Progress = i => { Assert.True(i.Energy <= last); last = i.Energy; } };
        var r = new GradientDescent<double>(o, initialStep: 1e-3).Minimize(f, x);
        Assert.True(r.Energy < 1e-3, $"energy {r.Energy}");
    }

    [Fact]
    public void FloatQuadraticReachesItsMinimiser()
    {
        var diag = Enumerable.Range(1, 50).Select(i => (double)i).ToArray();
        var b = Enumerable.Range(1, 50).Select(i => Math.Sin(i)).ToArray();
        var x = new float[50];
        var r = new Lbfgs<float>(new OptimizerOptions { MaxIterations = 200, GradientTolerance = 1e-5, EnergyTolerance = 0 }).Minimize(new Quadratic(diag, b), x);
        for (int i = 0; i < 50; i++) Assert.Equal(b[i] / diag[i], x[i], 4);
        Assert.NotEqual(StopReason.LineSearchFailed, r.Reason);
    }

    /// <summary>With a metric M, the Riesz gradient M⁻¹∇E must lead to the same minimiser.</summary>
    [Fact]
    public void MetricGradientReachesTheSameMinimiser()
    {
        var diag = Enumerable.Range(1, 30).Select(i => 1.0 + i * i).ToArray();
        var b = Enumerable.Range(1, 30).Select(i => Math.Cos(i)).ToArray();
        var metricDiag = Enumerable.Range(1, 30).Select(i => 0.5 + i).ToArray();
        var f = new MetricQuadratic(diag, b, metricDiag);
        MetricOperator<double> m = (a, r) => { for (int i = 0; i < a.Length; i++) r[i] = metricDiag[i] * a[i]; };
        foreach (bool lbfgs in new[] { true, false })
        {
            var x = new double[30];
            var o = new OptimizerOptions { MaxIterations = 5000, GradientTolerance = 1e-9, EnergyTolerance = 0 };
            var r = lbfgs ? new Lbfgs<double>(o, 5, m).Minimize(f, x) : new GradientDescent<double>(o, m).Minimize(f, x);
            for (int i = 0; i < 30; i++) Assert.Equal(b[i] / diag[i], x[i], 6);
            Assert.NotEqual(StopReason.LineSearchFailed, r.Reason);
        }
    }

    /// <summary>½xᵀAx − bᵀx whose gradient is returned in the metric diag(w): g = W⁻¹(Ax − b).</summary>
    private sealed class MetricQuadratic(double[] diag, double[] b, double[] w) : IObjective<double>
    {
        public int Dimension => diag.Length;
        public double Evaluate(ReadOnlySpan<double> x, Span<double> g)
        {
            double e = 0;
            for (int i = 0; i < diag.Length; i++)
            {
                e += 0.5 * diag[i] * x[i] * x[i] - b[i] * x[i];
                g[i] = (diag[i] * x[i] - b[i]) / w[i];
            }
            return e;
        }
    }

    [Fact]
    public void CancellationStopsImmediately()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var r = new Lbfgs<double>().Minimize(new Rosenbrock(3), new double[3], cts.Token);
        Assert.Equal(StopReason.Cancelled, r.Reason);
        Assert.Equal(0, r.Iterations);
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        Assert.Throws<InvalidParameterException>(() => new Lbfgs<double>(new OptimizerOptions { MaxIterations = -1 }));
        Assert.Throws<InvalidParameterException>(() => new Lbfgs<double>(history: 0));
        Assert.Throws<InvalidParameterException>(() => new GradientDescent<double>(initialStep: 0));
    }

    [Fact]
    public void TaylorTestSeesSecondOrderForExactGradientAndFirstOrderForWrongOne()
    {
        var f = new Rosenbrock(4);
        var x = new[] { 0.3, -0.2, 0.5, 0.9 };
        var g = new double[4];
        f.Evaluate(x, g);
        var dir = new[] { 0.7, -0.1, 0.4, 0.2 };
        double E(double[] p) => f.Evaluate(p, new double[4]);
        var good = TaylorTest.Run(E, x, g, dir);
        Assert.True(good.MinimumOrder(1e-12) > 1.9, good.ToString());
        var wrong = (double[])g.Clone();
        wrong[1] *= 1.01;
        var bad = TaylorTest.Run(E, x, wrong, dir);
        Assert.True(bad.Orders[^1] < 1.2, bad.ToString());
    }
}
