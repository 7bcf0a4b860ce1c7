namespace Geometrize.Analysis;

/// <summary>
/// Hutchinson's stochastic trace estimator tr(A) ≈ (1/m)Σ_j z_jᵀAz_j with Rademacher probes z_j ∈ {±1}ⁿ
/// (unbiased; among i.i.d. probe distributions, Rademacher has the smallest variance, 2Σ_{i≠j}A_ij²).
/// </summary>
public static class HessianTrace
{
    /// <summary>Estimates the trace with <paramref name="probes"/> seeded Rademacher probes.</summary>
    /// <exception cref="InvalidParameterException">probes &lt; 2 (the standard error needs two).</exception>
    public static TraceEstimate Hutchinson(ISymmetricOperator op, int probes = 100, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (probes < 2) throw new InvalidParameterException("probes", $"needs at least 2 probes for a standard error, got {probes}.");
        int n = op.Dimension;
        var rng = new Random(seed);
        var z = new double[n];
        var az = new double[n];
        var samples = new double[probes];
        for (int j = 0; j < probes; j++)
        {
            RandomProbes.Rademacher(rng, z);
            op.Apply(z, az);
            samples[j] = RandomProbes.Dot(z, az);
        }
        double mean = samples.Average();
        double var = 0;
        foreach (var s in samples) var += (s - mean) * (s - mean);
        var /= probes - 1;
        return new TraceEstimate { Mean = mean, StandardError = Math.Sqrt(var / probes), Probes = probes, Samples = samples };
    }
}

/// <summary>A Monte Carlo trace estimate.</summary>
public sealed class TraceEstimate
{
    /// <summary>Estimated trace (mean of zᵀAz).</summary>
    public required double Mean { get; init; }

    /// <summary>Standard error of the mean: sample standard deviation (n − 1) over √probes.</summary>
    public required double StandardError { get; init; }

    /// <summary>Number of probes.</summary>
    public required int Probes { get; init; }

    /// <summary>The individual zᵀAz values.</summary>
    public required double[] Samples { get; init; }
}
