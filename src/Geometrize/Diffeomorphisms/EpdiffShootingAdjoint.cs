using System.Numerics;
using System.Numerics.Tensors;
using Geometrize.Numerics;

namespace Geometrize.Diffeomorphisms;

public sealed partial class EpdiffShooting<T>
{
    private VectorField<T> _lambda = null!, _lambdaNext = null!, _pointAdjoint = null!, _interpolationGradient = null!, _sampledAdjoint = null!;
    private ScalarField<T> _component = null!, _value = null!;
    private ScalarField<T>[] _m0Components = null!;
    private SplatWorkspace _splat = null!;

    private void InitializeAdjoint()
    {
        int d = Geometry.Dimension;
        _lambda = new VectorField<T>(Geometry);
        _lambdaNext = new VectorField<T>(Geometry);
        _pointAdjoint = new VectorField<T>(Geometry);
        _interpolationGradient = new VectorField<T>(Geometry);
        _sampledAdjoint = new VectorField<T>(Geometry);
        _component = new ScalarField<T>(Geometry);
        _value = new ScalarField<T>(Geometry);
        _m0Components = new ScalarField<T>[d];
        for (int a = 0; a < d; a++) _m0Components[a] = new ScalarField<T>(Geometry);
        _splat = new SplatWorkspace(Geometry.Count, Geometry.Size[d - 1]);
    }

    /// <summary>
    /// Back-propagates through the last <see cref="Shoot(ReadOnlySpan{T})"/>: given λ_N = ∂E/∂ψ_N (the Euclidean
    /// derivative of some energy with respect to every entry of <see cref="FinalInverseMap"/>), writes the
    /// Euclidean derivative ∂E/∂m_0 (with respect to every entry of the initial momentum array) into
    /// <paramref name="momentumGradient"/>. This is the exact transpose of the discrete flow.
    /// </summary>
    /// <param name="finalMapAdjoint">∂E/∂ψ_N, d components (read only).</param>
    /// <param name="momentumGradient">Output ∂E/∂m_0, d components (overwritten).</param>
    public void Adjoint(VectorField<T> finalMapAdjoint, VectorField<T> momentumGradient)
    {
        FieldRequirements.SameGrid(finalMapAdjoint.Geometry, Geometry, "map adjoint and flow");
        FieldRequirements.SameGrid(momentumGradient.Geometry, Geometry, "momentum gradient and flow");
        FieldRequirements.Components(finalMapAdjoint, Geometry.Dimension, "map adjoint");
        FieldRequirements.Components(momentumGradient, Geometry.Dimension, "momentum gradient");
        FieldRequirements.NotAliased(finalMapAdjoint.Data, momentumGradient.Data, "shooting adjoint");
        int d = Geometry.Dimension;
        double dt = 1.0 / TimeSteps;
        finalMapAdjoint.Data.CopyTo(_lambda.Data, 0);
        Array.Clear(momentumGradient.Data);
        for (int a = 0; a < d; a++) _m0.Component(a).CopyTo(_m0Components[a].Span);

        for (int k = TimeSteps - 1; k >= 0; k--)
        {
            var q = _points[k];
            var psi = _psi[k];
            // ψ_{k+1,a} = ψ_{k,a}(q): derivative with respect to the departure points, Σ_a λ_a ∇ψ_{k,a}(q).
            Array.Clear(_pointAdjoint.Data);
            for (int a = 0; a < d; a++)
            {
                psi.Component(a).CopyTo(_component.Span);
                Interpolation.InterpolateWithGradient(_component, q, _value, _interpolationGradient, BoundaryMode.Border);
                var lambdaA = _lambda.Component(a);
                for (int c = 0; c < d; c++)
                    TensorPrimitives.MultiplyAdd(_interpolationGradient.Component(c), lambdaA, _pointAdjoint.Component(c), _pointAdjoint.Component(c));
            }
            // q = x − dt·v/h, v = K m_k, K symmetric: w = ∂E/∂m_k = K(−dt/h · ∂E/∂q).
            for (int c = 0; c < d; c++)
                TensorPrimitives.Multiply(_pointAdjoint.Component(c), T.CreateTruncating(-dt / Geometry.Spacing[c]), _pointAdjoint.Component(c));
            Metric.ApplyK(_pointAdjoint, _pointAdjoint);
            var w = _pointAdjoint;
            // ∂E/∂ψ_k through the semi-Lagrangian interpolation of ψ_k itself.
            InterpolationAdjoint.InterpolateAdjoint(_lambda, q, _lambdaNext, BoundaryMode.Border, _splat);
            if (k == 0)
            {
                // m_0 enters directly (transport by the identity).
                TensorPrimitives.Add(momentumGradient.Data, w.Data, momentumGradient.Data);
                break;
            }
            // m_k = det(Dψ_k)·Dψ_kᵀ·(m_0∘ψ_k): transpose of the transport, then of the Jacobian and of the sampling.
            CoadjointTransport.MapJacobian(psi, _jacobian);
            Interpolation.Interpolate(_m0, psi, _sampled, BoundaryMode.Border);
            CoadjointTransport.TransportAdjoint(_jacobian, _sampled, w, _ratios, _sampledAdjoint);
            CoadjointTransport.MapJacobianAdjoint(_jacobian, _lambdaNext);
            for (int a = 0; a < d; a++)
            {
                Interpolation.InterpolateWithGradient(_m0Components[a], psi, _value, _interpolationGradient, BoundaryMode.Border);
                var sigmaA = _sampledAdjoint.Component(a);
                for (int c = 0; c < d; c++)
                    TensorPrimitives.MultiplyAdd(_interpolationGradient.Component(c), sigmaA, _lambdaNext.Component(c), _lambdaNext.Component(c));
            }
            InterpolationAdjoint.InterpolateAdjoint(_sampledAdjoint, psi, momentumGradient, BoundaryMode.Border, _splat, accumulate: true);
            (_lambda, _lambdaNext) = (_lambdaNext, _lambda);
        }
    }
}
