using Geometrize.Analysis.Influence;

namespace Geometrize.Tests.Analysis;

/// <summary>Pearson and Spearman correlations against hand-computed values.</summary>
public class InfluenceCorrelationTests
{
    [Fact]
    public void PearsonMatchesAHandComputedValue()
    {
        // Centred x = (−1.5, −0.5, 0.5, 1.5), y = (−1.5, 0.5, −0.5, 1.5): Σxy = 4, Σx² = Σy² = 5, r = 0.8.
        Assert.Equal(0.8, Correlation.Pearson([1, 2, 3, 4], [1, 3, 2, 4]), 1e-15);
        Assert.Equal(1.0, Correlation.Pearson([1, 2, 3], [5, 7, 9]), 1e-15);
        Assert.Equal(-1.0, Correlation.Pearson([1, 2, 3], [3, 2, 1]), 1e-15);
        Assert.True(double.IsNaN(Correlation.Pearson([1, 1, 1], [1, 2, 3])));
    }

    [Fact]
    public void SpearmanUsesAverageRanksForTies()
    {
        Assert.Equal([1, 2.5, 2.5, 4], Correlation.Ranks([10, 20, 20, 30]));
        Assert.Equal([3, 1, 2], Correlation.Ranks([0.5, -2, 0.1]));
        // Monotone but non-linear: ρ = 1 while r < 1.
        double[] x = [1, 2, 3, 4, 5], y = [1, 8, 27, 64, 125];
        Assert.Equal(1.0, Correlation.Spearman(x, y), 1e-15);
        Assert.True(Correlation.Pearson(x, y) < 0.99);
        // Ranks (1, 2.5, 2.5, 4) vs (1, 2, 3, 4): Σ dx dy = 4.5, Σ dx² = 4.5, Σ dy² = 5 ⇒ ρ = 4.5/√22.5.
        Assert.Equal(4.5 / Math.Sqrt(22.5), Correlation.Spearman([1, 2, 2, 3], [1, 2, 3, 4]), 1e-15);
    }

    [Fact]
    public void BadSamplesAreRejected()
    {
        Assert.Throws<InvalidParameterException>(() => Correlation.Pearson([1, 2], [1, 2, 3]));
        Assert.Throws<InvalidParameterException>(() => Correlation.Spearman([1], [1]));
        Assert.Throws<InvalidParameterException>(() => Correlation.Ranks([1, double.NaN]));
    }
}
