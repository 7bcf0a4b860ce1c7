namespace Geometrize.Analysis.Influence;

/// <summary>Argument checks the inverse-HVP solvers share.</summary>
internal static class InverseHvpChecks
{
    public static void Damping(double damping)
    {
        if (!(damping >= 0) || !double.IsFinite(damping))
            throw new InvalidParameterException("--damping", $"must be finite and ≥ 0, got {damping}.");
    }

    public static void RightHandSide(ReadOnlySpan<double> g, int dimension)
    {
        if (g.Length != dimension)
            throw new InvalidParameterException("gradient", $"the Hessian has dimension {dimension}; the right-hand side has {g.Length} entries.");
        foreach (double x in g)
            if (!double.IsFinite(x))
                throw new InvalidParameterException("gradient", "the right-hand side (a loss gradient) holds NaN or infinity; check the model and the data.");
    }

    /// <summary>‖(H + δI)s − g‖/‖g‖ with one Hessian–vector product.</summary>
    public static double RelativeResidual(IHessianOperator h, double damping, ReadOnlySpan<double> s, ReadOnlySpan<double> g)
    {
        var r = new double[g.Length];
        h.Multiply(s, r);
        double num = 0, den = 0;
        for (int i = 0; i < r.Length; i++)
        {
            double d = r[i] + damping * s[i] - g[i];
            num += d * d;
            den += g[i] * g[i];
        }
        return den == 0 ? Math.Sqrt(num) : Math.Sqrt(num / den);
    }
}
