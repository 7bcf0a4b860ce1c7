using System.Numerics;

namespace Geometrize.Autodiff;

/// <summary>
/// Reverse-mode differentiation over the graphs that tensor operations record.
/// </summary>
/// <remarks>
/// <para><b>Design: double backward, not forward-over-reverse.</b> Every backward rule is written with the same
/// differentiable tensor operations as the forward pass. With <c>createGraph: true</c> the backward pass records
/// a graph of its own, so a gradient g(θ) is an ordinary tensor expression of θ, and a Hessian–vector product is
/// one more reverse pass: Hv = ∇_θ ⟨g(θ), v⟩. The result is exact (no finite-difference step) and costs about
/// two to three gradients. Forward-over-reverse (dual numbers pushed through the backward pass) would need a
/// second, tangent-carrying implementation of every operation and of every kernel; double backward reuses the
/// one set of kernels, gives any order of derivative by repetition, and gives mixed derivatives such as
/// ∂/∂x ∇_θ ℓ (needed for influence functions and input–output Jacobians) with no extra code.</para>
/// <para>Recording is controlled per thread: <see cref="NoGrad"/> switches it off (evaluation, optimiser updates).</para>
/// </remarks>
public static class Autograd
{
    [ThreadStatic] private static bool _disabled;

    /// <summary>Whether operations on this thread record graphs (true unless inside <see cref="NoGrad"/>).</summary>
    public static bool IsGradEnabled => !_disabled;

    /// <summary>Switches graph recording off until the returned scope is disposed: <c>using (Autograd.NoGrad()) { ... }</c>.</summary>
    public static GradModeScope NoGrad() => new(false);

    /// <summary>Switches graph recording on (inside a <see cref="NoGrad"/> block) until the scope is disposed.</summary>
    public static GradModeScope EnableGrad() => new(true);

    /// <summary>Restores the previous recording mode when disposed.</summary>
    public readonly struct GradModeScope : IDisposable
    {
        private readonly bool _previousDisabled;

        internal GradModeScope(bool enabled)
        {
            _previousDisabled = _disabled;
            _disabled = !enabled;
        }

        /// <summary>Restores the mode that was active when the scope was created.</summary>
        public void Dispose() => _disabled = _previousDisabled;
    }

    /// <summary>Attaches a backward rule to <paramref name="result"/> when recording is on and an input requires gradients.</summary>
    internal static Tensor<T> Record<T>(Tensor<T> result, string op, Tensor<T>[] inputs, BackwardRule<T> backward)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (_disabled) return result;
        foreach (var input in inputs)
        {
            if (!input.RequiresGrad) continue;
            result.Node = new GradNode<T>(op, inputs, backward);
            result.RequiresGrad = true;
            break;
        }
        return result;
    }

    /// <summary>Gradient of a scalar <paramref name="output"/> with respect to <paramref name="inputs"/>.</summary>
    public static Tensor<T>[] Grad<T>(Tensor<T> output, IReadOnlyList<Tensor<T>> inputs, bool createGraph = false)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Grad([output], inputs, null, createGraph);

    /// <summary>
    /// Σ_j ⟨gradOutputs_j, ∂outputs_j/∂inputs_i⟩ for each input i (the vector–Jacobian product); scalar outputs may
    /// omit their gradOutput (taken as 1). Inputs the outputs do not depend on get zeros. With
    /// <paramref name="createGraph"/> the returned gradients carry a graph and can be differentiated again.
    /// </summary>
    /// <exception cref="InvalidParameterException">An input does not require gradients, or a non-scalar output has no gradOutput.</exception>
    /// <exception cref="ShapeMismatchException">A gradOutput's shape differs from its output's.</exception>
    public static Tensor<T>[] Grad<T>(IReadOnlyList<Tensor<T>> outputs, IReadOnlyList<Tensor<T>> inputs,
        IReadOnlyList<Tensor<T>>? gradOutputs = null, bool createGraph = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < inputs.Count; i++)
            if (!inputs[i].RequiresGrad)
                throw new InvalidParameterException("inputs", $"input {i} ({inputs[i]}) does not require gradients; call WithRequiresGrad() on it before the forward pass.");
        var targets = new HashSet<Tensor<T>>(inputs, ReferenceEqualityComparer.Instance);
        var grads = Run(outputs, gradOutputs, targets, createGraph, collectLeaves: false, out _);
        var result = new Tensor<T>[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
            result[i] = grads.TryGetValue(inputs[i], out var g) ? g : Tensor<T>.Zeros(inputs[i].shape);
        return result;
    }

    /// <summary>Accumulates ∂output/∂leaf into <see cref="Tensor{T}.Grad"/> of every reachable leaf that requires gradients.</summary>
    public static void Backward<T>(Tensor<T> output, Tensor<T>? gradOutput = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var grads = Run([output], gradOutput is null ? null : [gradOutput], null, createGraph: false, collectLeaves: true, out var leaves);
        foreach (var leaf in leaves!)
        {
            if (!grads.TryGetValue(leaf, out var g)) continue;
            if (leaf.Grad is null) leaf.Grad = g.Clone();
            else
            {
                if (!Shapes.Equal(leaf.Grad.shape, leaf.shape))
                    throw new ShapeMismatchException($"Backward: existing gradient of {leaf} has shape {Shapes.Format(leaf.Grad.shape)}.");
                var acc = leaf.Grad.Data;
                System.Numerics.Tensors.TensorPrimitives.Add(acc, g.Data, acc);
            }
        }
    }

    /// <summary>
    /// Exact Hessian–vector products H·v of the scalar returned by <paramref name="loss"/> with respect to
    /// <paramref name="parameters"/>, by double backward: Hv = ∇_θ Σ_i ⟨∇_{θ_i} L, v_i⟩.
    /// </summary>
    /// <param name="loss">Recomputes the loss from the parameters (runs the forward pass).</param>
    /// <param name="parameters">Tensors requiring gradients.</param>
    /// <param name="v">One direction tensor per parameter, same shapes.</param>
    public static Tensor<T>[] HessianVectorProduct<T>(Func<Tensor<T>> loss, IReadOnlyList<Tensor<T>> parameters, IReadOnlyList<Tensor<T>> v)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (v.Count != parameters.Count)
            throw new InvalidParameterException("v", $"needs one direction per parameter: {parameters.Count} parameters, {v.Count} directions.");
        for (int i = 0; i < v.Count; i++)
            if (!Shapes.Equal(v[i].shape, parameters[i].shape))
                throw new ShapeMismatchException($"HessianVectorProduct: direction {i} has shape {Shapes.Format(v[i].shape)}, parameter {parameters[i]} has {Shapes.Format(parameters[i].shape)}.");
        using var _ = EnableGrad();
        var l = loss();
        var g = Grad([l], parameters, null, createGraph: true);
        Tensor<T>? dot = null;
        for (int i = 0; i < g.Length; i++)
        {
            if (!g[i].RequiresGrad) continue; // gradient independent of θ (e.g. a linear loss): contributes zero curvature
            var term = TensorOps.Sum(g[i] * v[i].Detach());
            dot = dot is null ? term : dot + term;
        }
        if (dot is null) return parameters.Select(p => Tensor<T>.Zeros(p.shape)).ToArray();
        return Grad([dot], parameters, null, createGraph: false);
    }

    // One reverse sweep. Tensors are visited in reverse topological order; only nodes on a path to a target (or to any
    // leaf when collecting leaves) are expanded, and intermediate gradients are dropped once propagated.
    private static Dictionary<Tensor<T>, Tensor<T>> Run<T>(IReadOnlyList<Tensor<T>> outputs, IReadOnlyList<Tensor<T>>? gradOutputs,
        HashSet<Tensor<T>>? targets, bool createGraph, bool collectLeaves, out List<Tensor<T>>? leaves)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gradOutputs is not null && gradOutputs.Count != outputs.Count)
            throw new InvalidParameterException("gradOutputs", $"needs one per output: {outputs.Count} outputs, {gradOutputs.Count} given.");
        var order = TopologicalOrder(outputs);
        var reaches = new HashSet<Tensor<T>>(ReferenceEqualityComparer.Instance);
        leaves = collectLeaves ? new List<Tensor<T>>() : null;
        foreach (var t in order) // post-order: inputs come before the tensors computed from them
        {
            bool r;
            if (t.Node is null)
            {
                r = collectLeaves ? t.RequiresGrad : targets!.Contains(t);
                if (r && collectLeaves) leaves!.Add(t);
            }
            else
            {
                r = targets is not null && targets.Contains(t);
                foreach (var input in t.Node.Inputs) r |= reaches.Contains(input);
            }
            if (r) reaches.Add(t);
        }

        using var mode = createGraph ? EnableGrad() : NoGrad();
        var grads = new Dictionary<Tensor<T>, Tensor<T>>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < outputs.Count; i++)
        {
            var o = outputs[i];
            Tensor<T> seed;
            if (gradOutputs?[i] is { } go)
            {
                if (!Shapes.Equal(go.shape, o.shape))
                    throw new ShapeMismatchException($"Grad: gradOutput {i} has shape {Shapes.Format(go.shape)} but its output has {Shapes.Format(o.shape)}.");
                seed = go;
            }
            else
            {
                if (o.Length != 1) throw new InvalidParameterException("gradOutputs", $"output {i} has shape {Shapes.Format(o.shape)}; a non-scalar output needs an explicit gradient.");
                seed = Tensor<T>.Ones(o.shape);
            }
            Accumulate(grads, o, seed);
        }

        for (int k = order.Count - 1; k >= 0; k--)
        {
            var t = order[k];
            if (t.Node is null || !reaches.Contains(t) || !grads.TryGetValue(t, out var g)) continue;
            var inputs = t.Node.Inputs;
            var needs = new bool[inputs.Length];
            bool any = false;
            for (int i = 0; i < inputs.Length; i++) any |= needs[i] = inputs[i].RequiresGrad && reaches.Contains(inputs[i]);
            if (!any) continue;
            var inputGrads = t.Node.Backward(g, needs);
            for (int i = 0; i < inputs.Length; i++)
                if (needs[i] && inputGrads[i] is { } gi) Accumulate(grads, inputs[i], gi);
            if (targets is null || !targets.Contains(t)) grads.Remove(t);
        }
        return grads;
    }

    private static void Accumulate<T>(Dictionary<Tensor<T>, Tensor<T>> grads, Tensor<T> t, Tensor<T> g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!Shapes.Equal(g.shape, t.shape))
            throw new ShapeMismatchException($"backward rule of {t.Node?.Op ?? "leaf"} produced a gradient of shape {Shapes.Format(g.shape)} for a tensor of shape {Shapes.Format(t.shape)}.");
        grads[t] = grads.TryGetValue(t, out var existing) ? existing + g : g;
    }

    // Iterative depth-first post-order over tensors that require gradients (deep networks would overflow a recursive one).
    private static List<Tensor<T>> TopologicalOrder<T>(IReadOnlyList<Tensor<T>> outputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var order = new List<Tensor<T>>();
        var visited = new HashSet<Tensor<T>>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor<T> Tensor, int Next)>();
        foreach (var o in outputs)
        {
            if (!o.RequiresGrad || !visited.Add(o)) continue;
            stack.Push((o, 0));
            while (stack.Count > 0)
            {
                var (t, next) = stack.Pop();
                var inputs = t.Node?.Inputs;
                if (inputs is not null && next < inputs.Length)
                {
                    stack.Push((t, next + 1));
                    var child = inputs[next];
                    if (child.RequiresGrad && visited.Add(child)) stack.Push((child, 0));
                }
                else order.Add(t);
            }
        }
        return order;
    }
}
