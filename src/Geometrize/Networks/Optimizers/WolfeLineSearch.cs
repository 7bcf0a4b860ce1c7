namespace Geometrize.Networks.Optimizers;

/// <summary>
/// Line searches along a descent direction for <see cref="Lbfgs{T}"/>: strong Wolfe conditions by bracketing and
/// zooming with safeguarded cubic interpolation (Nocedal &amp; Wright, Numerical Optimization, Alg. 3.5–3.6), and
/// Armijo backtracking. φ(t) = f(x + t·d) is supplied as a function returning (φ, φ′, gradient).
/// </summary>
internal static class WolfeLineSearch
{
    /// <summary>One trial: step t, value φ(t), slope φ′(t) and the full gradient there.</summary>
    public readonly record struct Point(double T, double F, double Slope, double[] Gradient);

    /// <summary>
    /// A step satisfying φ(t) ≤ φ(0) + c₁tφ′(0) and |φ′(t)| ≤ c₂|φ′(0)|, or the best sufficient-decrease point found
    /// within <paramref name="maxEvaluations"/>; <paramref name="evaluations"/> counts the trials.
    /// </summary>
    public static Point StrongWolfe(Func<double, Point> phi, Point start, double t1, double c1, double c2, int maxEvaluations, out int evaluations)
    {
        evaluations = 0;
        Point prev = start;
        double t = t1;
        while (evaluations < maxEvaluations)
        {
            var cur = phi(t);
            evaluations++;
            if (!double.IsFinite(cur.F) || cur.F > start.F + c1 * t * start.Slope || (evaluations > 1 && cur.F >= prev.F))
                return Zoom(phi, start, prev, cur, c1, c2, maxEvaluations, ref evaluations);
            if (Math.Abs(cur.Slope) <= -c2 * start.Slope) return cur;
            if (cur.Slope >= 0) return Zoom(phi, start, cur, prev, c1, c2, maxEvaluations, ref evaluations);
            // Extrapolate: the cubic minimiser, kept within [1.1t, 10t] so the bracket grows but not wildly.
            double next = Cubic(prev, cur);
            if (!double.IsFinite(next) || next < 1.1 * t || next > 10 * t) next = 2 * t;
            prev = cur;
            t = next;
        }
        return prev;
    }

    /// <summary>Largest t = t₀/2^k with φ(t) ≤ φ(0) + c₁tφ′(0); returns <paramref name="start"/> when none is found.</summary>
    public static Point Armijo(Func<double, Point> phi, Point start, double t0, double c1, int maxEvaluations, out int evaluations)
    {
        evaluations = 0;
        for (double t = t0; evaluations < maxEvaluations; t *= 0.5)
        {
            var cur = phi(t);
            evaluations++;
            if (double.IsFinite(cur.F) && cur.F <= start.F + c1 * t * start.Slope) return cur;
        }
        return start;
    }

    // lo satisfies sufficient decrease and has the lower value; the minimiser lies between lo and hi.
    private static Point Zoom(Func<double, Point> phi, Point start, Point lo, Point hi, double c1, double c2, int maxEvaluations, ref int evaluations)
    {
        while (evaluations < maxEvaluations)
        {
            double a = Math.Min(lo.T, hi.T), b = Math.Max(lo.T, hi.T), width = b - a;
            if (width <= 1e-14 * Math.Max(1, b)) break;
            double t = double.IsFinite(hi.F) ? Cubic(lo, hi) : double.NaN;
            if (!double.IsFinite(t) || t < a + 0.1 * width || t > b - 0.1 * width) t = 0.5 * (a + b);
            var cur = phi(t);
            evaluations++;
            if (!double.IsFinite(cur.F) || cur.F > start.F + c1 * t * start.Slope || cur.F >= lo.F) hi = cur;
            else
            {
                if (Math.Abs(cur.Slope) <= -c2 * start.Slope) return cur;
                if (cur.Slope * (hi.T - lo.T) >= 0) hi = lo;
                lo = cur;
            }
        }
        return lo;
    }

    // Minimiser of the cubic interpolating values and slopes at two points (NaN when it has none).
    private static double Cubic(Point p, Point q)
    {
        if (p.T == q.T) return double.NaN;
        double d1 = p.Slope + q.Slope - 3 * (p.F - q.F) / (p.T - q.T);
        double disc = d1 * d1 - p.Slope * q.Slope;
        if (disc < 0) return double.NaN;
        double d2 = Math.Sign(q.T - p.T) * Math.Sqrt(disc);
        return q.T - (q.T - p.T) * (q.Slope + d2 - d1) / (q.Slope - p.Slope + 2 * d2);
    }
}
