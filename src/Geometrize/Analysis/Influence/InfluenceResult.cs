namespace Geometrize.Analysis.Influence;

/// <summary>
/// Influence of every training point on the loss at one test point.
/// <para><b>Sign convention</b> (Koh &amp; Liang 2017). Up-weighting z by ε gives θ̂_ε,z = argmin R(θ) + ε ℓ(z, θ), and
/// I_up,loss(z, z_test) = dL(z_test, θ̂_ε,z)/dε at ε = 0 = −∇L(z_test)ᵀ H⁻¹ ∇ℓ(z). Removing z is ε = −w_z/n (−1/n
/// for unit weights), so the predicted change of the test loss on removing z is −(1/n)·I_up,loss. A positive
/// I_up,loss marks a <i>harmful</i> point (removing it lowers the test loss, the predicted change is negative); a
/// negative one a <i>helpful</i> point (removing it raises the test loss).</para>
/// </summary>
/// <param name="TestIndex">Index of the test point in its dataset.</param>
/// <param name="TestLoss">L(z_test, θ̂).</param>
/// <param name="TestGradient">∇_θ L(z_test, θ̂).</param>
/// <param name="STest">s_test = (H + δI)⁻¹ ∇L(z_test).</param>
/// <param name="Solve">The solver's report for s_test (convergence, residual, warning).</param>
/// <param name="Influence">I_up,loss(z_i, z_test) for every training point i.</param>
/// <param name="PredictedLossChange">−(w_i/n)·I_up,loss: predicted L(z_test, θ̂_−i) − L(z_test, θ̂).</param>
/// <param name="Seconds">Wall time of the computation (solve and all per-example gradients).</param>
public sealed record InfluenceResult(int TestIndex, double TestLoss, double[] TestGradient, double[] STest, InverseHvpResult Solve,
    double[] Influence, double[] PredictedLossChange, double Seconds)
{
    /// <summary>The solver's warning, if any (non-convergence, divergence), to show the user.</summary>
    public string? Warning => Solve.Warning;

    /// <summary>Indices of the <paramref name="k"/> training points of largest |I_up,loss|, largest first.</summary>
    public int[] TopByMagnitude(int k) => Order(k, i => -Math.Abs(Influence[i]));

    /// <summary>The <paramref name="k"/> most helpful points (most negative I_up,loss: removing them raises the test loss most).</summary>
    public int[] MostHelpful(int k) => Order(k, i => Influence[i]);

    /// <summary>The <paramref name="k"/> most harmful points (most positive I_up,loss: removing them lowers the test loss most).</summary>
    public int[] MostHarmful(int k) => Order(k, i => -Influence[i]);

    private int[] Order(int k, Func<int, double> key)
    {
        if (k < 0) throw new InvalidParameterException("--top", $"must not be negative, got {k}.");
        // Ties broken by index so the order is reproducible.
        return Enumerable.Range(0, Influence.Length).OrderBy(key).ThenBy(i => i).Take(k).ToArray();
    }
}
