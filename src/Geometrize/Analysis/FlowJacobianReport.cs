namespace Geometrize.Analysis;

/// <summary>Jacobian singular values and volume change of a flow map over a set of inputs (see <see cref="FlowJacobian"/>).</summary>
public sealed class FlowJacobianReport
{
    /// <summary>Number of inputs.</summary>
    public required int Samples { get; init; }

    /// <summary>Input dimension d_in.</summary>
    public required int InputDimension { get; init; }

    /// <summary>Output dimension d_out.</summary>
    public required int OutputDimension { get; init; }

    /// <summary>Per input, the min(d_in, d_out) singular values of J, descending.</summary>
    public required double[][] SingularValues { get; init; }

    /// <summary>
    /// Mean of σ² over all inputs and singular values, = E‖J‖_F² / min(d_in, d_out): 1 for a network at dynamic
    /// isometry in the sense of Pennington et al. (the mean-squared singular value).
    /// </summary>
    public required double MeanSquaredSingularValue { get; init; }

    /// <summary>Standard deviation of σ pooled over all inputs and singular values (the spread; 0 at exact isometry).</summary>
    public required double SingularValueStd { get; init; }

    /// <summary>Per input, σ_max/σ_min (+∞ when J is rank-deficient).</summary>
    public required double[] ConditionNumbers { get; init; }

    /// <summary>Median over inputs of the condition number.</summary>
    public required double MedianConditionNumber { get; init; }

    /// <summary>Largest condition number over inputs.</summary>
    public required double MaxConditionNumber { get; init; }

    /// <summary>Per input, log|det J| (natural log) when J is square; null otherwise. −∞ for a singular J.</summary>
    public required double[]? LogAbsDeterminants { get; init; }

    /// <summary>Mean of <see cref="LogAbsDeterminants"/> (null when J is not square).</summary>
    public required double? MeanLogAbsDeterminant { get; init; }
}
