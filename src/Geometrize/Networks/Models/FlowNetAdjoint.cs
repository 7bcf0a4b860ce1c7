using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Geometrize.Autodiff;
using Geometrize.Numerics.LinearAlgebra;

namespace Geometrize.Networks.Models;

/// <summary>
/// The two adjoint views of training a <see cref="FlowNet{T}"/> (DESIGN §2 items 5–6): the discrete adjoint of the
/// Euler scheme written out by hand (which back-propagation must equal to round-off), and the continuous adjoint of
/// Chen et al. (2018), whose ODE is integrated backwards with RK4 (optimise-then-discretise, so its gradient differs
/// from the exact one by O(h)).
/// </summary>
public static class FlowNetAdjoint
{
    /// <summary>
    /// Loss and exact gradient of the mean cross-entropy of a flow network without batch normalisation, by the
    /// hand-derived discrete adjoint of the Euler scheme (no autodiff; matrix products by <see cref="Gemm"/>):
    /// with z_k = x_kW₁ᵀ + b₁, a_k = σ(z_k), x_{k+1} = x_k + h(a_kW₂ᵀ + b₂) and λ_N = ∂L/∂x_N,
    /// <code>
    /// δ_k = h (λ_{k+1}W₂) ⊙ σ′(z_k),   λ_k = λ_{k+1} + δ_kW₁,
    /// ∂L/∂W₂ = h λ_{k+1}ᵀa_k,  ∂L/∂b₂ = h Σ λ_{k+1},  ∂L/∂W₁ = δ_kᵀx_k,  ∂L/∂b₁ = Σ δ_k
    /// </code>
    /// (summed over k when the blocks are tied).
    /// </summary>
    /// <param name="net">A flow network (residual, no batch norm).</param>
    /// <param name="input">Inputs [batch, inputs], row-major.</param>
    /// <param name="labels">Class of each row.</param>
    /// <returns>The loss and one gradient array per entry of <see cref="BlockNetwork{T}.Parameters"/>.</returns>
    /// <exception cref="InvalidParameterException">Batch norm is on, or the sizes do not fit.</exception>
    public static (double Loss, T[][] Gradients) DiscreteCrossEntropy<T>(FlowNet<T> net, ReadOnlySpan<T> input, ReadOnlySpan<int> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(net);
        if (net.Norms != null) throw new InvalidParameterException("--batchnorm", "the hand-derived discrete adjoint covers flow networks without batch normalisation.");
        int batch = labels.Length, inputs = net.Lift.Inputs, w = net.Architecture.Width, hid = net.Architecture.Hidden;
        int classes = net.Head.Outputs, n = net.Depth;
        if (batch == 0 || input.Length != batch * inputs)
            throw new InvalidParameterException("input", $"expected {batch} rows of {inputs} features, got {input.Length} values.");
        T h = net.StepSize;
        var grads = new Dictionary<Tensor<T>, T[]>(ReferenceEqualityComparer.Instance);
        foreach (var p in net.Parameters) grads[p] = new T[p.Length];

        // Forward: keep every state x_k and pre-activation z_k.
        var x = new T[n + 1][];
        var z = new T[n][];
        x[0] = Affine(input, net.Lift, batch);
        var a = new T[batch * hid];
        for (int k = 0; k < n; k++)
        {
            var block = net.Blocks[k];
            z[k] = Affine(x[k], block.Inner, batch);
            for (int i = 0; i < a.Length; i++) a[i] = net.Activation.Value(z[k][i]);
            var f = Affine(a, block.Outer, batch);
            x[k + 1] = new T[batch * w];
            for (int i = 0; i < f.Length; i++) x[k + 1][i] = x[k][i] + h * f[i];
        }
        var logits = Affine(x[n], net.Head, batch);

        // Loss and its gradient G = (softmax − onehot)/B with respect to the logits.
        double loss = 0;
        var g = new T[batch * classes];
        for (int r = 0; r < batch; r++)
        {
            if ((uint)labels[r] >= (uint)classes) throw new InvalidParameterException("labels", $"label {labels[r]} of row {r} is outside [0, {classes}).");
            var row = logits.AsSpan(r * classes, classes);
            double max = double.NegativeInfinity;
            foreach (var v in row) max = Math.Max(max, double.CreateTruncating(v));
            double sum = 0;
            foreach (var v in row) sum += Math.Exp(double.CreateTruncating(v) - max);
            double lse = max + Math.Log(sum);
            loss += lse - double.CreateTruncating(row[labels[r]]);
            for (int c = 0; c < classes; c++)
                g[r * classes + c] = T.CreateTruncating((Math.Exp(double.CreateTruncating(row[c]) - lse) - (c == labels[r] ? 1 : 0)) / batch);
        }
        loss /= batch;

        // Head: ∂L/∂W_h = Gᵀx_N, ∂L/∂b_h = Σ G, λ_N = G W_h.
        AffineBackward(g, x[n], net.Head, batch, grads, T.One);
        var lambda = new T[batch * w];
        Gemm.Multiply<T>(g, net.Head.Weight.Data, lambda, batch, w, classes);
        var mu = new T[batch * hid];
        for (int k = n - 1; k >= 0; k--)
        {
            var block = net.Blocks[k];
            for (int i = 0; i < a.Length; i++) a[i] = net.Activation.Value(z[k][i]);
            // Block output layer sees λ_{k+1} scaled by h.
            AffineBackward(lambda, a, block.Outer, batch, grads, h);
            Gemm.Multiply<T>(lambda, block.W2.Data, mu, batch, hid, w);
            for (int i = 0; i < mu.Length; i++) mu[i] = h * mu[i] * net.Activation.Derivative(z[k][i]);
            AffineBackward(mu, x[k], block.Inner, batch, grads, T.One);
            // λ_k = λ_{k+1} + δ_k W₁ (accumulated in place: β = 1).
            Gemm.Multiply<T>(mu, block.W1.Data, lambda, batch, w, hid, beta: T.One);
        }
        AffineBackward(lambda, input, net.Lift, batch, grads, T.One);
        return (loss, net.Parameters.Select(p => grads[p]).ToArray());
    }

    private static T[] Affine<T>(ReadOnlySpan<T> x, LinearLayer<T> layer, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int o = layer.Outputs;
        var y = new T[batch * o];
        Gemm.Multiply<T>(x, layer.Weight.Data, y, batch, o, layer.Inputs, transB: Transpose.Yes);
        for (int r = 0; r < batch; r++) TensorPrimitives.Add(y.AsSpan(r * o, o), layer.Bias.Data, y.AsSpan(r * o, o));
        return y;
    }

    /// <summary>Adds scale·(Gᵀx) to ∂L/∂W and scale·Σ_rows G to ∂L/∂b of an affine layer y = xWᵀ + b.</summary>
    private static void AffineBackward<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> x, LinearLayer<T> layer, int batch,
        Dictionary<Tensor<T>, T[]> grads, T scale) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int o = layer.Outputs;
        Gemm.Multiply<T>(gy, x, grads[layer.Weight], o, layer.Inputs, batch, transA: Transpose.Yes, alpha: scale, beta: T.One);
        var gb = grads[layer.Bias];
        for (int r = 0; r < batch; r++)
            for (int j = 0; j < o; j++) gb[j] += scale * gy[r * o + j];
    }

    /// <summary>
    /// Forward pass and gradient by the continuous adjoint (Chen et al. 2018): the flow network's state follows the
    /// Euler scheme as in <see cref="BlockNetwork{T}.Forward"/> (so the loss is the network's loss), then
    /// a(t) = ∂L/∂x(t) obeys ȧ = −(∂f/∂x)ᵀa from a(1) = ∂L/∂x_N, and ∂L/∂θ_k = ∫_{t_k}^{t_{k+1}} (∂f/∂θ_k)ᵀa dt.
    /// Both are integrated backwards over each block interval [k/N, (k+1)/N) by one classical RK4 step, with the
    /// vector–Jacobian products of f at each stage from reverse-mode autodiff. The state at a stage time is read
    /// off the stored Euler trajectory (its straight segment from x_k to x_{k+1}), rather than re-integrated
    /// backwards as Chen et al. do, so the difference from back-propagation isolates the adjoint discretisation
    /// (O(h)) and not the drift of a reversed integration. The head gradient is exact; the lift gradient is exact given a(0).
    /// </summary>
    /// <param name="net">A flow network (residual). With batch norm, f uses the batch statistics of the state it is
    /// evaluated at; running statistics are updated once, by the forward pass.</param>
    /// <param name="input">Inputs [batch, inputs].</param>
    /// <param name="loss">Scalar loss of the outputs [batch, outputs].</param>
    /// <param name="training">Training mode for batch normalisation.</param>
    /// <returns>The loss (detached). Gradients are accumulated into each parameter's <see cref="Tensor{T}.Grad"/>,
    /// as <see cref="Tensor{T}.Backward"/> does.</returns>
    public static Tensor<T> ContinuousBackward<T>(FlowNet<T> net, Tensor<T> input, Func<Tensor<T>, Tensor<T>> loss, bool training = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(loss);
        int n = net.Depth;
        T h = net.StepSize, half = h / T.CreateChecked(2), sixth = h / T.CreateChecked(6), two = T.CreateChecked(2);
        var grads = new Dictionary<Tensor<T>, T[]>(ReferenceEqualityComparer.Instance);
        foreach (var p in net.Parameters) grads[p] = new T[p.Length];

        Tensor<T> lifted;
        using (Autograd.EnableGrad()) lifted = net.Lift.Forward(input);
        var states = new Tensor<T>[n + 1];
        var velocities = new Tensor<T>[n];
        states[0] = lifted.Detach();
        using (Autograd.NoGrad())
        {
            for (int k = 0; k < n; k++)
            {
                velocities[k] = net.Velocity(k, states[k], training);
                states[k + 1] = states[k] + velocities[k] * h;
            }
        }
        // The stage evaluations below would move the running statistics again; keep those of the forward pass.
        var saved = net.Norms?.Select(bn => (bn.RunningMean.ToArray(), bn.RunningVar.ToArray())).ToArray();

        Tensor<T> a, value;
        using (Autograd.EnableGrad())
        {
            var xN = states[n].Clone().WithRequiresGrad();
            value = loss(net.Head.Forward(xN));
            var g = Autograd.Grad([value], [xN, net.Head.Weight, net.Head.Bias]);
            a = g[0];
            TensorPrimitives.Add(grads[net.Head.Weight], g[1].Data, grads[net.Head.Weight]);
            TensorPrimitives.Add(grads[net.Head.Bias], g[2].Data, grads[net.Head.Bias]);
        }

        int len = a.Length;
        var stageA = new T[len];
        for (int k = n - 1; k >= 0; k--)
        {
            var theta = net.BlockParameters(k);
            var mid = states[k] + velocities[k] * half;
            var k1 = Vjp(net, k, states[k + 1], a, theta, training);
            for (int i = 0; i < len; i++) stageA[i] = a.Data[i] + half * k1[0].Data[i];
            var k2 = Vjp(net, k, mid, Tensor<T>.FromArray([.. a.Shape], stageA), theta, training);
            for (int i = 0; i < len; i++) stageA[i] = a.Data[i] + half * k2[0].Data[i];
            var k3 = Vjp(net, k, mid, Tensor<T>.FromArray([.. a.Shape], stageA), theta, training);
            for (int i = 0; i < len; i++) stageA[i] = a.Data[i] + h * k3[0].Data[i];
            var k4 = Vjp(net, k, states[k], Tensor<T>.FromArray([.. a.Shape], stageA), theta, training);
            for (int j = 0; j <= theta.Count; j++)
            {
                var target = j == 0 ? a.Data : grads[theta[j - 1]];
                T[] s1 = k1[j].Data, s2 = k2[j].Data, s3 = k3[j].Data, s4 = k4[j].Data;
                for (int i = 0; i < target.Length; i++) target[i] += sixth * (s1[i] + two * (s2[i] + s3[i]) + s4[i]);
            }
        }
        if (saved != null)
            for (int k = 0; k < saved.Length; k++)
            {
                saved[k].Item1.CopyTo(net.Norms![k].RunningMean.Data, 0);
                saved[k].Item2.CopyTo(net.Norms![k].RunningVar.Data, 0);
            }

        using (Autograd.EnableGrad())
        {
            var g = Autograd.Grad([lifted], [net.Lift.Weight, net.Lift.Bias], [a]);
            TensorPrimitives.Add(grads[net.Lift.Weight], g[0].Data, grads[net.Lift.Weight]);
            TensorPrimitives.Add(grads[net.Lift.Bias], g[1].Data, grads[net.Lift.Bias]);
        }
        foreach (var p in net.Parameters)
        {
            var gp = grads[p];
            if (p.Grad is null) p.Grad = Tensor<T>.FromArray([.. p.Shape], gp);
            else TensorPrimitives.Add(p.Grad.Data, gp, p.Grad.Data);
        }
        return value.Detach();
    }

    /// <summary>(aᵀ∂f/∂x, aᵀ∂f/∂θ_k…) of block k at state x.</summary>
    private static Tensor<T>[] Vjp<T>(FlowNet<T> net, int k, Tensor<T> x, Tensor<T> a, IReadOnlyList<Tensor<T>> theta, bool training)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var _ = Autograd.EnableGrad();
        var leaf = x.Clone().WithRequiresGrad();
        var f = net.Velocity(k, leaf, training);
        return Autograd.Grad([f], [leaf, .. theta], [a]);
    }
}
