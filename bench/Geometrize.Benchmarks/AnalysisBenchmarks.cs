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
    private const int Batch = 128, Input = 784, Width = 64, Blocks = 20, Classes = 10;
    private Tensor<float> _x = null!, _lift = null!, _liftBias = null!, _head = null!, _headBias = null!, _lifted = null!;
    private Tensor<float>[] _w1 = [], _b1 = [], _w2 = [], _b2 = [], _parameters = [];
    private int[] _labels = [];
    private HessianOperator<float> _hessian = null!;
    private double[] _v = [], _hv = [];

    /// <summary>Random data and weights (seeded).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        Tensor<float> P(params int[] s) => Tensor<float>.Randn(s, rng, std: 1.0 / Math.Sqrt(s[^1])).WithRequiresGrad();
        _x = Tensor<float>.Uniform([Batch, Input], rng);
        _labels = Enumerable.Range(0, Batch).Select(_ => rng.Next(Classes)).ToArray();
        _lift = P(Width, Input);
        _liftBias = P(Width);
        _w1 = Enumerable.Range(0, Blocks).Select(_ => P(Width, Width)).ToArray();
        _b1 = Enumerable.Range(0, Blocks).Select(_ => P(Width)).ToArray();
        _w2 = Enumerable.Range(0, Blocks).Select(_ => P(Width, Width)).ToArray();
        _b2 = Enumerable.Range(0, Blocks).Select(_ => P(Width)).ToArray();
        _head = P(Classes, Width);
        _headBias = P(Classes);
        _parameters = new[] { _lift, _liftBias, _head, _headBias }.Concat(_w1).Concat(_b1).Concat(_w2).Concat(_b2).ToArray();
        _hessian = new HessianOperator<float>(Loss, _parameters);
        _v = new double[_hessian.Dimension];
        _hv = new double[_hessian.Dimension];
        for (int i = 0; i < _v.Length; i++) _v[i] = rng.NextDouble() - 0.5;
        using (Autograd.NoGrad()) _lifted = _x.Linear(_lift, _liftBias);
    }

    private Tensor<float> Flow(Tensor<float> h)
    {
        const float step = 1f / Blocks;
        for (int k = 0; k < Blocks; k++)
            h = h + h.Linear(_w1[k], _b1[k]).Tanh().Linear(_w2[k], _b2[k]) * step;
        return h;
    }

    private Tensor<float> Loss() => Flow(_x.Linear(_lift, _liftBias)).Linear(_head, _headBias).CrossEntropy(_labels);

    /// <summary>Forward pass and gradient of the loss with respect to all parameters.</summary>
    [Benchmark(Baseline = true)]
    public float Gradient() => Autograd.Grad(Loss(), _parameters)[0].Data[0];

    /// <summary>One exact Hessian–vector product as the spectral tools call it.</summary>
    [Benchmark]
    public double HessianVectorProduct()
    {
        _hessian.Apply(_v, _hv);
        return _hv[0];
    }

    /// <summary>Jacobians ∂x_N/∂x_0 (64 × 64) of the 20-block flow for a batch of 128 lifted inputs, reverse mode.</summary>
    [Benchmark]
    public double FlowJacobianBatch() => FlowJacobian.Compute<float>(Flow, _lifted)[0][0];
}
