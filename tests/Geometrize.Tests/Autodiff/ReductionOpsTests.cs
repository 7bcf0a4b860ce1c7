using Geometrize.Autodiff;

namespace Geometrize.Tests.Autodiff;

public class ReductionOpsTests
{
    [Fact]
    public void SumOverAxesMatchesNaiveLoops()
    {
        var x = Tensor<double>.Randn([2, 3, 4], new Random(1));
        var s02 = x.Sum([0, 2]);
        var s1k = x.Sum(1, keepDim: true);
        Assert.Equal(new[] { 3 }, s02.Shape);
        Assert.Equal(new[] { 2, 1, 4 }, s1k.Shape);
        for (int j = 0; j < 3; j++)
        {
            double e = 0;
            for (int i = 0; i < 2; i++) for (int k = 0; k < 4; k++) e += x.Data[(i * 3 + j) * 4 + k];
            Assert.Equal(e, s02.Data[j], 1e-12);
        }
        for (int i = 0; i < 2; i++)
            for (int k = 0; k < 4; k++)
            {
                double e = 0;
                for (int j = 0; j < 3; j++) e += x.Data[(i * 3 + j) * 4 + k];
                Assert.Equal(e, s1k.Data[i * 4 + k], 1e-12);
            }
        Assert.Equal(x.Data.Sum(), x.Sum().Item(), 1e-12);
        Assert.Equal(x.Data.Average(), x.Mean().Item(), 1e-12);
        Assert.Equal(0, x.Sum().Rank);
    }

    [Fact]
    public void ReductionsMatchFiniteDifferences()
    {
        var rng = new Random(2);
        var x = GradCheck.Rand(rng, 2, 3, 4);
        GradCheck.Both(t => t[0].Sum([0, 2]) * t[0].Sum(1).Sum(1).Sum(), x);
        GradCheck.Both(t => t[0].Mean(-1, keepDim: true) * t[0], x);
        GradCheck.Both(t => t[0].Mean().Square(), x);
        GradCheck.Both(t => t[0].Sum([1, 2], keepDim: true).Square(), x);
    }

    [Fact]
    public void SumToAndBroadcastToAreAdjoint()
    {
        var rng = new Random(3);
        var x = GradCheck.Rand(rng, 3, 1);
        var y = GradCheck.Rand(rng, 2, 3, 4);
        // ⟨broadcast(x), y⟩ = ⟨x, sumTo(y)⟩
        double lhs = (x.BroadcastTo([2, 3, 4]) * y).Sum().Item();
        double rhs = (x * y.SumTo([3, 1])).Sum().Item();
        Assert.Equal(lhs, rhs, 1e-12);
        GradCheck.Both(t => t[0].BroadcastTo([2, 3, 4]).Square(), x);
        GradCheck.Both(t => t[0].SumTo([3, 1]).Square(), y);
    }
}
