using System.Numerics.Tensors;

namespace Geometrize.Analysis.Influence;

/// <summary>
/// LiSSA (Agarwal, Bullins and Hazan 2017), the stochastic inverse-HVP of Koh &amp; Liang: the Neumann series
/// (H + δI)⁻¹ = (1/c) Σ_j (I − (H + δI)/c)ʲ, evaluated by the recursion h_j = g + h_{j−1} − (H̃_j + δI)h_{j−1}/c from
/// h_0 = g, with s = h_depth / c averaged over independent repeats. H̃_j is the Hessian of a random batch of training
/// examples (the whole set when the batch size is 0 or ≥ n, which makes the recursion a deterministic Richardson
/// iteration). Each step multiplies the error in an eigendirection of eigenvalue μ by 1 − μ/c, so the scale c must
/// exceed half the largest eigenvalue of H + δI or the series diverges; Koh &amp; Liang take c above the largest
/// eigenvalue (monotone, non-oscillating terms), and a non-positive scale asks for 1.1 × that eigenvalue, estimated
/// by power iteration. The error in an eigendirection of eigenvalue μ
/// decays like (1 − μ/c)^depth, so the depth must be several times c/μ_min.
/// </summary>
public sealed class LissaInverseHvp : IInverseHvpSolver
{
    private readonly IHessianOperator _h;

    /// <summary>Creates the solver.</summary>
    /// <param name="hessian">The curvature operator.</param>
    /// <param name="damping">δ ≥ 0 added to H.</param>
    /// <param name="scale">c &gt; λ_max(H + δI)/2 (usually above λ_max), or ≤ 0 to estimate 1.1·λ_max.</param>
    /// <param name="depth">Recursion depth per repeat.</param>
    /// <param name="repeats">Independent repeats averaged.</param>
    /// <param name="batchSize">Training examples per sampled Hessian; 0 for the full set.</param>
    /// <param name="seed">Seed of the batch sampling.</param>
    public LissaInverseHvp(IHessianOperator hessian, double damping = 0, double scale = 0, int depth = 1000, int repeats = 1, int batchSize = 0, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(hessian);
        InverseHvpChecks.Damping(damping);
        if (!double.IsFinite(scale)) throw new InvalidParameterException("--lissa-scale", $"must be finite, got {scale}.");
        if (depth < 1) throw new InvalidParameterException("--lissa-depth", $"must be at least 1, got {depth}.");
        if (repeats < 1) throw new InvalidParameterException("--lissa-repeats", $"must be at least 1, got {repeats}.");
        if (batchSize < 0) throw new InvalidParameterException("--lissa-batch", $"must be 0 (full set) or positive, got {batchSize}.");
        _h = hessian;
        Damping = damping;
        Depth = depth;
        Repeats = repeats;
        BatchSize = batchSize >= hessian.SampleCount ? 0 : batchSize;
        Seed = seed;
        Scale = scale > 0 ? scale : 1.1 * (LargestEigenvalue(hessian, seed) + damping);
    }

    /// <inheritdoc/>
    public string Name => "lissa";

    /// <inheritdoc/>
    public double Damping { get; }

    /// <summary>The scale c in use (given or estimated).</summary>
    public double Scale { get; }

    /// <summary>Recursion depth.</summary>
    public int Depth { get; }

    /// <summary>Repeats averaged.</summary>
    public int Repeats { get; }

    /// <summary>Examples per sampled Hessian (0: full set).</summary>
    public int BatchSize { get; }

    /// <summary>Sampling seed.</summary>
    public int Seed { get; }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Settings => new Dictionary<string, double>
    {
        ["damping"] = Damping, ["scale"] = Scale, ["depth"] = Depth, ["repeats"] = Repeats, ["batchSize"] = BatchSize, ["seed"] = Seed,
    };

    /// <inheritdoc/>
    public InverseHvpResult Solve(ReadOnlySpan<double> g)
    {
        int n = _h.Dimension;
        InverseHvpChecks.RightHandSide(g, n);
        var rng = new Random(Seed);
        var s = new double[n];
        var h = new double[n];
        var hv = new double[n];
        var batch = new int[BatchSize];
        double gNorm = TensorPrimitives.Norm(g);
        for (int rep = 0; rep < Repeats; rep++)
        {
            g.CopyTo(h);
            for (int j = 0; j < Depth; j++)
            {
                if (BatchSize == 0) _h.Multiply(h, hv);
                else
                {
                    for (int k = 0; k < batch.Length; k++) batch[k] = rng.Next(_h.SampleCount);
                    _h.MultiplySample(batch, h, hv);
                }
                // h ← g + h − (H̃h + δh)/c = g + (1 − δ/c)h − H̃h/c
                TensorPrimitives.Multiply<double>(h, 1 - Damping / Scale, h);
                TensorPrimitives.MultiplyAdd<double>(hv, -1 / Scale, h, h);
                TensorPrimitives.Add(h, g, h);
                double norm = TensorPrimitives.Norm<double>(h);
                if (!double.IsFinite(norm) || norm > 1e12 * Math.Max(gNorm, double.Epsilon) * Scale)
                    return new InverseHvpResult(s, false, j + 1, double.NaN,
                        $"LiSSA diverged at depth {j + 1} of repeat {rep + 1} (‖h‖ = {norm:G3}): the scale {Scale:G3} is below half the largest eigenvalue of H + δI, " +
                        "or H + δI has negative eigenvalues. Raise --lissa-scale or add --damping.");
            }
            TensorPrimitives.MultiplyAdd<double>(h, 1.0 / (Scale * Repeats), s, s);
        }
        double residual = InverseHvpChecks.RelativeResidual(_h, Damping, s, g);
        return new InverseHvpResult(s, true, Depth * Repeats, residual, null);
    }

    /// <summary>Largest eigenvalue of H by power iteration from a seeded random start (50 products, enough for a scale with 10 % margin).</summary>
    public static double LargestEigenvalue(IHessianOperator hessian, int seed = 0, int iterations = 50)
    {
        ArgumentNullException.ThrowIfNull(hessian);
        int n = hessian.Dimension;
        var rng = new Random(seed);
        var v = new double[n];
        var w = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.NextDouble() - 0.5;
        TensorPrimitives.Multiply<double>(v, 1 / TensorPrimitives.Norm<double>(v), v);
        double lambda = 0;
        for (int k = 0; k < iterations; k++)
        {
            hessian.Multiply(v, w);
            lambda = TensorPrimitives.Dot<double>(v, w);
            double norm = TensorPrimitives.Norm<double>(w);
            if (norm == 0) return 0;
            TensorPrimitives.Multiply<double>(w, 1 / norm, v);
        }
        return Math.Abs(lambda);
    }
}
