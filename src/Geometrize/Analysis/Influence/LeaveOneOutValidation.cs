using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using Geometrize.Networks.Data;
using Geometrize.Networks.Optimizers;
using Geometrize.Numerics.LinearAlgebra;

namespace Geometrize.Analysis.Influence;

/// <summary>How <see cref="LeaveOneOutValidation{T}"/> retrains without a point.</summary>
public enum RetrainingMethod
{
    /// <summary>
    /// Newton's method in double, each step solved by conjugate gradient preconditioned with the dense Hessian at θ̂
    /// (factorised once): quadratic convergence from θ̂ at O(p²) per step (small and medium models).
    /// </summary>
    Newton,
    /// <summary>The L-BFGS optimiser on the model's tensors (models too large for a dense Hessian).</summary>
    Lbfgs,
    /// <summary>
    /// Matrix-free Newton–CG (<see cref="TruncatedNewtonMinimizer"/>): exact Hessian–vector products only, so it suits
    /// networks too large for a dense Hessian and converges in a few steps from θ̂ where L-BFGS stalls.
    /// </summary>
    TruncatedNewton,
}

/// <summary>Settings of the leave-one-out retraining.</summary>
/// <param name="Method">Newton (default) or L-BFGS.</param>
/// <param name="GradientTolerance">Stop when ‖∇R_−z‖₂ (Newton) or max |∂R_−z/∂θ| (L-BFGS) is below this.</param>
/// <param name="MaxIterations">Iteration budget per retraining.</param>
public sealed record RetrainingOptions(RetrainingMethod Method = RetrainingMethod.Newton, double GradientTolerance = 1e-10, int MaxIterations = 100);

/// <summary>Predicted and actual test-loss change for one removed training point.</summary>
/// <param name="TrainingIndex">The removed point.</param>
/// <param name="Predicted">−(1/n)·I_up,loss.</param>
/// <param name="Actual">L(z_test, θ̂_−z) − L(z_test, θ̂) after retraining.</param>
/// <param name="Iterations">Retraining iterations.</param>
/// <param name="GradientNorm">Gradient norm of the leave-one-out risk at the retrained parameters.</param>
public sealed record LeaveOneOutPair(int TrainingIndex, double Predicted, double Actual, int Iterations, double GradientNorm);

/// <summary>Outcome of a leave-one-out validation.</summary>
/// <param name="Pairs">One entry per removed point, in order of decreasing |influence|.</param>
/// <param name="Pearson">Pearson correlation of predicted and actual changes.</param>
/// <param name="Spearman">Spearman rank correlation of predicted and actual changes.</param>
/// <param name="BaseGradientNorm">‖∇R(θ̂)‖₂: influence functions assume it is ≈ 0; a large value means θ̂ was not trained to optimality.</param>
/// <param name="Seconds">Wall time of all retrainings.</param>
public sealed record LeaveOneOutReport(IReadOnlyList<LeaveOneOutPair> Pairs, double Pearson, double Spearman, double BaseGradientNorm, double Seconds);

/// <summary>
/// The validation Koh &amp; Liang use for influence functions: remove each of the top-k training points by |influence|,
/// retrain from θ̂ (warm start) to tight optimality, measure the actual change of the test loss, and correlate it with
/// the prediction −(1/n)·I_up,loss. Removing z sets its weight in the risk to 0 and keeps the factor 1/n — exactly the
/// perturbation ε = −1/n the prediction linearises. θ̂ is restored after every retraining and at the end.
/// </summary>
public sealed class LeaveOneOutValidation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Cholesky? _preconditioner;

    /// <summary>Binds the risk at θ̂ and the retraining settings.</summary>
    /// <param name="risk">The risk at θ̂.</param>
    /// <param name="options">Retraining settings (Newton by default).</param>
    /// <param name="hessianFactor">
    /// Cholesky factor of the Hessian at θ̂ (e.g. <see cref="ExactInverseHvp.Factor"/>) to precondition Newton's
    /// steps; computed once per validation when null.
    /// </param>
    public LeaveOneOutValidation(EmpiricalRisk<T> risk, RetrainingOptions? options = null, Cholesky? hessianFactor = null)
    {
        if (hessianFactor is not null && hessianFactor.Dimension != risk.Dimension)
            throw new InvalidParameterException("hessianFactor", $"has order {hessianFactor.Dimension}, the model {risk.Dimension} parameters.");
        _preconditioner = hessianFactor;
        ArgumentNullException.ThrowIfNull(risk);
        Risk = risk;
        Options = options ?? new RetrainingOptions();
        if (!(Options.GradientTolerance > 0)) throw new InvalidParameterException("tolerance", $"must be positive, got {Options.GradientTolerance}.");
        if (Options.MaxIterations < 1) throw new InvalidParameterException("iterations", $"must be at least 1, got {Options.MaxIterations}.");
    }

    /// <summary>The risk at θ̂.</summary>
    public EmpiricalRisk<T> Risk { get; }

    /// <summary>Retraining settings.</summary>
    public RetrainingOptions Options { get; }

    /// <summary>Retrains without each of the <paramref name="k"/> points of largest |influence| and correlates.</summary>
    /// <param name="influence">Influence on the test point, from <see cref="InfluenceFunctions{T}.Compute"/>.</param>
    /// <param name="test">The test set that holds the test point.</param>
    /// <param name="k">Number of points to remove one at a time (at least 2, at most n).</param>
    /// <exception cref="InvalidParameterException">k out of range, or the influence belongs to another training set.</exception>
    public LeaveOneOutReport Validate(InfluenceResult influence, Dataset test, int k)
    {
        ArgumentNullException.ThrowIfNull(influence);
        ArgumentNullException.ThrowIfNull(test);
        if (influence.Influence.Length != Risk.Count)
            throw new InvalidParameterException("influence", $"holds {influence.Influence.Length} values but the training set has {Risk.Count} points.");
        if (k < 2 || k > Risk.Count) throw new InvalidParameterException("--validate", $"must be between 2 and {Risk.Count} points, got {k}.");
        return Validate(influence.TopByMagnitude(k), influence.PredictedLossChange, test, influence.TestIndex);
    }

    /// <summary>Retrains without each of <paramref name="indices"/> and correlates with <paramref name="predicted"/>[index].</summary>
    public LeaveOneOutReport Validate(IReadOnlyList<int> indices, IReadOnlyList<double> predicted, Dataset test, int testIndex)
    {
        EmpiricalRisk<T>.CheckInput(Risk.Model, test);
        if ((uint)testIndex >= (uint)test.Count)
            throw new InvalidParameterException("--test-index", $"{testIndex} is outside [0, {test.Count}) of test set '{test.Name}'.");
        foreach (int i in indices)
            if ((uint)i >= (uint)Risk.Count) throw new InvalidParameterException("indices", $"training point {i} is outside [0, {Risk.Count}).");
        var clock = Stopwatch.StartNew();
        var thetaHat = Risk.GetParameters();
        var g = new double[Risk.Dimension];
        Risk.Gradient(g);
        double baseGradient = TensorPrimitives.Norm<double>(g);
        double baseLoss = Risk.ExampleLoss(test, testIndex);
        var pairs = new List<LeaveOneOutPair>(indices.Count);
        Cholesky? preconditioner = _preconditioner;
        if (Options.Method == RetrainingMethod.Newton && preconditioner is null)
        {
            var h = new double[(long)Risk.Dimension * Risk.Dimension];
            Risk.DenseMatrix(h);
            preconditioner = NewtonMinimizer.FactorWithShift(h, Risk.Dimension);
        }
        try
        {
            foreach (int z in indices)
            {
                double weight = Risk.ExampleWeights[z];
                Risk.ExampleWeights[z] = 0;
                try
                {
                    var (iterations, gradientNorm) = Retrain(preconditioner);
                    double actual = Risk.ExampleLoss(test, testIndex) - baseLoss;
                    pairs.Add(new LeaveOneOutPair(z, predicted[z], actual, iterations, gradientNorm));
                }
                finally
                {
                    Risk.ExampleWeights[z] = weight;
                    Risk.SetParameters(thetaHat);
                }
            }
        }
        finally
        {
            Risk.SetParameters(thetaHat);
        }
        var x = pairs.Select(q => q.Predicted).ToArray();
        var y = pairs.Select(q => q.Actual).ToArray();
        return new LeaveOneOutReport(pairs, Correlation.Pearson(x, y), Correlation.Spearman(x, y), baseGradient, clock.Elapsed.TotalSeconds);
    }

    private (int Iterations, double GradientNorm) Retrain(Cholesky? preconditioner)
    {
        if (Options.Method == RetrainingMethod.TruncatedNewton)
        {
            var t = TruncatedNewtonMinimizer.Minimize(Risk, Options.GradientTolerance, Options.MaxIterations);
            return (t.Iterations, t.GradientNorm);
        }
        if (preconditioner is not null)
        {
            var r = NewtonMinimizer.MinimizePreconditioned(Risk, preconditioner, Options.GradientTolerance, Options.MaxIterations);
            return (r.Iterations, r.GradientNorm);
        }
        var lbfgs = new Lbfgs<T>(Risk.Model.Parameters, historySize: 20, maxIterations: Options.MaxIterations,
            gradientTolerance: Options.GradientTolerance, changeTolerance: 0);
        var result = lbfgs.Step(Risk.Objective);
        var g = new double[Risk.Dimension];
        Risk.Gradient(g);
        return (result.Iterations, TensorPrimitives.Norm<double>(g));
    }
}
