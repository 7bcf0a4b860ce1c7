using System.Diagnostics;
using System.Numerics;
using Geometrize.Networks.Data;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Geometrize.Analysis.Influence;

/// <summary>
/// Influence functions (Koh &amp; Liang 2017; Cook and Weisberg 1982) of a model trained to a minimum θ̂ of its
/// regularised empirical risk. Read geometrically (the paper's §III-B): ∇ℓ(z) is a momentum at θ̂ and H⁻¹ the
/// metric that turns it into the parameter velocity I_up,params(z) = −H⁻¹∇ℓ(z); the influence on a test loss is that
/// velocity paired with the test gradient. Per test point the solve s_test = H⁻¹∇L(z_test) is done once, after which
/// every training point costs one dot product I_up,loss(z) = −s_testᵀ∇ℓ(z) (see <see cref="InfluenceResult"/> for the
/// sign convention).
/// </summary>
public sealed class InfluenceFunctions<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Per-example gradient rows computed at once, at most (bounds memory to rows × p doubles).</summary>
    private const int GradientChunk = 1024;

    /// <summary>Doubles of per-example gradient rows held at once (8 MiB): large networks take fewer rows per chunk.</summary>
    private const int GradientBuffer = 1 << 20;

    /// <summary>Binds the risk at θ̂ and the solver for H⁻¹ (built on the same risk).</summary>
    public InfluenceFunctions(EmpiricalRisk<T> risk, IInverseHvpSolver solver)
    {
        ArgumentNullException.ThrowIfNull(risk);
        ArgumentNullException.ThrowIfNull(solver);
        Risk = risk;
        Solver = solver;
    }

    /// <summary>The empirical risk at θ̂.</summary>
    public EmpiricalRisk<T> Risk { get; }

    /// <summary>The inverse-HVP solver.</summary>
    public IInverseHvpSolver Solver { get; }

    /// <summary>Influence of every training point on the loss of sample <paramref name="testIndex"/> of <paramref name="test"/>.</summary>
    /// <exception cref="InvalidParameterException">The index is out of range or the test set does not fit the model's input.</exception>
    public InfluenceResult Compute(Dataset test, int testIndex)
    {
        ArgumentNullException.ThrowIfNull(test);
        EmpiricalRisk<T>.CheckInput(Risk.Model, test);
        if ((uint)testIndex >= (uint)test.Count)
            throw new InvalidParameterException("--test-index", $"{testIndex} is outside [0, {test.Count}) of test set '{test.Name}'.");
        var clock = Stopwatch.StartNew();
        int p = Risk.Dimension, n = Risk.Count;
        var gTest = new double[p];
        Risk.ExampleGradients(test, [testIndex], gTest);
        double testLoss = Risk.ExampleLoss(test, testIndex);
        var solve = Solver.Solve(gTest);
        var sTest = solve.Solution;

        var influence = new double[n];
        int chunk = Math.Clamp(GradientBuffer / p, 1, Math.Min(GradientChunk, n));
        var rows = new double[(long)chunk * p];
        var indices = new int[chunk];
        for (int start = 0; start < n; start += chunk)
        {
            int m = Math.Min(chunk, n - start);
            for (int k = 0; k < m; k++) indices[k] = start + k;
            Risk.ExampleGradients(Risk.Training, indices.AsSpan(0, m), rows.AsSpan(0, m * p));
            // I_up,loss = −G s_test for the whole chunk, one SIMD dot per row.
            for (int k = 0; k < m; k++) influence[start + k] = -TensorPrimitives.Dot<double>(rows.AsSpan(k * p, p), sTest);
        }
        var predicted = new double[n];
        for (int i = 0; i < n; i++) predicted[i] = -Risk.ExampleWeights[i] / n * influence[i];
        return new InfluenceResult(testIndex, testLoss, gTest, sTest, solve, influence, predicted, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// I_up,params(z) = −(H + δI)⁻¹∇ℓ(z) for training point <paramref name="trainingIndex"/>: the first-order change of
    /// θ̂ per unit up-weighting of z (removing z changes θ̂ by about −(1/n)·I_up,params).
    /// </summary>
    /// <exception cref="InvalidParameterException">The index is out of range.</exception>
    public InverseHvpResult ParameterInfluence(int trainingIndex)
    {
        if ((uint)trainingIndex >= (uint)Risk.Count)
            throw new InvalidParameterException("trainingIndex", $"{trainingIndex} is outside [0, {Risk.Count}) of training set '{Risk.Training.Name}'.");
        var g = new double[Risk.Dimension];
        Risk.ExampleGradients(Risk.Training, [trainingIndex], g);
        var r = Solver.Solve(g);
        var s = r.Solution;
        for (int i = 0; i < s.Length; i++) s[i] = -s[i];
        return r;
    }
}
