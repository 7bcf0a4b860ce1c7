using System.Numerics;
using Geometrize.Autodiff;

namespace Geometrize.Networks.Optimizers;

/// <summary>
/// Stochastic gradient descent with heavy-ball or Nesterov momentum and coupled L2 weight decay:
/// g ← ∇ + λθ; b ← μb + g; θ ← θ − η·(Nesterov ? g + μb : b) (PyTorch's convention, dampening 0).
/// </summary>
public sealed class Sgd<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly double[][] _buffers;

    /// <summary>Creates the optimiser.</summary>
    /// <param name="parameters">Tensors to update.</param>
    /// <param name="learningRate">η &gt; 0.</param>
    /// <param name="momentum">μ in [0, 1).</param>
    /// <param name="nesterov">Use Nesterov's look-ahead form (needs μ &gt; 0).</param>
    /// <param name="weightDecay">λ ≥ 0, added to the gradient as λθ (the gradient of (λ/2)‖θ‖²).</param>
    public Sgd(IReadOnlyList<Tensor<T>> parameters, double learningRate, double momentum = 0, bool nesterov = false, double weightDecay = 0)
        : base(parameters, learningRate)
    {
        if (!(momentum >= 0 && momentum < 1)) throw new InvalidParameterException("momentum", $"must lie in [0, 1), got {momentum}.");
        if (nesterov && momentum == 0) throw new InvalidParameterException("nesterov", "Nesterov momentum needs momentum > 0.");
        Momentum = momentum;
        Nesterov = nesterov;
        WeightDecay = NonNegative("weight-decay", weightDecay);
        _buffers = Parameters.Select(p => momentum > 0 ? new double[p.Length] : []).ToArray();
    }

    /// <summary>Momentum μ.</summary>
    public double Momentum { get; }
    /// <summary>Whether the Nesterov form is used.</summary>
    public bool Nesterov { get; }
    /// <summary>Coupled L2 weight decay λ.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    public override void Step()
    {
        double lr = LearningRate, mu = Momentum, wd = WeightDecay;
        for (int k = 0; k < Parameters.Count; k++)
        {
            var p = Parameters[k];
            if (p.Grad is null) continue;
            var x = p.Data;
            var g = p.Grad.Data;
            var b = _buffers[k];
            for (int i = 0; i < x.Length; i++)
            {
                double xi = double.CreateTruncating(x[i]);
                double gi = double.CreateTruncating(g[i]) + wd * xi;
                if (mu > 0)
                {
                    b[i] = mu * b[i] + gi;
                    gi = Nesterov ? gi + mu * b[i] : b[i];
                }
                x[i] = T.CreateTruncating(xi - lr * gi);
            }
        }
    }
}
