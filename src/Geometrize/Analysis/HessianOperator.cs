using System.Numerics;
using Geometrize.Autodiff;

namespace Geometrize.Analysis;

/// <summary>
/// The Hessian ∇²_θ L of a scalar loss with respect to a list of parameter tensors, as a symmetric operator on the
/// flattened parameter vector (parameters concatenated in list order, each row-major). Each application is one
/// exact Hessian–vector product by double backward (<see cref="Autograd.HessianVectorProduct{T}"/>).
/// </summary>
/// <typeparam name="T">Element type of the model; vectors cross this boundary in double.</typeparam>
public sealed class HessianOperator<T> : ISymmetricOperator where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Func<Tensor<T>> _loss;
    private readonly Tensor<T>[] _parameters;
    private readonly Tensor<T>[] _direction;
    private readonly int[] _offsets;

    /// <summary>Wraps a loss closure and the parameters it depends on.</summary>
    /// <param name="loss">Recomputes the scalar loss from the current parameter values (the forward pass on a fixed batch).</param>
    /// <param name="parameters">Tensors that require gradients; their order fixes the flattening.</param>
    /// <exception cref="InvalidParameterException">No parameters, or one that does not require gradients.</exception>
    public HessianOperator(Func<Tensor<T>> loss, IReadOnlyList<Tensor<T>> parameters)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count == 0) throw new InvalidParameterException("parameters", "the Hessian needs at least one parameter tensor.");
        _loss = loss;
        _parameters = parameters.ToArray();
        _offsets = new int[_parameters.Length + 1];
        for (int i = 0; i < _parameters.Length; i++)
        {
            if (!_parameters[i].RequiresGrad)
                throw new InvalidParameterException("parameters", $"parameter {i} ({_parameters[i]}) does not require gradients; call WithRequiresGrad() on it.");
            _offsets[i + 1] = checked(_offsets[i] + _parameters[i].Length);
        }
        // Direction tensors are allocated once and refilled per product (the HVP detaches them).
        _direction = _parameters.Select(p => Tensor<T>.Zeros(p.Shape.ToArray())).ToArray();
        Dimension = _offsets[^1];
    }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <summary>Number of Hessian–vector products evaluated so far (the cost unit of every spectral tool).</summary>
    public long Products { get; private set; }

    /// <summary>The parameter tensors, in flattening order.</summary>
    public IReadOnlyList<Tensor<T>> Parameters => _parameters;

    /// <inheritdoc />
    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        SymmetricOperatorChecks.Lengths(this, v, result);
        for (int i = 0; i < _parameters.Length; i++)
        {
            var d = _direction[i].Data;
            var src = v.Slice(_offsets[i], d.Length);
            for (int j = 0; j < d.Length; j++) d[j] = T.CreateTruncating(src[j]);
        }
        var hv = Autograd.HessianVectorProduct(_loss, _parameters, _direction);
        for (int i = 0; i < hv.Length; i++)
        {
            var h = hv[i].Data;
            var dst = result.Slice(_offsets[i], h.Length);
            for (int j = 0; j < h.Length; j++) dst[j] = double.CreateChecked(h[j]);
        }
        Products++;
    }

    /// <summary>The current parameter values flattened in operator order (double), e.g. θ for ⟨θ, Hθ⟩.</summary>
    public double[] FlattenParameters()
    {
        var theta = new double[Dimension];
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i].Data;
            for (int j = 0; j < p.Length; j++) theta[_offsets[i] + j] = double.CreateChecked(p[j]);
        }
        return theta;
    }
}
