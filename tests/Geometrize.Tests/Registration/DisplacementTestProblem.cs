using System.Numerics;
using Geometrize.Numerics;
using Geometrize.Registration;
using Geometrize.Registration.DataTerms;

namespace Geometrize.Tests.Registration;

/// <summary>
/// A small registration problem for testing the driver and the pipeline without a flow: the parameters are a
/// displacement u (d components along the grid axes, physical units, so prolongation needs no rescaling), the warped
/// image is I_0(x + u/h) (linear interpolation, border clamping), the energy is ½α Σ|∇u|² h^d + D(warped, fixed), and
/// the gradient is exact and Euclidean (metric M = identity). <see cref="ForwardMap"/> inverts x ↦ x + u/h by
/// fixed-point iteration.
/// </summary>
internal sealed class DisplacementTestProblem<T> : IRegistrationProblem<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ScalarField<T> _fixed, _moving, _warped, _dataGradient, _component, _adjoint;
    private readonly VectorField<T> _map, _imageGradient, _componentGradient;
    private readonly IDataTerm<T> _data;
    private readonly double _alpha, _volume;

    public DisplacementTestProblem(ScalarField<T> fixedImage, ScalarField<T> movingImage, IDataTerm<T> dataTerm, RegistrationSettings settings)
    {
        _fixed = fixedImage;
        _moving = movingImage;
        _data = dataTerm;
        _alpha = settings.Metric.Alpha;
        var g = fixedImage.Geometry;
        Geometry = g;
        _volume = 1;
        for (int a = 0; a < g.Dimension; a++) _volume *= g.Spacing[a];
        _warped = new ScalarField<T>(g);
        _dataGradient = new ScalarField<T>(g);
        _component = new ScalarField<T>(g);
        _adjoint = new ScalarField<T>(g);
        _map = new VectorField<T>(g);
        _imageGradient = new VectorField<T>(g);
        _componentGradient = new VectorField<T>(g);
        Created++;
    }

    /// <summary>Problems built so far (the driver builds one per level).</summary>
    public static int Created;

    public string Method => "displacement";
    public ImageGeometry Geometry { get; }
    public int ParameterComponents => Geometry.Dimension;
    public int Dimension => Geometry.Count * Geometry.Dimension;
    public EnergySplit LastEnergy { get; private set; }
    public int Evaluations { get; private set; }

    public void ApplyMetric(ReadOnlySpan<T> a, Span<T> result) => a.CopyTo(result);

    public double Evaluate(ReadOnlySpan<T> x, Span<T> gradient)
    {
        Evaluations++;
        var g = Geometry;
        int n = g.Count, d = g.Dimension;
        BuildMap(x);
        Interpolation.InterpolateWithGradient(_moving, _map, _warped, _imageGradient);
        double data = _data.Evaluate(_warped, _fixed, _dataGradient);
        double regularity = 0;
        for (int a = 0; a < d; a++)
        {
            x.Slice(a * n, n).CopyTo(_component.Span);
            FiniteDifferences.Gradient(_component, _componentGradient);
            double s = 0;
            foreach (var v in _componentGradient.Data) s += double.CreateTruncating(v) * double.CreateTruncating(v);
            regularity += 0.5 * _alpha * _volume * s;
            FiniteDifferences.GradientAdjoint(_componentGradient, _adjoint);
            T k = T.CreateTruncating(_alpha * _volume), invH = T.CreateTruncating(1 / g.Spacing[a]);
            var ga = gradient.Slice(a * n, n);
            var ig = _imageGradient.Component(a);
            for (int i = 0; i < n; i++) ga[i] = k * _adjoint.Data[i] + _dataGradient.Data[i] * ig[i] * invH;
        }
        LastEnergy = new EnergySplit(regularity, data);
        return regularity + data;
    }

    public void Warp(ReadOnlySpan<T> parameters, ScalarField<T> warped)
    {
        BuildMap(parameters);
        Interpolation.Interpolate(_moving, _map, warped);
    }

    public void InverseMap(ReadOnlySpan<T> parameters, VectorField<T> map)
    {
        BuildMap(parameters);
        _map.Span.CopyTo(map.Span);
    }

    public void ForwardMap(ReadOnlySpan<T> parameters, VectorField<T> map)
    {
        // y = x − u(y)/h, by fixed-point iteration (converges for small smooth u).
        var g = Geometry;
        int n = g.Count, d = g.Dimension;
        var u = new VectorField<T>(g, parameters.ToArray(), d);
        var uAtY = new VectorField<T>(g);
        DisplacementFields.IdentityMap(map);
        var identity = new VectorField<T>(g);
        DisplacementFields.IdentityMap(identity);
        for (int it = 0; it < 30; it++)
        {
            Interpolation.Interpolate(u, map, uAtY);
            for (int a = 0; a < d; a++)
            {
                T invH = T.CreateTruncating(1 / g.Spacing[a]);
                var m = map.Component(a);
                var id = identity.Component(a);
                var ua = uAtY.Component(a);
                for (int i = 0; i < n; i++) m[i] = id[i] - ua[i] * invH;
            }
        }
    }

    private void BuildMap(ReadOnlySpan<T> x)
    {
        var g = Geometry;
        int n = g.Count;
        DisplacementFields.IdentityMap(_map);
        for (int a = 0; a < g.Dimension; a++)
        {
            T invH = T.CreateTruncating(1 / g.Spacing[a]);
            var m = _map.Component(a);
            var u = x.Slice(a * n, n);
            for (int i = 0; i < n; i++) m[i] += u[i] * invH;
        }
    }
}
