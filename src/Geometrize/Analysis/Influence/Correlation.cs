namespace Geometrize.Analysis.Influence;

/// <summary>Correlation coefficients of paired samples, accumulated in double.</summary>
public static class Correlation
{
    /// <summary>Pearson's r = cov(x, y)/(σ_x σ_y), computed from centred sums; NaN when either sample is constant.</summary>
    /// <exception cref="InvalidParameterException">Lengths differ or fewer than two pairs.</exception>
    public static double Pearson(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        Check(x, y);
        double mx = 0, my = 0;
        for (int i = 0; i < x.Length; i++) { mx += x[i]; my += y[i]; }
        mx /= x.Length;
        my /= y.Length;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>Spearman's ρ: Pearson's r of the ranks, tied values sharing their average rank.</summary>
    /// <exception cref="InvalidParameterException">Lengths differ or fewer than two pairs.</exception>
    public static double Spearman(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        Check(x, y);
        return Pearson(Ranks(x), Ranks(y));
    }

    /// <summary>Ranks 1..n of the values (average ranks for ties); NaN values are rejected.</summary>
    public static double[] Ranks(ReadOnlySpan<double> values)
    {
        var v = values.ToArray();
        foreach (double a in v)
            if (double.IsNaN(a)) throw new InvalidParameterException("values", "cannot rank NaN values.");
        var order = Enumerable.Range(0, v.Length).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Length];
        for (int start = 0; start < order.Length;)
        {
            int end = start + 1;
            while (end < order.Length && v[order[end]] == v[order[start]]) end++;
            double average = 0.5 * (start + end - 1) + 1;
            for (int k = start; k < end; k++) ranks[order[k]] = average;
            start = end;
        }
        return ranks;
    }

    private static void Check(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length) throw new InvalidParameterException("samples", $"paired samples must have equal lengths, got {x.Length} and {y.Length}.");
        if (x.Length < 2) throw new InvalidParameterException("samples", $"a correlation needs at least two pairs, got {x.Length}.");
    }
}
