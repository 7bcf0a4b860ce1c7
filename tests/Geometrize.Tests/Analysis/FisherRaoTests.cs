using Geometrize.Analysis;
using Geometrize.Autodiff;

namespace Geometrize.Tests.Analysis;

/// <summary>
/// ⟨θ, ∇_θ ℓ_i⟩ by double backward against per-sample backward passes and the closed form of bias-free ReLU nets;
/// empirical and model-sampled Fisher–Rao norms against their exact values.
/// </summary>
public class FisherRaoTests
{
    private static readonly int[] Widths = [4, 6, 5, 3]; // L = 2 hidden layers

    [Fact]
    public void BiasFreeReluNetSatisfiesTheClosedForm()
    {
        var net = SmallModels.ReluNet<double>.Create(Widths, 1);
        var (x, labels) = SmallModels.Data(9, 4, 3, 2);
        var d = FisherRao.DirectionalDerivatives(() => FisherRao.PerSampleCrossEntropy(net.Logits(x), labels), net.Weights);
        double[] closed;
        using (Autograd.NoGrad()) closed = FisherRao.ReluClosedForm(net.Logits(x), labels, net.HiddenLayers);
        Assert.Equal(2, net.HiddenLayers);
        for (int i = 0; i < d.Length; i++) Assert.Equal(closed[i], d[i], 11);
        Assert.Contains(d, v => Math.Abs(v) > 1e-2); // not a vacuous 0 = 0
    }

    [Fact]
    public void DirectionalDerivativesMatchPerSampleGradients()
    {
        // a tanh MLP with biases: no closed form, so compare with one backward pass per sample
        var net = SmallModels.TanhMlp<double>.Create(3, 5, 4, 3);
        var (x, labels) = SmallModels.Data(6, 3, 4, 4);
        var d = FisherRao.DirectionalDerivatives(() => FisherRao.PerSampleCrossEntropy(net.Logits(x), labels), net.Parameters);
        for (int i = 0; i < 6; i++)
        {
            var xi = x.Slice(0, i, 1).Detach();
            var g = Autograd.Grad(FisherRao.PerSampleCrossEntropy(net.Logits(xi), [labels[i]]).Sum(), net.Parameters);
            double expected = 0;
            for (int p = 0; p < g.Length; p++)
                for (int j = 0; j < g[p].Length; j++) expected += g[p].Data[j] * net.Parameters[p].Data[j];
            Assert.Equal(expected, d[i], 11);
        }
    }

    [Fact]
    public void EmpiricalAndTrueNormsMatchTheirExpectations()
    {
        var net = SmallModels.ReluNet<double>.Create(Widths, 5);
        var (x, labels) = SmallModels.Data(10, 4, 3, 6);
        const int draws = 150;
        var report = FisherRao.Compute<double>(net.Logits, x, labels, net.Weights, modelSamples: draws, seed: 1, batchSize: 4);

        // exact values from the closed form: empirical with the labels, true as Σ_y p(y|x)·d(x, y)²
        Tensor<double> logits;
        using (Autograd.NoGrad()) logits = net.Logits(x);
        var closed = FisherRao.ReluClosedForm(logits, labels, net.HiddenLayers);
        Assert.Equal(closed.Average(c => c * c), report.Empirical, 10);
        double exactTrue = 0, mcVariance = 0;
        for (int i = 0; i < 10; i++)
        {
            var row = logits.Data.Skip(i * 3).Take(3).ToArray();
            double max = row.Max();
            var p = row.Select(v => Math.Exp(v - max)).ToArray();
            double z = p.Sum();
            double mean = 0, second = 0;
            for (int y = 0; y < 3; y++)
            {
                double dy = FisherRao.ReluClosedForm(Tensor<double>.FromArray([1, 3], row), [y], net.HiddenLayers)[0];
                mean += p[y] / z * dy * dy;
                second += p[y] / z * Math.Pow(dy, 4);
            }
            exactTrue += mean / 10;
            mcVariance += (second - mean * mean) / draws / 100; // variance of the mean over inputs of draw averages
        }
        // Only the draws of y are random here (the inputs are fixed), so 4 Monte Carlo standard errors bound the gap.
        double se = Math.Sqrt(mcVariance);
        Assert.True(Math.Abs(report.True - exactTrue) <= 4 * se, $"true FR {report.True} vs exact {exactTrue} (se {se})");
        Assert.True(Math.Abs(report.Empirical - exactTrue) > 4 * se); // the two norms differ on this model, so the test tells them apart
        Assert.Equal(draws, report.ModelSamples);
        Assert.True(report.TrueStandardError > 0 && report.EmpiricalStandardError > 0);
    }

    [Fact]
    public void FloatAgreesWithTheClosedForm()
    {
        var net = SmallModels.ReluNet<float>.Create(Widths, 7);
        var (x, labels) = SmallModels.Data(8, 4, 3, 8);
        var xf = x.ConvertTo<float>();
        var d = FisherRao.DirectionalDerivatives(() => FisherRao.PerSampleCrossEntropy(net.Logits(xf), labels), net.Weights);
        double[] closed;
        using (Autograd.NoGrad()) closed = FisherRao.ReluClosedForm(net.Logits(xf), labels, net.HiddenLayers);
        for (int i = 0; i < d.Length; i++) Assert.Equal(closed[i], d[i], 4);
    }

    [Fact]
    public void BadInputIsRejected()
    {
        var net = SmallModels.ReluNet<double>.Create(Widths, 1);
        var (x, labels) = SmallModels.Data(4, 4, 3, 2);
        Assert.Throws<InvalidParameterException>(() => FisherRao.Compute<double>(net.Logits, x, labels[..3], net.Weights));
        Assert.Throws<InvalidParameterException>(() => FisherRao.Compute<double>(net.Logits, x, [0, 1, 2, 7], net.Weights));
        Assert.Throws<InvalidParameterException>(() => FisherRao.Compute<double>(net.Logits, x, labels, net.Weights, modelSamples: 0));
        Assert.Throws<InvalidParameterException>(() => FisherRao.DirectionalDerivatives(() => net.Logits(x), net.Weights));
        Assert.Throws<InvalidParameterException>(() => FisherRao.ReluClosedForm(Tensor<double>.Zeros(2, 3), [0, 1], -1));
    }
}
