using Geometrize.Autodiff;

namespace Geometrize.Tests.Autodiff;

public class BatchNormTests
{
    [Fact]
    public void TrainingNormalisesEachFeatureAndUpdatesRunningStatistics()
    {
        var rng = new Random(1);
        var x = Tensor<double>.Randn([64, 3], rng, mean: 2, std: 3);
        var bn = new BatchNorm<double>(3, momentum: 0.25);
        var y = bn.Forward(x);
        for (int j = 0; j < 3; j++)
        {
            var col = Enumerable.Range(0, 64).Select(i => y.Data[i * 3 + j]).ToArray();
            double mean = col.Average(), var = col.Select(v => (v - mean) * (v - mean)).Average();
            Assert.Equal(0, mean, 1e-12);
            Assert.Equal(1, var, 1e-4); // ε = 1e-5 against a variance of about 9
            var xc = Enumerable.Range(0, 64).Select(i => x.Data[i * 3 + j]).ToArray();
            double xm = xc.Average(), xv = xc.Select(v => (v - xm) * (v - xm)).Sum() / 63;
            Assert.Equal(0.25 * xm, bn.RunningMean.Data[j], 1e-12);
            Assert.Equal(0.75 + 0.25 * xv, bn.RunningVar.Data[j], 1e-12);
        }
    }

    [Fact]
    public void EvaluationUsesRunningStatistics()
    {
        var bn = new BatchNorm<double>(2) { Training = false };
        bn.RunningMean.Data[0] = 1; bn.RunningMean.Data[1] = -1;
        bn.RunningVar.Data[0] = 4; bn.RunningVar.Data[1] = 0.25;
        bn.Gamma.Data[1] = 2; bn.Beta.Data[0] = 0.5;
        var y = bn.Forward(Tensor<double>.FromArray([1, 2], [3, 0]));
        Assert.Equal(0.5 + 2 / Math.Sqrt(4 + 1e-5), y.Data[0], 1e-12);
        Assert.Equal(2 * 1 / Math.Sqrt(0.25 + 1e-5), y.Data[1], 1e-12);
    }

    [Fact]
    public void TrainAndEvalMatchFiniteDifferences()
    {
        var rng = new Random(2);
        var x = GradCheck.Rand(rng, 6, 3);
        var bn = new BatchNorm<double>(3, momentum: 0); // momentum 0 keeps running stats fixed while differencing
        bn.Gamma.Data[0] = 1.5; bn.Beta.Data[2] = -0.3;
        GradCheck.Both(t => bn.Forward(t[0]).Tanh(), x, bn.Gamma, bn.Beta);
        bn.Training = false;
        GradCheck.Both(t => bn.Forward(t[0]).Tanh(), x, bn.Gamma, bn.Beta);
    }
}
