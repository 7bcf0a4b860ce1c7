namespace Geometrize.Optimization;

/// <summary>
/// The Taylor test of a gradient: for a direction δ, the remainder r(ε) = |E(x + εδ) − E(x) − ε⟨∇E, δ⟩| must fall
/// as ε² when the gradient is exact (as ε when it is wrong). Every gradient in Geometrize is checked this way in
/// double precision.
/// </summary>
public static class TaylorTest
{
    /// <summary>Remainders over the step sizes, and the observed convergence orders between successive steps.</summary>
    /// <param name="Epsilons">Step sizes, decreasing.</param>
    /// <param name="Remainders">r(ε) for each step.</param>
    /// <param name="Orders">log(r_i/r_{i+1}) / log(ε_i/ε_{i+1}).</param>
    public sealed record Report(double[] Epsilons, double[] Remainders, double[] Orders)
    {
        /// <summary>The smallest observed order among steps whose remainder is above the round-off floor.</summary>
        public double MinimumOrder(double floor = 0)
        {
            double min = double.PositiveInfinity;
            for (int i = 0; i < Orders.Length; i++)
                if (Remainders[i + 1] > floor) min = Math.Min(min, Orders[i]);
            return min;
        }

        /// <inheritdoc />
        public override string ToString() => string.Join("; ", Epsilons.Select((e, i) =>
            $"eps={e:0.0e0} r={Remainders[i]:0.000e0}" + (i < Orders.Length ? $" order={Orders[i]:0.00}" : "")));
    }

    /// <summary>Runs the test.</summary>
    /// <param name="energy">E(x) for a parameter vector.</param>
    /// <param name="x">Base point.</param>
    /// <param name="gradient">∇E(x) (Euclidean, or in <paramref name="innerProduct"/>).</param>
    /// <param name="direction">δ.</param>
    /// <param name="epsilons">Step sizes, decreasing (default 1e-1 … 1e-5, five decades).</param>
    /// <param name="innerProduct">The inner product of the gradient; null means Euclidean.</param>
    public static Report Run(Func<double[], double> energy, double[] x, double[] gradient, double[] direction,
        double[]? epsilons = null, InnerProduct<double>? innerProduct = null)
    {
        epsilons ??= [1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5];
        double e0 = energy(x);
        double slope = innerProduct != null ? innerProduct(gradient, direction) : VectorOps<double>.Dot(gradient, direction);
        var r = new double[epsilons.Length];
        var xe = new double[x.Length];
        for (int i = 0; i < epsilons.Length; i++)
        {
            VectorOps<double>.Step(x, epsilons[i], direction, xe);
            r[i] = Math.Abs(energy(xe) - e0 - epsilons[i] * slope);
        }
        var orders = new double[epsilons.Length - 1];
        for (int i = 0; i < orders.Length; i++)
            orders[i] = Math.Log(r[i] / r[i + 1]) / Math.Log(epsilons[i] / epsilons[i + 1]);
        return new Report(epsilons, r, orders);
    }
}
