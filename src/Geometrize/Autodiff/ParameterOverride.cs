using System.Numerics;

namespace Geometrize.Autodiff;

/// <summary>
/// A scope in which layers read other tensors in place of their own parameters, so that a model written with
/// stateful layers can be evaluated at parameters θ′ that are themselves graph expressions of θ (the look-ahead
/// θ′ = θ − α∇_θ Σ ε_i ℓ_i of learned example weights, MAML-style inner steps). This is what PyTorch calls a
/// functional call.
/// </summary>
/// <remarks>
/// <para><b>Why a scope and not a second forward method per model.</b> Every model forwards through
/// <c>LinearLayer.Forward</c> and <see cref="BatchNorm{T}.Forward"/>, and those two resolve their tensors through
/// <see cref="Resolve"/>. One lookup there serves every present and future model built from these layers, and
/// leaves the ordinary forward pass unchanged: outside a scope <see cref="Resolve"/> returns its argument.</para>
/// <para><b>Guard against silent misuse.</b> A model that reads a parameter without going through <see cref="Resolve"/>
/// would be evaluated at θ instead of θ′ with no visible error; <see cref="UnresolvedCount"/> exposes how many
/// replaced parameters were never asked for, and callers treat a non-zero count after a forward pass as an error.</para>
/// <para>Scopes are per thread and nest (the innermost wins for a tensor it replaces, outer scopes still apply to
/// the others). Layer code runs on the calling thread; the parallel kernels below it never call <see cref="Resolve"/>.</para>
/// </remarks>
public sealed class ParameterOverride<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic] private static ParameterOverride<T>? _current;

    private readonly Dictionary<Tensor<T>, Tensor<T>> _replacements;
    private readonly HashSet<Tensor<T>> _resolved;
    private readonly ParameterOverride<T>? _outer;
    private bool _disposed;

    private ParameterOverride(Dictionary<Tensor<T>, Tensor<T>> replacements, ParameterOverride<T>? outer)
    {
        _replacements = replacements;
        _resolved = new HashSet<Tensor<T>>(ReferenceEqualityComparer.Instance);
        _outer = outer;
    }

    /// <summary>
    /// Starts a scope on this thread in which <paramref name="originals"/>[k] reads as <paramref name="replacements"/>[k];
    /// dispose it to end the scope (<c>using var scope = ParameterOverride&lt;T&gt;.Begin(…)</c>).
    /// </summary>
    /// <exception cref="InvalidParameterException">The lists differ in length or a replacement's shape differs from its original's.</exception>
    public static ParameterOverride<T> Begin(IReadOnlyList<Tensor<T>> originals, IReadOnlyList<Tensor<T>> replacements)
    {
        ArgumentNullException.ThrowIfNull(originals);
        ArgumentNullException.ThrowIfNull(replacements);
        if (originals.Count != replacements.Count)
            throw new InvalidParameterException("replacements", $"needs one replacement per parameter: {originals.Count} parameters, {replacements.Count} replacements.");
        var map = new Dictionary<Tensor<T>, Tensor<T>>(originals.Count, ReferenceEqualityComparer.Instance);
        for (int k = 0; k < originals.Count; k++)
        {
            if (!Shapes.Equal(originals[k].shape, replacements[k].shape))
                throw new InvalidParameterException("replacements", $"replacement {k} has shape {Shapes.Format(replacements[k].shape)} but parameter {originals[k]} has {Shapes.Format(originals[k].shape)}.");
            map[originals[k]] = replacements[k];
        }
        var scope = new ParameterOverride<T>(map, _current);
        _current = scope;
        return scope;
    }

    /// <summary>Number of distinct tensors this scope replaces.</summary>
    public int Count => _replacements.Count;

    /// <summary>How many of the replaced tensors no layer has asked for yet (0 after a forward pass that used every parameter).</summary>
    public int UnresolvedCount => _replacements.Count - _resolved.Count;

    /// <summary>The tensor a layer should use for its parameter <paramref name="parameter"/>: the replacement of the innermost scope that has one, else the parameter itself.</summary>
    public static Tensor<T> Resolve(Tensor<T> parameter)
    {
        for (var scope = _current; scope is not null; scope = scope._outer)
        {
            if (!scope._replacements.TryGetValue(parameter, out var replacement)) continue;
            scope._resolved.Add(parameter);
            return replacement;
        }
        return parameter;
    }

    /// <summary>Ends the scope (restoring the enclosing one).</summary>
    /// <exception cref="InvalidOperationException">Scopes were ended out of order.</exception>
    public void Dispose()
    {
        if (_disposed) return;
        if (!ReferenceEquals(_current, this))
            throw new InvalidOperationException("parameter override scopes must be ended in the reverse order of their creation, on the thread that began them.");
        _current = _outer;
        _disposed = true;
    }
}
