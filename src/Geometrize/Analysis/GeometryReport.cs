namespace Geometrize.Analysis;

/// <summary>Settings of <see cref="NetworkGeometry.Analyze{T}"/>.</summary>
public sealed record GeometryOptions
{
    /// <summary>Number of top Hessian eigenvalues k (power iteration with deflation). 0 skips them.</summary>
    public int TopEigenvalues { get; init; } = 5;

    /// <summary>Rademacher probes P of the Hutchinson trace estimate. 0 skips the trace.</summary>
    public int Probes { get; init; } = 100;

    /// <summary>Lanczos steps m of the stochastic Lanczos quadrature (one probe). 0 skips the density.</summary>
    public int LanczosSteps { get; init; } = 80;

    /// <summary>Inputs whose flow-map Jacobian is analysed (the first ones of the subset); the Jacobian costs one backward pass per output dimension.</summary>
    public int JacobianSamples { get; init; } = 256;

    /// <summary>Draws y ~ p_θ(·|x) per input for the true Fisher–Rao norm.</summary>
    public int FisherRaoModelSamples { get; init; } = 4;

    /// <summary>Trajectories kept, projected to the plane, for plotting.</summary>
    public int ProjectedPaths { get; init; } = 64;

    /// <summary>Seed of every random probe and draw.</summary>
    public int Seed { get; init; }

    /// <summary>Throws when a count is negative or a positive count is unusable.</summary>
    /// <exception cref="InvalidParameterException">A value out of range (named by its CLI option).</exception>
    public void Validate()
    {
        if (TopEigenvalues < 0) throw new InvalidParameterException("--top", $"must be 0 (skip) or more, got {TopEigenvalues}.");
        if (Probes < 0) throw new InvalidParameterException("--probes", $"must be 0 (skip) or more, got {Probes}.");
        if (LanczosSteps < 0) throw new InvalidParameterException("--lanczos", $"must be 0 (skip) or more, got {LanczosSteps}.");
        if (JacobianSamples < 1) throw new InvalidParameterException("--jacobian-samples", $"must be at least 1, got {JacobianSamples}.");
        if (FisherRaoModelSamples < 1) throw new InvalidParameterException("fisher-rao model samples", $"must be at least 1, got {FisherRaoModelSamples}.");
        if (ProjectedPaths < 0) throw new InvalidParameterException("projected paths", $"must be 0 or more, got {ProjectedPaths}.");
    }
}

/// <summary>
/// Every geometric measure of one trained network on one data subset (see <see cref="NetworkGeometry"/>). A measure
/// that does not apply to the model is null: the trajectory, parameter curve and projected paths exist only for
/// block networks (FlowNet, PlainNet); the Fisher–Rao norm only for classifiers.
/// </summary>
public sealed class GeometryReport
{
    /// <summary>Model kind name (flownet, plainnet, mlp, logreg).</summary>
    public required string Model { get; init; }

    /// <summary>Samples n of the subset (Hessian, Fisher–Rao, trajectories).</summary>
    public required int Samples { get; init; }

    /// <summary>Trainable scalars, the dimension of the Hessian.</summary>
    public required int ParameterCount { get; init; }

    /// <summary>What the Jacobian differentiates: "flow map x_N/x_0" for block networks, "network map output/input" otherwise.</summary>
    public required string JacobianMap { get; init; }

    /// <summary>Data-space trajectory measures of the states x_0..x_N (block networks only).</summary>
    public TrajectoryReport? Trajectory { get; init; }

    /// <summary>Parameter-space curve of θ_0..θ_{N−1} (block networks only).</summary>
    public ParameterCurveReport? ParameterCurve { get; init; }

    /// <summary>Jacobian singular values and volume change on the first <see cref="GeometryOptions.JacobianSamples"/> inputs.</summary>
    public required FlowJacobianReport Jacobian { get; init; }

    /// <summary>Empirical and true Fisher–Rao norms (classification only).</summary>
    public FisherRaoReport? FisherRao { get; init; }

    /// <summary>Training loss (cross-entropy or MSE, evaluation mode) on the subset.</summary>
    public required double Loss { get; init; }

    /// <summary>Top Hessian eigenvalues, descending (null when skipped).</summary>
    public EigenPairs? HessianTop { get; init; }

    /// <summary>Hutchinson estimate of trace(H) (null when skipped).</summary>
    public TraceEstimate? HessianTrace { get; init; }

    /// <summary>Smoothed SLQ spectral density of H (null when skipped).</summary>
    public SpectralDensityEstimate? HessianDensity { get; init; }

    /// <summary>
    /// Trajectories of evenly spaced samples (<see cref="ProjectedPathSamples"/>) projected on the two leading principal components of all states (the
    /// states themselves when the width is 2): [path][state] → (x, y). Block networks only.
    /// </summary>
    public (double X, double Y)[][]? ProjectedPaths { get; init; }

    /// <summary>Index in the subset of the sample of each projected path.</summary>
    public int[]? ProjectedPathSamples { get; init; }

    /// <summary>True when <see cref="ProjectedPaths"/> are the raw 2-D states rather than a PCA projection.</summary>
    public bool ProjectionIsIdentity { get; init; }

    /// <summary>Seconds per stage (trajectory, jacobian, fisher-rao, hessian-top, hessian-trace, hessian-density).</summary>
    public required IReadOnlyDictionary<string, double> Seconds { get; init; }
}
