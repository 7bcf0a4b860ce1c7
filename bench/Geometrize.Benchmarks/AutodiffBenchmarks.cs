using BenchmarkDotNet.Attributes;
using Geometrize.Autodiff;
using Geometrize.Networks.Optimizers;

namespace Geometrize.Benchmarks;

/// <summary>
/// The differentiable core on a FlowNet-shaped residual network in float32 (784 → 64 lift, 20 blocks
/// x ← x + h·W₂tanh(W₁x + b₁) + b₂ with hidden width 64, 10-class head, batch 128): one training step
/// (forward, backward, Adam update) and one exact Hessian–vector product; plus a 1M-element broadcast product.
/// One Fashion-MNIST epoch is 469 such steps.
/// Run: <c>dotnet run -c Release --project bench/Geometrize.Benchmarks -- --filter '*Autodiff*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class AutodiffBenchmarks
{
    private const int Batch = FlowNetFixture.Batch, Input = FlowNetFixture.Input, Width = FlowNetFixture.Width, Blocks = FlowNetFixture.Blocks;
    private FlowNetFixture _net = null!;
    private Tensor<float>[] _v = [];
    private Adam<float> _adam = null!;
    private Tensor<float> _big = null!, _row = null!;

    /// <summary>Random data and weights (seeded).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _net = new FlowNetFixture(rng);
        _v = _net.Parameters.Select(p => Tensor<float>.Randn(p.Shape.ToArray(), rng)).ToArray();
        _adam = new Adam<float>(_net.Parameters, 1e-3);
        _big = Tensor<float>.Randn([1024, 1024], rng);
        _row = Tensor<float>.Randn([1024], rng);
    }

    /// <summary>Forward, backward and Adam update of one mini-batch.</summary>
    [Benchmark]
    public float FlowNetTrainingStep()
    {
        _adam.ZeroGrad();
        var loss = _net.Loss();
        loss.Backward();
        _adam.Step();
        return loss.Item();
    }

    /// <summary>One exact Hessian–vector product over all parameters (double backward).</summary>
    [Benchmark]
    public float FlowNetHessianVectorProduct() => Autograd.HessianVectorProduct(_net.Loss, _net.Parameters, _v)[0].Data[0];

    /// <summary>
    /// Only the matrix products a training step makes (forward x·Wᵀ, backward G·W and Gᵀ·X per layer), on preallocated
    /// buffers: the difference to <see cref="FlowNetTrainingStep"/> is the cost of everything else (elementwise
    /// kernels, graph, allocation).
    /// </summary>
    [Benchmark]
    public float FlowNetGemmOnly()
    {
        var tn = Numerics.LinearAlgebra.Transpose.No;
        var ty = Numerics.LinearAlgebra.Transpose.Yes;
        Numerics.LinearAlgebra.Gemm.Multiply<float>(_net.X.Data, _net.Lift.Data, _hBuf, Batch, Width, Input, tn, ty);
        Numerics.LinearAlgebra.Gemm.Multiply<float>(_hBuf, _net.X.Data, _liftGrad, Width, Input, Batch, ty, tn);
        for (int k = 0; k < 2 * Blocks; k++)
        {
            var w = (k & 1) == 0 ? _net.W1[k / 2].Data : _net.W2[k / 2].Data;
            Numerics.LinearAlgebra.Gemm.Multiply<float>(_hBuf, w, _hBuf2, Batch, Width, Width, tn, ty);
            Numerics.LinearAlgebra.Gemm.Multiply<float>(_hBuf2, w, _hBuf3, Batch, Width, Width, tn, tn);
            Numerics.LinearAlgebra.Gemm.Multiply<float>(_hBuf2, _hBuf, _wGrad, Width, Width, Batch, ty, tn);
        }
        return _hBuf3[0] + _liftGrad[0] + _wGrad[0];
    }

    private readonly float[] _hBuf = new float[Batch * Width], _hBuf2 = new float[Batch * Width], _hBuf3 = new float[Batch * Width];
    private readonly float[] _liftGrad = new float[Width * Input], _wGrad = new float[Width * Width];

    /// <summary>[1024, 1024] ⊙ [1024] with broadcasting.</summary>
    [Benchmark]
    public float BroadcastMultiply1M() => (_big * _row).Data[0];
}
