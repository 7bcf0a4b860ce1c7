namespace Geometrize.Analysis.Influence;

/// <summary>
/// A symmetric curvature operator H of dimension p, known through products H·v (the inverse-HVP solvers' only
/// access to the model), through sampled products (LiSSA) and, for small p, as a dense matrix.
/// </summary>
public interface IHessianOperator
{
    /// <summary>Dimension p (number of parameters).</summary>
    int Dimension { get; }

    /// <summary>Number of terms H averages over (training examples); the range of <see cref="MultiplySample"/>'s indices.</summary>
    int SampleCount { get; }

    /// <summary>Writes H·v into <paramref name="product"/>.</summary>
    void Multiply(ReadOnlySpan<double> v, Span<double> product);

    /// <summary>
    /// Writes the unbiased estimate of H·v built from the terms <paramref name="sample"/> only (their mean curvature
    /// plus the regularisation), as stochastic solvers use.
    /// </summary>
    void MultiplySample(ReadOnlySpan<int> sample, ReadOnlySpan<double> v, Span<double> product);

    /// <summary>Writes H as a row-major p×p matrix into <paramref name="matrix"/>.</summary>
    void DenseMatrix(Span<double> matrix);
}
