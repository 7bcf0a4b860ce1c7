using System.Numerics;
using Geometrize.Autodiff;

namespace Geometrize.Networks.Optimizers;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) with bias-corrected moments: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
/// θ ← θ − η m̂/(√v̂ + ε). Weight decay is either coupled L2 (added to g) or decoupled as in AdamW
/// (Loshchilov &amp; Hutter 2019: θ ← θ(1 − ηλ) before the Adam step).
/// </summary>
public sealed class Adam<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly double[][] _m, _v;
    private int _t;

    /// <summary>Creates the optimiser (defaults as in the paper).</summary>
    public Adam(IReadOnlyList<Tensor<T>> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0, bool decoupledWeightDecay = false)
        : base(parameters, learningRate)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new InvalidParameterException("beta1", $"must lie in [0, 1), got {beta1}.");
        if (!(beta2 >= 0 && beta2 < 1)) throw new InvalidParameterException("beta2", $"must lie in [0, 1), got {beta2}.");
        if (!(epsilon > 0)) throw new InvalidParameterException("epsilon", $"must be positive, got {epsilon}.");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = NonNegative("weight-decay", weightDecay);
        DecoupledWeightDecay = decoupledWeightDecay;
        _m = Parameters.Select(p => new double[p.Length]).ToArray();
        _v = Parameters.Select(p => new double[p.Length]).ToArray();
    }

    /// <summary>β₁, decay of the first moment.</summary>
    public double Beta1 { get; }
    /// <summary>β₂, decay of the second moment.</summary>
    public double Beta2 { get; }
    /// <summary>ε in the denominator.</summary>
    public double Epsilon { get; }
    /// <summary>Weight decay λ.</summary>
    public double WeightDecay { get; }
    /// <summary>AdamW (decoupled) when true, L2 added to the gradient when false.</summary>
    public bool DecoupledWeightDecay { get; }
    /// <summary>Number of steps taken.</summary>
    public int StepCount => _t;

    /// <inheritdoc/>
    public override void Step()
    {
        _t++;
        double lr = LearningRate, b1 = Beta1, b2 = Beta2, eps = Epsilon, wd = WeightDecay;
        double c1 = 1 - Math.Pow(b1, _t), c2 = 1 - Math.Pow(b2, _t);
        for (int k = 0; k < Parameters.Count; k++)
        {
            var p = Parameters[k];
            if (p.Grad is null) continue;
            var x = p.Data;
            var g = p.Grad.Data;
            double[] m = _m[k], v = _v[k];
            for (int i = 0; i < x.Length; i++)
            {
                double xi = double.CreateTruncating(x[i]), gi = double.CreateTruncating(g[i]);
                if (DecoupledWeightDecay) xi -= lr * wd * xi;
                else gi += wd * xi;
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                x[i] = T.CreateTruncating(xi - lr * (m[i] / c1) / (Math.Sqrt(v[i] / c2) + eps));
            }
        }
    }
}
