namespace Geometrize.Diffeomorphisms.Metrics;

/// <summary>
/// Parameters of the Sobolev operator L = (γ − αΔ)^s − β∇∇· that defines the metric ‖v‖²_V = ⟨Lv, v⟩ on velocity
/// fields. α (mm²) sets the smoothing length scale (about √α mm for s = 1), γ the weight of the zero-order term,
/// s the order of smoothness, β the optional "fluid" penalty on compression/expansion.
/// </summary>
/// <param name="Alpha">Weight of the Laplacian, α &gt; 0 (physical units squared).</param>
/// <param name="Gamma">Zero-order weight, γ &gt; 0; constants are mapped by K to 1/γ^s.</param>
/// <param name="Power">Exponent s &gt; 0 (need not be an integer).</param>
/// <param name="Beta">Fluid term weight, β ≥ 0.</param>
public sealed record MetricParameters(double Alpha, double Gamma = 1, double Power = 1, double Beta = 0)
{
    /// <summary>Throws <see cref="InvalidParameterException"/> naming the CLI option of the first invalid value.</summary>
    public MetricParameters Validate()
    {
        if (!(Alpha > 0) || !double.IsFinite(Alpha)) throw new InvalidParameterException("--alpha", $"must be positive and finite, got {Alpha}.");
        if (!(Gamma > 0) || !double.IsFinite(Gamma)) throw new InvalidParameterException("--gamma", $"must be positive and finite, got {Gamma}.");
        if (!(Power > 0) || !double.IsFinite(Power)) throw new InvalidParameterException("--s", $"must be positive and finite, got {Power}.");
        if (!(Beta >= 0) || !double.IsFinite(Beta)) throw new InvalidParameterException("--beta", $"must be zero or positive and finite, got {Beta}.");
        return this;
    }
}
