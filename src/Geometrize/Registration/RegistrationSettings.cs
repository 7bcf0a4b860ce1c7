using System.Globalization;
using Geometrize.Diffeomorphisms.Metrics;

namespace Geometrize.Registration;

/// <summary>The flow parameterisation being optimised.</summary>
public enum RegistrationMethod
{
    /// <summary>Beg et al. 2005: gradient descent on time-dependent velocities v_t in the V metric (optimal-control adjoint).</summary>
    Lddmm,
    /// <summary>Geodesic shooting from an initial vector momentum m_0 (Singh et al. 2013); the default.</summary>
    Shooting,
    /// <summary>Geodesic shooting from a scalar momentum P_0, m_0 = P_0∇I_0 (Vialard et al. 2012).</summary>
    ShootingScalar,
    /// <summary>Metamorphosis: shooting from (I_0, p_0) that both deforms and re-colours the image (Trouvé &amp; Younes 2005).</summary>
    Metamorphosis,
}

/// <summary>Similarity term.</summary>
public enum DataTermKind
{
    /// <summary>Sum of squared differences, (1/2σ²)‖I∘φ⁻¹ − J‖².</summary>
    Ssd,
    /// <summary>Global normalised cross-correlation (energy 1 − NCC, scaled by 1/σ²).</summary>
    Ncc,
    /// <summary>Local normalised cross-correlation over cubic windows (energy Σ(1 − LNCC), scaled by 1/σ²).</summary>
    Lncc,
}

/// <summary>Optimiser choice.</summary>
public enum OptimizerKind
{
    /// <summary>L-BFGS with Armijo backtracking (default for shooting).</summary>
    Lbfgs,
    /// <summary>Gradient descent with Armijo backtracking (default for LDDMM).</summary>
    GradientDescent,
}

/// <summary>
/// All settings of a registration. Intensities are rescaled jointly to [0, 1] before optimisation (so σ has the
/// same meaning on every scan); reported MSE values are in the original intensity units.
/// </summary>
public sealed record RegistrationSettings
{
    /// <summary>Flow parameterisation (default: vector-momentum shooting).</summary>
    public RegistrationMethod Method { get; init; } = RegistrationMethod.Shooting;
    private readonly MetricParameters? _metric;

    /// <summary>
    /// Metric L = (γ − αΔ)^s − β∇∇· (α in mm²). Default <see cref="DefaultMetric"/> of <see cref="Method"/>
    /// unless set.
    /// </summary>
    public MetricParameters Metric { get => _metric ?? DefaultMetric(Method); init => _metric = value; }

    /// <summary>
    /// The default metric of a method: α = 4 mm², s = 2, and γ = 0.1 (range of K √(α/γ) ≈ 6 mm; with γ = 1, range
    /// 2 mm, large smooth displacements cost so much that the ITK brain pair stops at MSE 229 instead of 46),
    /// except for metamorphosis, whose ρ trade-off is balanced against K's size and was set with γ = 1 (with the
    /// 100× larger low-frequency K of γ = 0.1 the optimum moves tissue instead of creating intensity).
    /// </summary>
    public static MetricParameters DefaultMetric(RegistrationMethod method) =>
        method == RegistrationMethod.Metamorphosis ? new(Alpha: 4, Gamma: 1, Power: 2) : new(Alpha: 4, Gamma: 0.1, Power: 2);
    /// <summary>Time steps of the flow (default 10).</summary>
    public int TimeSteps { get; init; } = 10;
    /// <summary>Similarity term (default SSD).</summary>
    public DataTermKind DataTerm { get; init; } = DataTermKind.Ssd;
    /// <summary>Data-term noise level σ (intensities in [0, 1]); the data term is divided by σ².</summary>
    public double Sigma { get; init; } = 0.02;
    /// <summary>Window radius in voxels for local NCC (window side 2r + 1).</summary>
    public int LnccRadius { get; init; } = 2;
    /// <summary>
    /// Least Gaussian smoothing of both images at every level, in voxels (<c>--smoothing</c>, default 0.5): pyramid
    /// levels are smoothed by σ = factor/2 voxels anyway, so this acts on the finest level. Linear reading of an
    /// unsmoothed image blurs it by an amount that depends on the sub-voxel position, an artefact the optimiser then
    /// fits; half a voxel removes most of it (textured 3-D test case: mean end-point error 0.127 → 0.101 voxel; ITK
    /// brain pair MSE 23.9 → 24.3). The warped output and the reported MSE use the original images.
    /// </summary>
    public double Smoothing { get; init; } = 0.5;
    /// <summary>Shrink factor per level, coarse to fine (written 4x2x1).</summary>
    public int[] Shrink { get; init; } = [4, 2, 1];
    /// <summary>Iterations per level, coarse to fine (written 100x50x25).</summary>
    public int[] Iterations { get; init; } = [100, 50, 25];
    /// <summary>Relative tolerance: a level stops when the energy decrease per iteration is below it.</summary>
    public double Tolerance { get; init; } = 1e-4;
    /// <summary>Optimiser; null means the method's default (L-BFGS for shooting, gradient descent for LDDMM).</summary>
    public OptimizerKind? Optimizer { get; init; }
    /// <summary>
    /// Shrink factor of the grid the flow of the <c>shooting</c> method runs on, relative to the full-resolution
    /// fixed image (default 16, never below 8 nodes per axis): the momentum, the maps and every FFT live on that
    /// coarser grid, while images are compared at the level's full resolution (<see cref="FlowGridTransfer{T}"/>).
    /// This band-limits the velocity as FLASH's truncated Fourier space does; 16 voxels of 1 mm is about the
    /// control-point spacing of a B-spline registration, and on the ITK brain pair the coarse flow converged best
    /// (MSE 25 at 16, 28 at 8, 37 at 2). 1 computes the flow on the image grid. A level coarser than this factor uses
    /// its own grid. <see cref="MultiscaleRegistration{T}"/> hands each level's problem the factor relative to that
    /// level's grid. The other methods ignore it.
    /// </summary>
    public int FlowShrink { get; init; } = 16;
    /// <summary>
    /// Metamorphosis trade-off ρ ∈ [0, 1] (<c>--rho</c>): 0 pure deformation (exactly <c>shooting-scalar</c>), 1 pure
    /// intensity change (no deformation); see <see cref="MetamorphosisProblem{T}"/>. Used only by that method.
    /// </summary>
    public double MetamorphosisRho { get; init; } = 0.01;
    /// <summary>
    /// How the moving image is read for the final <c>warped</c> image and the reported MSE/NCC after registration
    /// (<c>--final-interpolation</c>): cubic B-spline by default, as elastix resamples its result, because linear
    /// reading blurs edges by itself (on the ITK brain pair it alone leaves an MSE near 38 whatever the deformation).
    /// The optimisation always reads linearly. Nearest is refused: the warped image is an intensity image.
    /// </summary>
    public WarpInterpolation FinalInterpolation { get; init; } = WarpInterpolation.Cubic;
    /// <summary>Zero-pad FFT grids to 2·3·5-smooth sizes.</summary>
    public bool PadToFastSizes { get; init; } = true;

    /// <summary>The optimiser actually used.</summary>
    public OptimizerKind EffectiveOptimizer => Optimizer ?? (Method == RegistrationMethod.Lddmm ? OptimizerKind.GradientDescent : OptimizerKind.Lbfgs);

    /// <summary>Checks every value and throws <see cref="InvalidParameterException"/> naming the CLI option.</summary>
    public RegistrationSettings Validate()
    {
        Metric.Validate();
        if (TimeSteps is < 1 or > 1000) throw new InvalidParameterException("--time-steps", $"must be between 1 and 1000, got {TimeSteps}.");
        if (!(Sigma > 0) || !double.IsFinite(Sigma)) throw new InvalidParameterException("--sigma", $"must be positive and finite, got {Sigma}.");
        if (LnccRadius is < 1 or > 50) throw new InvalidParameterException("--radius", $"must be between 1 and 50 voxels, got {LnccRadius}.");
        if (!(Smoothing >= 0 && Smoothing <= 100)) throw new InvalidParameterException("--smoothing", $"must lie in [0, 100] voxels, got {Smoothing}.");
        if (Shrink.Length == 0) throw new InvalidParameterException("--shrink", "needs at least one level, e.g. 4x2x1.");
        if (Shrink.Length != Iterations.Length)
            throw new InvalidParameterException("--iterations", $"has {Iterations.Length} levels but --shrink has {Shrink.Length}; give one iteration count per level (e.g. --shrink 4x2x1 --iterations 100x50x25).");
        if (Shrink.Any(f => f < 1)) throw new InvalidParameterException("--shrink", "factors must be at least 1.");
        if (Iterations.Any(n => n < 0)) throw new InvalidParameterException("--iterations", "counts must be zero or positive.");
        if (FlowShrink is < 1 or > 16) throw new InvalidParameterException("--flow-shrink", $"must be between 1 and 16, got {FlowShrink}.");
        Diffeomorphisms.MetamorphosisShooting<double>.RequireRho(MetamorphosisRho);
        if (FinalInterpolation is not (WarpInterpolation.Linear or WarpInterpolation.Cubic))
            throw new InvalidParameterException("--final-interpolation", $"must be linear or cubic, got {DisplacementWarp.Name(FinalInterpolation)}.");
        if (!(Tolerance >= 0)) throw new InvalidParameterException("--tolerance", $"must be zero or positive, got {Tolerance}.");
        return this;
    }

    /// <summary>Parses an ANTs-style schedule such as <c>100x50x25</c> or <c>4x2x1</c>.</summary>
    public static int[] ParseSchedule(string text, string option)
    {
        var parts = text.Split('x', StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]))
                throw new InvalidParameterException(option, $"'{text}' is not a schedule of whole numbers separated by 'x' (e.g. 4x2x1).");
        return values;
    }
}
