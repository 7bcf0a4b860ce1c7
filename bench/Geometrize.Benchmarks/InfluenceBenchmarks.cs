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

/// <summary>
/// Influence per test point on an MLP 784-32-10 (tanh, 25 450 parameters, double) through
/// <see cref="NetworkInfluenceModel{T}"/>, where every gradient and Hessian–vector product comes from automatic
/// differentiation: one full-batch HVP, the n per-example gradients, and the whole influence computation (s_test solve
/// plus all per-example gradients) with a fixed budget of 50 CG iterations or LiSSA depth 50 (full-batch products),
/// so that the figures measure cost per test point independently of conditioning. Data: n = 1000 seeded synthetic
/// 10-class images; the network gets 30 L-BFGS iterations (λ = 0.01) and damping 0.1 keeps H + δI positive definite
/// away from the optimum, so CG never stops early on negative curvature.
/// Run: <c>dotnet run -c Release --project bench/Geometrize.Benchmarks -- --filter '*MlpInfluence*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class MlpInfluenceBenchmarks
{
    private const int N = 1000, D = 784, Classes = 10, Iterations = 50, Chunk = 50;
    private const double L2 = 0.01, Damping = 0.1;
    private EmpiricalRisk<double> _risk = null!;
    private Dataset _test = null!;
    private double[] _v = [], _hv = [], _gradients = [];
    private int[] _all = [];
    private LissaInverseHvp _lissa = null!;

    /// <summary>Synthetic images with labels from a random linear map (argmax), a short L-BFGS fit, and the LiSSA scale estimate.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(11);
        var map = Enumerable.Range(0, Classes * D).Select(_ => rng.NextDouble() - 0.5).ToArray();
        Dataset Make(int n)
        {
            var x = new float[n * D];
            var y = new int[n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < D; j++) x[i * D + j] = (float)rng.NextDouble();
                y[i] = Enumerable.Range(0, Classes).MaxBy(c => Enumerable.Range(0, D).Sum(j => map[c * D + j] * (x[i * D + j] - 0.5)));
            }
            return Dataset.Classification("synthetic-images-10", x, [D], y, Classes);
        }
        var train = Make(N);
        _test = Make(10);
        var net = new Geometrize.Networks.Models.ModelArchitecture
        {
            Kind = Geometrize.Networks.Models.ModelKind.Mlp, InputDimension = D, OutputDimension = Classes, Width = 32, Depth = 1, Seed = 1,
        }.Create<double>();
        var model = new NetworkInfluenceModel<double>(net, InfluenceLoss.CrossEntropy);
        _risk = new EmpiricalRisk<double>(model, train, L2);
        new Geometrize.Networks.Optimizers.Lbfgs<double>(model.Parameters, maxIterations: 30).Step(_risk.Objective);
        _v = Enumerable.Range(0, _risk.Dimension).Select(i => Math.Sin(i)).ToArray();
        _hv = new double[_risk.Dimension];
        _gradients = new double[Chunk * _risk.Dimension];
        _all = Enumerable.Range(0, N).ToArray();
        _lissa = new LissaInverseHvp(_risk, Damping, depth: Iterations);
    }

    /// <summary>One full-batch Hessian–vector product (double backward over 1000 examples).</summary>
    [Benchmark]
    public double HessianVectorProduct()
    {
        _risk.Multiply(_v, _hv);
        return _hv[0];
    }

    /// <summary>∇ℓ(z_i) for all 1000 training points (one reverse pass each), in chunks of 50 rows.</summary>
    [Benchmark]
    public double PerExampleGradients()
    {
        double sum = 0;
        for (int s = 0; s < N; s += Chunk)
        {
            _risk.ExampleGradients(_risk.Training, _all.AsSpan(s, Chunk), _gradients);
            sum += _gradients[0];
        }
        return sum;
    }

    /// <summary>Influence of all 1000 points on one test point: 50 CG iterations for s_test, then all per-example gradients.</summary>
    [Benchmark]
    public double ConjugateGradientInfluence() =>
        new InfluenceFunctions<double>(_risk, new ConjugateGradientInverseHvp(_risk, Damping, tolerance: 1e-300, maxIterations: Iterations)).Compute(_test, 0).Influence[0];

    /// <summary>Influence of all 1000 points on one test point: LiSSA depth 50 (full batch, scale estimated once in setup), then all per-example gradients.</summary>
    [Benchmark]
    public double LissaInfluence() => new InfluenceFunctions<double>(_risk, _lissa).Compute(_test, 0).Influence[0];
}
