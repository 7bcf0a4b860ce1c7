using Geometrize.Analysis.Influence;
using Geometrize.Networks.Data;
using Geometrize.Numerics.LinearAlgebra;

namespace Geometrize.Tests.Analysis;

/// <summary>Influence functions on bad input: every failure is a typed exception or a flagged result with a clear message.</summary>
public class InfluenceBadInputTests
{
    private const int D = 11;

    private static (EmpiricalRisk<double> Risk, Dataset Test) Ridge(double l2 = 0.01)
    {
        var train = InfluenceFixtures.Regression(100, D, 1);
        var risk = new EmpiricalRisk<double>(new LeastSquaresModel(D), train, l2);
        NewtonMinimizer.Minimize(risk, 1e-12);
        return (risk, InfluenceFixtures.Regression(10, D, 2));
    }

    /// <summary>A fixed symmetric matrix as a curvature operator.</summary>
    private sealed class MatrixOperator(double[,] a) : IHessianOperator
    {
        public int Dimension => a.GetLength(0);
        public int SampleCount => 1;
        public void Multiply(ReadOnlySpan<double> v, Span<double> product) => InfluenceFixtures.Multiply(a, v.ToArray()).CopyTo(product);
        public void MultiplySample(ReadOnlySpan<int> sample, ReadOnlySpan<double> v, Span<double> product) => Multiply(v, product);
        public void DenseMatrix(Span<double> matrix)
        {
            for (int i = 0; i < Dimension; i++)
                for (int j = 0; j < Dimension; j++) matrix[i * Dimension + j] = a[i, j];
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10)]
    public void TestIndexOutOfRangeNamesTheOption(int index)
    {
        var (risk, test) = Ridge();
        var influence = new InfluenceFunctions<double>(risk, new ExactInverseHvp(risk));
        var ex = Assert.Throws<InvalidParameterException>(() => influence.Compute(test, index));
        Assert.Equal("--test-index", ex.Parameter);
        Assert.Contains("[0, 10)", ex.Message);
        Assert.Throws<InvalidParameterException>(() => influence.ParameterInfluence(100));
    }

    [Fact]
    public void InputSizeMismatchBetweenModelAndDataIsReported()
    {
        var wrong = InfluenceFixtures.Regression(20, 5, 3);
        var ex = Assert.Throws<InvalidParameterException>(() => new EmpiricalRisk<double>(new LeastSquaresModel(D), wrong, 0.01));
        Assert.Contains("5 features", ex.Message);
        Assert.Contains("expects 11", ex.Message);
        var (risk, _) = Ridge();
        var influence = new InfluenceFunctions<double>(risk, new ExactInverseHvp(risk));
        Assert.Throws<InvalidParameterException>(() => influence.Compute(wrong, 0));
        Assert.Throws<InvalidParameterException>(() => new LogisticInfluenceModel<double>(5).ExampleLosses(InfluenceFixtures.Regression(4, 5, 1), [0]));
        var threeClasses = Dataset.Classification("three", new float[15], [5], [0, 1, 2], 3);
        var lr = Assert.Throws<InvalidParameterException>(() => new EmpiricalRisk<double>(new LogisticInfluenceModel<double>(5), threeClasses, 0.01).Gradient(new double[6]));
        Assert.Contains("two-class", lr.Message);
    }

    [Fact]
    public void SingularHessianWithoutDampingSuggestsDamping()
    {
        // Two identical feature columns and no L2: the risk is flat along (e_1 − e_2), H is singular.
        var baseSet = InfluenceFixtures.Regression(50, 4, 7);
        var x = new float[50 * 5];
        for (int i = 0; i < 50; i++)
        {
            baseSet.FeatureRow(i).CopyTo(x.AsSpan(i * 5, 4));
            x[i * 5 + 4] = x[i * 5 + 1];
        }
        var train = Dataset.Regression("duplicated-column", x, [5], baseSet.Targets);
        var risk = new EmpiricalRisk<double>(new LeastSquaresModel(5), train, 0);
        var ex = Assert.Throws<NotPositiveDefiniteException>(() => new ExactInverseHvp(risk));
        Assert.Contains("--damping", ex.Message);
        Assert.IsAssignableFrom<GeometrizeException>(ex);
        var damped = new ExactInverseHvp(risk, damping: 0.1);
        var g = new double[] { 1, 0, 0, 0, 0 };
        Assert.All(damped.Solve(g).Solution, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void NonConvergentConjugateGradientIsFlaggedWithItsResidual()
    {
        var (risk, test) = Ridge();
        var cg = new ConjugateGradientInverseHvp(risk, tolerance: 1e-12, maxIterations: 2);
        var result = new InfluenceFunctions<double>(risk, cg).Compute(test, 0);
        Assert.False(result.Solve.Converged);
        Assert.Equal(2, result.Solve.Iterations);
        Assert.True(result.Solve.RelativeResidual > 1e-12);
        Assert.NotNull(result.Warning);
        Assert.Contains("did not converge", result.Warning);
        Assert.Contains(result.Solve.RelativeResidual.ToString("G3"), result.Warning);
        Assert.Contains("--cg-iterations", result.Warning);
    }

    [Fact]
    public void IndefiniteCurvatureStopsConjugateGradientAndLissaDivergenceIsFlagged()
    {
        var indefinite = new MatrixOperator(new double[,] { { 1, 0 }, { 0, -1 } });
        var cg = new ConjugateGradientInverseHvp(indefinite).Solve([1.0, 1.0]);
        Assert.False(cg.Converged);
        Assert.Contains("non-positive curvature", cg.Warning);
        var spd = new MatrixOperator(new double[,] { { 10, 0 }, { 0, 1 } });
        var lissa = new LissaInverseHvp(spd, scale: 2, depth: 200).Solve([1.0, 1.0]);
        Assert.False(lissa.Converged);
        Assert.Contains("--lissa-scale", lissa.Warning);
        var ok = new LissaInverseHvp(spd, depth: 400).Solve([10.0, 1.0]);
        Assert.True(ok.Converged);
        Assert.Equal(1.0, ok.Solution[0], 1e-9);
        Assert.Equal(1.0, ok.Solution[1], 1e-9);
    }

    [Fact]
    public void InvalidSettingsAreRejected()
    {
        var (risk, test) = Ridge();
        Assert.Throws<InvalidParameterException>(() => new ExactInverseHvp(risk, -1));
        Assert.Throws<InvalidParameterException>(() => new ConjugateGradientInverseHvp(risk, tolerance: 0));
        Assert.Throws<InvalidParameterException>(() => new ConjugateGradientInverseHvp(risk, maxIterations: 0));
        Assert.Throws<InvalidParameterException>(() => new LissaInverseHvp(risk, depth: 0));
        Assert.Throws<InvalidParameterException>(() => new LissaInverseHvp(risk, repeats: 0));
        Assert.Throws<InvalidParameterException>(() => new EmpiricalRisk<double>(new LeastSquaresModel(D), test, -0.5));
        Assert.Throws<InvalidParameterException>(() => new ExactInverseHvp(risk).Solve(new double[3]));
        Assert.Throws<InvalidParameterException>(() => new ExactInverseHvp(risk).Solve(Enumerable.Repeat(double.NaN, D).ToArray()));
        var result = new InfluenceFunctions<double>(risk, new ExactInverseHvp(risk)).Compute(test, 0);
        var validation = new LeaveOneOutValidation<double>(risk);
        Assert.Equal("--validate", Assert.Throws<InvalidParameterException>(() => validation.Validate(result, test, 1)).Parameter);
        Assert.Throws<InvalidParameterException>(() => validation.Validate(result, test, 101));
        Assert.Throws<InvalidParameterException>(() => result.TopByMagnitude(-1));
    }
}
