using Geometrize.Analysis;
using Geometrize.Autodiff;
using Geometrize.Numerics.LinearAlgebra;

namespace Geometrize.Tests.Analysis;

/// <summary>
/// Power iteration, Hutchinson and stochastic Lanczos quadrature against the dense Hessian of a 3-4-2 tanh MLP
/// (26 parameters, double) built column by column from exact HVPs and eigendecomposed by cyclic Jacobi.
/// </summary>
public class HessianSpectrumTests
{
    private static (HessianOperator<double> Op, double[] Dense, double[] Eigenvalues) Model(int seed = 1)
    {
        var net = SmallModels.TanhMlp<double>.Create(3, 4, 2, seed);
        var (x, labels) = SmallModels.Data(12, 3, 2, seed + 10);
        var op = new HessianOperator<double>(() => net.Logits(x).CrossEntropy(labels), net.Parameters);
        var dense = op.ToDense();
        return (op, dense, SymmetricEigen.Eigenvalues(dense, op.Dimension));
    }

    [Fact]
    public void HessianOperatorIsSymmetricAndMatchesGradientDifferences()
    {
        var net = SmallModels.TanhMlp<double>.Create(3, 4, 2, 1);
        var (x, labels) = SmallModels.Data(12, 3, 2, 11);
        var op = new HessianOperator<double>(() => net.Logits(x).CrossEntropy(labels), net.Parameters);
        Assert.Equal(26, op.Dimension);
        int n = op.Dimension;
        var raw = new double[n * n];
        var e = new double[n];
        var col = new double[n];
        for (int j = 0; j < n; j++)
        {
            e[j] = 1; op.Apply(e, col); e[j] = 0;
            for (int i = 0; i < n; i++) raw[i * n + j] = col[i];
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++) Assert.Equal(raw[i * n + j], raw[j * n + i], 12);
        // column 5 against central differences of the gradient (parameter 5 lives in W1)
        const double eps = 1e-5;
        var p = net.W1.Data;
        p[5] += eps;
        var gp = Autograd.Grad(net.Logits(x).CrossEntropy(labels), net.Parameters).SelectMany(g => g.Data).ToArray();
        p[5] -= 2 * eps;
        var gm = Autograd.Grad(net.Logits(x).CrossEntropy(labels), net.Parameters).SelectMany(g => g.Data).ToArray();
        p[5] += eps;
        for (int i = 0; i < n; i++) Assert.Equal((gp[i] - gm[i]) / (2 * eps), raw[i * n + 5], 7);
    }

    [Fact]
    public void TopEigenvaluesMatchDenseSpectrum()
    {
        var (op, _, eig) = Model();
        var expected = eig.OrderByDescending(Math.Abs).Take(3).ToArray();
        var top = HessianSpectrum.TopEigenvalues(op, 3, maxIterations: 3000, tolerance: 1e-7, seed: 2);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(top.Converged[i], $"eigenpair {i} did not converge (residual {top.Residuals[i]})");
            Assert.True(Math.Abs(top.Values[i] - expected[i]) < 1e-3 * Math.Abs(expected[i]),
                $"λ{i}: {top.Values[i]} vs dense {expected[i]}");
        }
    }

    [Fact]
    public void LanczosTopEigenvaluesMatchDenseSpectrumWithFewProducts()
    {
        var (op, _, eig) = Model();
        var expected = eig.OrderByDescending(Math.Abs).Take(3).ToArray();
        long before = op.Products;
        var top = HessianSpectrum.TopEigenvaluesLanczos(op, 3, tolerance: 1e-7, seed: 2);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(top.Converged[i], $"eigenpair {i} did not converge (residual {top.Residuals[i]})");
            Assert.True(Math.Abs(top.Values[i] - expected[i]) < 1e-6 * Math.Abs(expected[i]), $"λ{i}: {top.Values[i]} vs dense {expected[i]}");
        }
        // Each Ritz vector is an eigenvector: ‖Hy − θy‖ small.
        var hy = new double[op.Dimension];
        op.Apply(top.Vectors[0], hy);
        double r = Math.Sqrt(hy.Select((h, i) => (h - top.Values[0] * top.Vectors[0][i]) * (h - top.Values[0] * top.Vectors[0][i])).Sum());
        Assert.True(r < 1e-5 * Math.Abs(top.Values[0]), $"residual {r}");
        Assert.True(op.Products - before <= op.Dimension + 1, $"{op.Products - before} products for n = {op.Dimension}");
    }

    [Fact]
    public void LanczosFindsLargestMagnitudeOfKnownSpectrum()
    {
        const int n = 40;
        var lambda = Enumerable.Range(0, n).Select(i => i switch { 0 => 10.0, 1 => -8.0, 2 => 5.0, _ => 0.1 * Math.Sin(i) }).ToArray();
        var q = Geometrize.Tests.Numerics.SymmetricEigenTests.RandomOrthogonal(n, new Random(5));
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++) a[i * n + j] += q[i * n + k] * lambda[k] * q[j * n + k];
        var top = HessianSpectrum.TopEigenvaluesLanczos(new DenseSymmetricOperator(a, n), 3, tolerance: 1e-10);
        Assert.Equal(10.0, top.Values[0], 8);
        Assert.Equal(-8.0, top.Values[1], 8);
        Assert.Equal(5.0, top.Values[2], 8);
        Assert.True(top.Iterations[0] < n, $"{top.Iterations[0]} Lanczos steps for a well-separated top 3 of n = {n}");
        double overlap = 0;
        for (int i = 0; i < n; i++) overlap += top.Vectors[0][i] * q[i * n];
        Assert.Equal(1.0, Math.Abs(overlap), 8);
        Assert.Throws<InvalidParameterException>(() => HessianSpectrum.TopEigenvaluesLanczos(new DenseSymmetricOperator(a, n), 0));
    }

    [Fact]
    public void PowerIterationFindsLargestMagnitudeOfKnownSpectrum()
    {
        // diag(10, −8, 5, 1, 0.5, …) rotated: power iteration must return 10, −8, 5 in that order
        const int n = 12;
        double[] lambda = [10, -8, 5, 1, 0.5, 0.25, -0.1, 0.05, 0, 0.2, -0.3, 0.4];
        var q = Geometrize.Tests.Numerics.SymmetricEigenTests.RandomOrthogonal(n, new Random(4));
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++) a[i * n + j] += q[i * n + k] * lambda[k] * q[j * n + k];
        var top = HessianSpectrum.TopEigenvalues(new DenseSymmetricOperator(a, n), 3, maxIterations: 2000, tolerance: 1e-9);
        Assert.Equal(10.0, top.Values[0], 8);
        Assert.Equal(-8.0, top.Values[1], 8);
        Assert.Equal(5.0, top.Values[2], 8);
        double overlap = 0; // eigenvector of 10 is column 0 of q
        for (int i = 0; i < n; i++) overlap += top.Vectors[0][i] * q[i * n];
        Assert.Equal(1.0, Math.Abs(overlap), 8);
    }

    [Fact]
    public void HutchinsonIsWithinThreeStandardErrorsOfTheExactTrace()
    {
        var (op, dense, _) = Model();
        int n = op.Dimension;
        double trace = Enumerable.Range(0, n).Sum(i => dense[i * n + i]);
        var est = HessianTrace.Hutchinson(op, probes: 300, seed: 7);
        Assert.True(est.StandardError > 0);
        Assert.True(Math.Abs(est.Mean - trace) <= 3 * est.StandardError,
            $"Hutchinson {est.Mean} ± {est.StandardError}, exact {trace}");
        // the estimate is informative: its error bar is small against the trace's magnitude scale
        Assert.True(est.StandardError < 0.2 * Math.Sqrt(dense.Sum(v => v * v)));
    }

    [Fact]
    public void HutchinsonIsExactForDiagonalMatrices()
    {
        double[] diag = [1, -2, 3.5, 0, 7];
        var a = new double[25];
        for (int i = 0; i < 5; i++) a[i * 5 + i] = diag[i];
        var est = HessianTrace.Hutchinson(new DenseSymmetricOperator(a, 5), probes: 5);
        Assert.Equal(diag.Sum(), est.Mean, 13); // zᵢ² = 1: every probe gives the trace
        Assert.Equal(0.0, est.StandardError, 13);
    }

    [Fact]
    public void LanczosDensityIntegratesToOneAndMatchesMoments()
    {
        var (op, dense, eig) = Model();
        int n = op.Dimension;
        const int probes = 40;
        var slq = SpectralDensity.StochasticLanczos(op, steps: 12, probes: probes, seed: 3);
        Assert.Equal(1.0, slq.Integral(), 6);
        Assert.Equal(1.0, slq.Moment(0), 12);
        Assert.All(slq.Weights, w => Assert.Equal(1.0, w.Sum(), 12));
        double m1 = eig.Average(), m2 = eig.Average(l => l * l), m4 = eig.Average(l => Math.Pow(l, 4));
        // For v uniform on the unit sphere, Var(vᵀAv) = 2/(n+2)·(tr(A²)/n − (tr A/n)²) (and likewise for A²), so the
        // probe average has standard error √(Var/nv). Gauss quadrature with m ≥ 2 reproduces vᵀAv and vᵀA²v exactly,
        // so the only error is this sampling error: 4 standard errors (a 6·10⁻⁵ two-sided chance) is the tolerance.
        double se1 = Math.Sqrt(2.0 / (n + 2) * (m2 - m1 * m1) / probes);
        double se2 = Math.Sqrt(2.0 / (n + 2) * (m4 - m2 * m2) / probes);
        Assert.True(Math.Abs(slq.Moment(1) - m1) <= 4 * se1, $"first moment {slq.Moment(1)} vs tr(H)/n {m1} (se {se1})");
        Assert.True(Math.Abs(slq.Moment(2) - m2) <= 4 * se2, $"second moment {slq.Moment(2)} vs tr(H²)/n {m2} (se {se2})");
        double trace = Enumerable.Range(0, n).Sum(i => dense[i * n + i]);
        Assert.Equal(trace / n, m1, 10);
    }

    [Fact]
    public void FullLanczosRitzValuesAreEigenvalues()
    {
        var (op, _, eig) = Model(2);
        var slq = SpectralDensity.StochasticLanczos(op, steps: op.Dimension, probes: 1, seed: 5);
        double scale = eig.Max(Math.Abs);
        foreach (var node in slq.Nodes[0])
            Assert.True(eig.Min(l => Math.Abs(l - node)) < 1e-8 * scale, $"Ritz value {node} is not an eigenvalue");
        // the extreme eigenvalues are always found
        Assert.Equal(eig[0], slq.Nodes[0].Min(), 8);
        Assert.Equal(eig[^1], slq.Nodes[0].Max(), 8);
    }

    [Fact]
    public void FloatModelGivesTheSameTopEigenvalue()
    {
        var (op, _, eig) = Model();
        var net = SmallModels.TanhMlp<float>.Create(3, 4, 2, 1);
        var (x, labels) = SmallModels.Data(12, 3, 2, 11);
        var xf = x.ConvertTo<float>();
        var opf = new HessianOperator<float>(() => net.Logits(xf).CrossEntropy(labels), net.Parameters);
        var top = HessianSpectrum.TopEigenvalues(opf, 1, maxIterations: 3000, tolerance: 1e-5, seed: 2);
        double expected = eig.OrderByDescending(Math.Abs).First();
        Assert.True(Math.Abs(top.Values[0] - expected) < 1e-3 * Math.Abs(expected), $"{top.Values[0]} vs {expected}");
        Assert.True(op.Products > 0);
    }

    [Fact]
    public void BadInputIsRejected()
    {
        var (op, _, _) = Model();
        Assert.Throws<InvalidParameterException>(() => HessianSpectrum.TopEigenvalues(op, 0));
        Assert.Throws<InvalidParameterException>(() => HessianSpectrum.TopEigenvalues(op, op.Dimension + 1));
        Assert.Throws<InvalidParameterException>(() => HessianTrace.Hutchinson(op, probes: 1));
        Assert.Throws<InvalidParameterException>(() => SpectralDensity.StochasticLanczos(op, steps: 0));
        Assert.Throws<InvalidParameterException>(() => op.Apply(new double[3], new double[op.Dimension]));
        var frozen = Tensor<double>.Zeros(2);
        Assert.Throws<InvalidParameterException>(() => new HessianOperator<double>(() => frozen.Sum(), [frozen]));
    }
}
