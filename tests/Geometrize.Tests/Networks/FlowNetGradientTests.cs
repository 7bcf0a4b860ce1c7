using Geometrize.Autodiff;
using Geometrize.Networks.Models;
using Xunit.Abstractions;

namespace Geometrize.Tests.Networks;

/// <summary>
/// Gradients of flow networks: back-propagation against the hand-derived discrete adjoint, the continuous adjoint's
/// O(1/N) convergence to it, the Taylor test of the whole loss, and exact Hessian–vector products against a dense
/// Hessian built by differences of the hand-derived gradient.
/// </summary>
public class FlowNetGradientTests(ITestOutputHelper output)
{
    private static FlowNet<double> Net(int depth, Activation activation = Activation.Tanh, bool tied = false, bool batchNorm = false,
        int inputs = 3, int width = 5, int hidden = 6, int outputs = 3, int seed = 4) =>
        new(new ModelArchitecture
        {
            InputDimension = inputs, OutputDimension = outputs, Width = width, Hidden = hidden, Depth = depth,
            Activation = activation, Tied = tied, BatchNorm = batchNorm, Seed = seed,
        });

    private static (Tensor<double> X, int[] Labels) Data(int rows, int inputs, int classes, int seed = 21)
    {
        var rng = new Random(seed);
        return (Tensor<double>.Randn([rows, inputs], rng), Enumerable.Range(0, rows).Select(_ => rng.Next(classes)).ToArray());
    }

    private static double[][] Backprop(IModel<double> net, Tensor<double> x, int[] labels, out double loss)
    {
        var l = net.Forward(x, training: true).CrossEntropy(labels);
        loss = l.Item();
        return Autograd.Grad(l, net.Parameters).Select(g => g.Data).ToArray();
    }

    [Theory]
    [InlineData(Activation.Tanh, false)]
    [InlineData(Activation.Relu, false)]
    [InlineData(Activation.Softplus, false)]
    [InlineData(Activation.Tanh, true)]
    public void BackpropagationEqualsTheHandDerivedDiscreteAdjoint(Activation activation, bool tied)
    {
        var net = Net(depth: 6, activation, tied);
        var (x, labels) = Data(9, 3, 3);
        var auto = Backprop(net, x, labels, out double autoLoss);
        var (handLoss, hand) = FlowNetAdjoint.DiscreteCrossEntropy(net, x.Data, labels);
        Assert.Equal(net.Parameters.Count, hand.Length);
        Assert.True(Math.Abs(autoLoss - handLoss) <= 1e-14 * Math.Abs(handLoss), $"loss {autoLoss:R} vs {handLoss:R}");
        double scale = hand.SelectMany(g => g).Max(Math.Abs), worst = 0;
        for (int p = 0; p < hand.Length; p++)
            for (int i = 0; i < hand[p].Length; i++) worst = Math.Max(worst, Math.Abs(auto[p][i] - hand[p][i]));
        Assert.True(scale > 1e-3, "the gradient is too small to compare");
        Assert.True(worst <= 1e-13 * scale, $"largest difference {worst:E3} (gradient scale {scale:E3})");
    }

    [Fact]
    public void HandDerivedAdjointMatchesCentralDifferencesOfTheLoss()
    {
        // Guards the reference itself: it must be the gradient of the same loss the network computes.
        var net = Net(depth: 3);
        var (x, labels) = Data(5, 3, 3);
        var (_, hand) = FlowNetAdjoint.DiscreteCrossEntropy(net, x.Data, labels);
        const double eps = 1e-6;
        for (int p = 0; p < net.Parameters.Count; p++)
        {
            var d = net.Parameters[p].Data;
            for (int i = 0; i < d.Length; i += 3)
            {
                double keep = d[i];
                d[i] = keep + eps;
                double lp = FlowNetAdjoint.DiscreteCrossEntropy(net, x.Data, labels).Loss;
                d[i] = keep - eps;
                double lm = FlowNetAdjoint.DiscreteCrossEntropy(net, x.Data, labels).Loss;
                d[i] = keep;
                double fd = (lp - lm) / (2 * eps);
                Assert.True(Math.Abs(fd - hand[p][i]) <= 1e-8 * (1 + Math.Abs(fd)), $"{net.Parameters[p].Name}[{i}]: adjoint {hand[p][i]:R}, differences {fd:R}");
            }
        }
    }

    private static double RelativeError(double[][] a, double[][] b)
    {
        double num = 0, den = 0;
        for (int p = 0; p < a.Length; p++)
            for (int i = 0; i < a[p].Length; i++) { num += (a[p][i] - b[p][i]) * (a[p][i] - b[p][i]); den += b[p][i] * b[p][i]; }
        return Math.Sqrt(num / den);
    }

    private double[] ContinuousErrors(bool tied, int[] depths)
    {
        var errors = new double[depths.Length];
        for (int j = 0; j < depths.Length; j++)
        {
            // Larger weights than the default initialisation make the flow visibly nonlinear over [0, 1].
            var net = Net(depths[j], tied: tied, width: 4, hidden: 8);
            foreach (var b in net.Blocks.Distinct()) for (int i = 0; i < b.W1.Length; i++) b.W1.Data[i] *= 3;
            var (x, labels) = Data(12, 3, 3);
            var (_, discrete) = FlowNetAdjoint.DiscreteCrossEntropy(net, x.Data, labels);
            FlowNetAdjoint.ContinuousBackward(net, x, y => y.CrossEntropy(labels));
            var continuous = net.Parameters.Select(p => p.Grad!.Data).ToArray();
            errors[j] = RelativeError(continuous, discrete);
            output.WriteLine($"{(tied ? "tied" : "per-block")} weights, N = {depths[j],2}: |g_continuous - g_discrete| / |g_discrete| = {errors[j]:E3}");
        }
        return errors;
    }

    [Fact]
    public void ContinuousAdjointConvergesToTheDiscreteGradientAsOneOverN()
    {
        // Tied weights: every N discretises the same autonomous ODE (the seed draws the same lift, block and head).
        int[] depths = [5, 10, 20, 40];
        var errors = ContinuousErrors(tied: true, depths);
        for (int j = 1; j < depths.Length; j++)
        {
            double ratio = errors[j - 1] / errors[j];
            output.WriteLine($"  error ratio N = {depths[j - 1]} → {depths[j]}: {ratio:F3} (first order: 2)");
            Assert.InRange(ratio, 1.7, 2.4);
        }
        Assert.InRange(errors[0], 1e-4, 0.5);
    }

    [Fact]
    public void ContinuousAdjointWithPerBlockWeightsAlsoApproachesBackpropagation()
    {
        // Per-block weights change with N, so the rate is noisier; the error must still shrink overall by ~8 from N = 5 to 40.
        var errors = ContinuousErrors(tied: false, [5, 10, 20, 40]);
        Assert.True(errors[3] < errors[0] / 4, $"errors {string.Join(", ", errors.Select(e => e.ToString("E2")))}");
    }

    [Fact]
    public void ContinuousAdjointWithBatchNormKeepsTheForwardRunningStatisticsAndTheExactHeadGradient()
    {
        // With batch norm the continuous adjoint must still restore the running statistics of the forward pass.
        var net = Net(depth: 4, batchNorm: true);
        var (x, labels) = Data(8, 3, 3);
        FlowNetAdjoint.ContinuousBackward(net, x, y => y.CrossEntropy(labels));
        var runningAfterContinuous = net.Norms![2].RunningMean.ToArray();
        var fresh = Net(depth: 4, batchNorm: true);
        using (Autograd.NoGrad()) fresh.Forward(x, training: true);
        Assert.Equal(fresh.Norms![2].RunningMean.ToArray(), runningAfterContinuous);
        // The head sees x_N exactly, so its gradient equals back-propagation's.
        var auto = Backprop(fresh, x, labels, out _);
        int head = net.Parameters.Count - 2;
        for (int i = 0; i < auto[head].Length; i++) Assert.Equal(auto[head][i], net.Parameters[head].Grad!.Data[i], 12);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TaylorTestOfTheWholeFlowNetLossIsSecondOrder(bool batchNorm)
    {
        var net = Net(depth: 8, batchNorm: batchNorm);
        var (x, labels) = Data(10, 3, 3);
        double Loss()
        {
            using var _ = Autograd.NoGrad();
            return net.Forward(x, training: true).CrossEntropy(labels).Item();
        }
        var grads = Backprop(net, x, labels, out double e0);
        var rng = new Random(3);
        var dirs = net.Parameters.Select(p => Enumerable.Range(0, p.Length).Select(_ => rng.NextDouble() * 2 - 1).ToArray()).ToArray();
        double slope = 0;
        for (int p = 0; p < dirs.Length; p++) for (int i = 0; i < dirs[p].Length; i++) slope += grads[p][i] * dirs[p][i];
        var saved = net.Parameters.Select(p => p.ToArray()).ToArray();
        var remainders = new List<double>();
        for (double eps = 1e-2; eps >= 0.99e-5; eps /= 10)
        {
            for (int p = 0; p < dirs.Length; p++)
                for (int i = 0; i < dirs[p].Length; i++) net.Parameters[p].Data[i] = saved[p][i] + eps * dirs[p][i];
            remainders.Add(Math.Abs(Loss() - e0 - eps * slope));
        }
        for (int p = 0; p < dirs.Length; p++) saved[p].CopyTo(net.Parameters[p].Data, 0);
        for (int j = 1; j < remainders.Count; j++)
        {
            double order = Math.Log10(remainders[j - 1] / remainders[j]);
            output.WriteLine($"batch norm {batchNorm}: remainder {remainders[j]:E3}, observed order {order:F2}");
            Assert.InRange(order, 1.8, 2.2);
        }
    }

    [Fact]
    public void ExactHessianVectorProductsEqualTheColumnsOfADenseHessian()
    {
        // Tiny model: 2 → 2 (depth 2, hidden 2) → 2, 36 parameters. The dense Hessian comes from central differences
        // of the hand-derived adjoint gradient, an independent code path from double backward.
        var net = Net(depth: 2, inputs: 2, width: 2, hidden: 2, outputs: 2);
        var (x, labels) = Data(6, 2, 2);
        var ps = net.Parameters;
        int n = ps.Sum(p => p.Length);
        var flat = new (int P, int I)[n];
        for (int p = 0, j = 0; p < ps.Count; p++) for (int i = 0; i < ps[p].Length; i++) flat[j++] = (p, i);
        const double eps = 1e-5;
        var dense = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            var (pj, ij) = flat[j];
            double keep = ps[pj].Data[ij];
            ps[pj].Data[ij] = keep + eps;
            var gp = FlowNetAdjoint.DiscreteCrossEntropy(net, x.Data, labels).Gradients;
            ps[pj].Data[ij] = keep - eps;
            var gm = FlowNetAdjoint.DiscreteCrossEntropy(net, x.Data, labels).Gradients;
            ps[pj].Data[ij] = keep;
            for (int r = 0; r < n; r++) dense[r, j] = (gp[flat[r].P][flat[r].I] - gm[flat[r].P][flat[r].I]) / (2 * eps);
        }
        double scale = 0;
        foreach (double v in dense) scale = Math.Max(scale, Math.Abs(v));
        Assert.True(scale > 1e-2, "Hessian too small to compare");
        foreach (int j in new[] { 0, 7, 13, 20, 29, 35 })
        {
            var v = ps.Select(p => Tensor<double>.Zeros([.. p.Shape])).ToArray();
            v[flat[j].P].Data[flat[j].I] = 1;
            var hv = Autograd.HessianVectorProduct(() => net.Forward(x, training: true).CrossEntropy(labels), ps, v);
            for (int r = 0; r < n; r++)
            {
                double exact = hv[flat[r].P].Data[flat[r].I];
                Assert.True(Math.Abs(exact - dense[r, j]) <= 1e-7 * scale, $"H[{r},{j}]: HVP {exact:R}, dense {dense[r, j]:R}");
            }
        }
    }
}
