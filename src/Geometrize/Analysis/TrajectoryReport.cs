namespace Geometrize.Analysis;

/// <summary>Data-space geometry of the trajectories of n inputs through N blocks (see <see cref="TrajectoryMeasures"/>).</summary>
public sealed class TrajectoryReport
{
    /// <summary>Number of samples n.</summary>
    public required int Samples { get; init; }

    /// <summary>Number of steps N (states minus one).</summary>
    public required int Steps { get; init; }

    /// <summary>Step size h used to turn displacements into velocities.</summary>
    public required double StepSize { get; init; }

    /// <summary>Speed profile s_k = mean_i ‖x_{k+1,i} − x_{k,i}‖ / h, one value per step.</summary>
    public required double[] Speeds { get; init; }

    /// <summary>Coefficient of variation std(s)/mean(s) of the speed profile (population std): 0 for a constant-speed curve, as a geodesic is.</summary>
    public required double IsometryIndex { get; init; }

    /// <summary>½Σ_k h·E_i‖f_{k,i}‖² with f = (x_{k+1} − x_k)/h.</summary>
    public required double KineticEnergy { get; init; }

    /// <summary>Σ_k h·E_i‖f_{k,i}‖, i.e. the mean over samples of each sample's polygonal path length.</summary>
    public required double CurveLength { get; init; }

    /// <summary>
    /// Turning angle between successive steps, in radians (0 = straight on, π = reversal), per interior state
    /// k = 1..N−1, averaged over the samples whose two steps are both non-zero (NaN when none is). For a regular
    /// polygon with N sides this is the exterior angle 2π/N: a discrete curvature times the step length.
    /// </summary>
    public required double[] TurningAngles { get; init; }

    /// <summary>Mean turning angle over all defined (sample, interior state) pairs, radians; NaN when there are none (N = 1).</summary>
    public required double MeanTurningAngle { get; init; }
}

/// <summary>Parameter-space geometry of the curve θ_0, …, θ_{N−1} (see <see cref="TrajectoryMeasures.OfParameters{T}"/>).</summary>
public sealed class ParameterCurveReport
{
    /// <summary>Number of blocks.</summary>
    public required int Blocks { get; init; }

    /// <summary>Step size h.</summary>
    public required double StepSize { get; init; }

    /// <summary>‖θ_k‖ per block.</summary>
    public required double[] Norms { get; init; }

    /// <summary>½Σ_k h‖θ_k‖², the energy of the curve in parameter space.</summary>
    public required double Energy { get; init; }

    /// <summary>Σ_k ‖θ_{k+1} − θ_k‖, the polygonal length of the parameter curve (no h: the blocks are the curve's vertices).</summary>
    public required double Length { get; init; }
}
