using BenchmarkDotNet.Attributes;
using Geometrize.Analysis.Influence;
using Geometrize.Networks.Data;

namespace Geometrize.Benchmarks;

/// <summary>
/// Influence functions on binary logistic regression of the size the issue validates (n = 2000 training points,
/// 784 inputs, 785 parameters, L2 0.01), on seeded synthetic images so the benchmark needs no data files: the dense
/// Hessian, one closed-form Hessian–vector product, and the influence of all 2000 points on one test point with the
/// exact (Hessian + Cholesky + one solve + all per-example gradients) and conjugate-gradient solvers.
/// Run: <c>dotnet run -c Release --project bench/Geometrize.Benchmarks -- --filter '*Influence*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class InfluenceBenchmarks
{
    private const int N = 2000, D = 784;
    private EmpiricalRisk<double> _risk = null!;
    private Dataset _test = null!;
    private double[] _v = [], _hv = [], _hessian = [];

    /// <summary>Synthetic two-class images (uniform pixels, labels from a noisy random hyperplane) and Newton training to ‖∇R‖ ≤ 1e-10.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(7);
        var normal = Enumerable.Range(0, D).Select(_ => rng.NextDouble() - 0.5).ToArray();
        Dataset Make(int n)
        {
            var x = new float[n * D];
            var y = new int[n];
            for (int i = 0; i < n; i++)
            {
                double z = 0;
                for (int j = 0; j < D; j++)
                {
                    x[i * D + j] = (float)rng.NextDouble();
                    z += normal[j] * (x[i * D + j] - 0.5);
                }
                y[i] = z + 0.5 * (rng.NextDouble() - 0.5) > 0 ? 1 : 0;
            }
            return Dataset.Classification("synthetic-images", x, [D], y, 2);
        }
        var train = Make(N);
        _test = Make(10);
        _risk = new EmpiricalRisk<double>(new LogisticInfluenceModel<double>(D), train, 0.01);
        NewtonMinimizer.Minimize(_risk, 1e-10);
        _v = Enumerable.Range(0, D + 1).Select(i => Math.Sin(i)).ToArray();
        _hv = new double[D + 1];
        _hessian = new double[(D + 1) * (D + 1)];
    }

    /// <summary>The dense 785×785 Hessian of the risk (closed form, lower triangle + mirror).</summary>
    [Benchmark]
    public double DenseHessian()
    {
        _risk.DenseMatrix(_hessian);
        return _hessian[0];
    }

    /// <summary>One full-batch Hessian–vector product (closed form).</summary>
    [Benchmark]
    public double HessianVectorProduct()
    {
        _risk.Multiply(_v, _hv);
        return _hv[0];
    }

    /// <summary>Influence of all 2000 training points on one test point, exact solver (Hessian and factorisation included).</summary>
    [Benchmark]
    public double ExactInfluenceAllPoints() => new InfluenceFunctions<double>(_risk, new ExactInverseHvp(_risk)).Compute(_test, 0).Influence[0];

    /// <summary>Influence of all 2000 training points on one test point, conjugate gradient to relative residual 1e-8.</summary>
    [Benchmark]
    public double ConjugateGradientInfluenceAllPoints() =>
        new InfluenceFunctions<double>(_risk, new ConjugateGradientInverseHvp(_risk, tolerance: 1e-8, maxIterations: 2000)).Compute(_test, 0).Influence[0];
}
