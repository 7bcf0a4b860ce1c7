using Geometrize.Autodiff;

namespace Geometrize.Tests.Autodiff;

public class LossOpsTests
{
    [Fact]
    public void LogSoftmaxIsNormalisedAndShiftInvariantEvenForHugeLogits()
    {
        var x = Tensor<double>.FromArray([2, 3], [1, 2, 3, 1000, 1001, 1002]);
        var y = x.LogSoftmax();
        for (int r = 0; r < 2; r++)
            Assert.Equal(1.0, Enumerable.Range(0, 3).Sum(j => Math.Exp(y.Data[r * 3 + j])), 1e-12);
        for (int j = 0; j < 3; j++) Assert.Equal(y.Data[j], y.Data[3 + j], 1e-12);
        Assert.Equal(2 - Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)), y.Data[1], 1e-12);
    }

    [Fact]
    public void CrossEntropyMatchesNaiveFormula()
    {
        var rng = new Random(1);
        var logits = Tensor<double>.Randn([4, 3], rng);
        int[] labels = [0, 2, 1, 2];
        double e = 0;
        for (int i = 0; i < 4; i++)
        {
            double lse = Math.Log(Enumerable.Range(0, 3).Sum(j => Math.Exp(logits.Data[i * 3 + j])));
            e += lse - logits.Data[i * 3 + labels[i]];
        }
        Assert.Equal(e / 4, logits.CrossEntropy(labels).Item(), 1e-12);
    }

    [Fact]
    public void LossesMatchFiniteDifferences()
    {
        var rng = new Random(2);
        var logits = GradCheck.Rand(rng, 5, 4);
        var target = GradCheck.Rand(rng, 5, 4);
        GradCheck.Both(t => t[0].LogSoftmax(), logits);
        GradCheck.Both(t => t[0].Softmax(), logits);
        GradCheck.Both(t => t[0].CrossEntropy([3, 0, 1, 1, 2]), logits);
        GradCheck.Both(t => t[0].Mse(t[1]), logits, target);
        GradCheck.Both(t => t[0].Reshape(5, 2, 2).LogSoftmax(), logits);
    }
}
