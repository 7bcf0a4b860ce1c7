using BenchmarkDotNet.Attributes;
using Geometrize.Analysis;
using Geometrize.Autodiff;

namespace Geometrize.Benchmarks;

/// <summary>
/// Cost unit of the Hessian tools on a FlowNet-sized network in float32 (784 → 64 lift, 20 residual blocks
/// x ← x + h·(W₂tanh(W₁x + b₁) + b₂) with hidden width 64, 10-class head, batch 128, 217,290 parameters): one loss
/// gradient (the baseline), one exact Hessian–vector product through <see cref="HessianOperator{T}"/> (double
/// backward plus the double↔float flattening), and one flow-map Jacobian batch (64 reverse passes).
/// The target is HVP ≤ 4× the gradient.
/// Run: <c>dotnet run -c Release --project bench/Geometrize.Benchmarks -- --filter '*AnalysisBenchmarks*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class AnalysisBenchmarks
{
    private FlowNetFixture _net = null!;
    private Tensor<float> _lifted = null!;
    private HessianOperator<float> _hessian = null!;
    private double[] _v = [], _hv = [];

    /// <summary>Random data and weights (seeded).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _net = new FlowNetFixture(rng);
        _hessian = new HessianOperator<float>(_net.Loss, _net.Parameters);
        _v = new double[_hessian.Dimension];
        _hv = new double[_hessian.Dimension];
        for (int i = 0; i < _v.Length; i++) _v[i] = rng.NextDouble() - 0.5;
        using (Autograd.NoGrad()) _lifted = _net.X.Linear(_net.Lift, _net.LiftBias);
    }

    /// <summary>Forward pass and gradient of the loss with respect to all parameters.</summary>
    [Benchmark(Baseline = true)]
    public float Gradient() => Autograd.Grad(_net.Loss(), _net.Parameters)[0].Data[0];

    /// <summary>One exact Hessian–vector product as the spectral tools call it.</summary>
    [Benchmark]
    public double HessianVectorProduct()
    {
        _hessian.Apply(_v, _hv);
        return _hv[0];
    }

    /// <summary>Jacobians ∂x_N/∂x_0 (64 × 64) of the 20-block flow for a batch of 128 lifted inputs, reverse mode.</summary>
    [Benchmark]
    public double FlowJacobianBatch() => FlowJacobian.Compute<float>(_net.Flow, _lifted)[0][0];
}
