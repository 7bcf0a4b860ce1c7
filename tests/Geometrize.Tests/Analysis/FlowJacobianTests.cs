using Geometrize.Analysis;
using Geometrize.Autodiff;
using Geometrize.Numerics.LinearAlgebra;

namespace Geometrize.Tests.Analysis;

/// <summary>Reverse-mode flow Jacobians against finite differences and known linear maps; singular values and log|det|.</summary>
public class FlowJacobianTests
{
    // A residual tanh flow x ← x + h·W₂tanh(W₁x + b₁) with 4 blocks on ℝ⁴ (rows independent).
    private sealed class Flow<T> where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        private readonly Tensor<T>[] _w1, _b1, _w2;

        public Flow(int d, int blocks, int seed)
        {
            var rng = new Random(seed);
            _w1 = Enumerable.Range(0, blocks).Select(_ => Tensor<T>.Randn([6, d], rng, std: 0.9)).ToArray();
            _b1 = Enumerable.Range(0, blocks).Select(_ => Tensor<T>.Randn([6], rng, std: 0.5)).ToArray();
            _w2 = Enumerable.Range(0, blocks).Select(_ => Tensor<T>.Randn([d, 6], rng, std: 0.9)).ToArray();
        }

        public Tensor<T> Map(Tensor<T> x)
        {
            var step = T.CreateChecked(1.0 / _w1.Length);
            for (int k = 0; k < _w1.Length; k++) x = x + x.Linear(_w1[k], _b1[k]).Tanh().Linear(_w2[k]) * step;
            return x;
        }
    }

    [Fact]
    public void ReverseModeMatchesCentralDifferences()
    {
        var flow = new Flow<double>(4, 4, 1);
        var x = Tensor<double>.Randn([5, 4], new Random(2));
        var exact = FlowJacobian.Compute<double>(flow.Map, x);
        var fd = FlowJacobian.Compute<double>(flow.Map, x, JacobianMethod.FiniteDifferences);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(16, exact[i].Length);
            for (int e = 0; e < 16; e++) Assert.Equal(fd[i][e], exact[i][e], 8);
        }
        // the flow is far from the identity, so agreement is not trivial
        Assert.True(Math.Abs(exact[0][1]) > 1e-3);
    }

    [Fact]
    public void SingularValuesAndLogDetAgreeWithFiniteDifferenceJacobian()
    {
        var flow = new Flow<double>(4, 4, 3);
        var x = Tensor<double>.Randn([7, 4], new Random(4));
        var report = FlowJacobian.Analyze<double>(flow.Map, x, batchSize: 3);
        var fd = FlowJacobian.Compute<double>(flow.Map, x, JacobianMethod.FiniteDifferences);
        for (int i = 0; i < 7; i++)
        {
            var gram = new double[16];
            Gemm.Multiply<double>(fd[i], fd[i], gram, 4, 4, 4, Transpose.Yes, Transpose.No);
            var expected = SymmetricEigen.Eigenvalues(gram, 4).Reverse().Select(Math.Sqrt).ToArray();
            for (int q = 0; q < 4; q++) Assert.Equal(expected[q], report.SingularValues[i][q], 7);
            Assert.Equal(report.SingularValues[i].Sum(Math.Log), report.LogAbsDeterminants![i], 10);
            Assert.Equal(LogDeterminant.Of(fd[i], 4), report.LogAbsDeterminants[i], 7);
        }
        var all = report.SingularValues.SelectMany(s => s).ToArray();
        Assert.Equal(all.Select(s => s * s).Average(), report.MeanSquaredSingularValue, 12);
        Assert.True(report.SingularValueStd > 0);
        Assert.Equal(report.ConditionNumbers.Max(), report.MaxConditionNumber);
    }

    [Fact]
    public void LinearMapHasItsMatrixAsJacobian()
    {
        // y = x·Aᵀ with A = Q diag(3, 2, 0.5) Qᵀ: σ = 3, 2, 0.5 and log|det| = log 3
        double c = Math.Cos(0.7), s = Math.Sin(0.7);
        double[] q = [c, -s, 0, s, c, 0, 0, 0, 1];
        double[] lambda = [3, -2, 0.5];
        var a = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 3; k++) a[i * 3 + j] += q[i * 3 + k] * lambda[k] * q[j * 3 + k];
        var weight = Tensor<double>.FromArray([3, 3], a);
        var x = Tensor<double>.Randn([4, 3], new Random(5));
        var report = FlowJacobian.Analyze<double>(z => z.Linear(weight), x);
        var jac = FlowJacobian.Compute<double>(z => z.Linear(weight), x);
        foreach (var j in jac)
            for (int e = 0; e < 9; e++) Assert.Equal(a[e], j[e], 14);
        foreach (var sv in report.SingularValues)
        {
            Assert.Equal(3.0, sv[0], 12);
            Assert.Equal(2.0, sv[1], 12);
            Assert.Equal(0.5, sv[2], 12);
        }
        Assert.All(report.LogAbsDeterminants!, l => Assert.Equal(Math.Log(3.0), l, 12));
        Assert.Equal(6.0, report.MedianConditionNumber, 10);
        Assert.Equal((9 + 4 + 0.25) / 3.0, report.MeanSquaredSingularValue, 12);
    }

    [Fact]
    public void RotationIsAnIsometry()
    {
        double c = Math.Cos(1.2), s = Math.Sin(1.2);
        var weight = Tensor<double>.FromArray([2, 2], [c, -s, s, c]);
        var report = FlowJacobian.Analyze<double>(z => z.Linear(weight), Tensor<double>.Randn([3, 2], new Random(1)));
        Assert.Equal(1.0, report.MeanSquaredSingularValue, 12);
        Assert.Equal(0.0, report.SingularValueStd, 6);
        Assert.Equal(1.0, report.MaxConditionNumber, 12);
        Assert.Equal(0.0, report.MeanLogAbsDeterminant!.Value, 12);
    }

    [Fact]
    public void IdentityMapHasIdentityJacobian()
    {
        var x = Tensor<double>.Randn([3, 3], new Random(2));
        foreach (var j in FlowJacobian.Compute<double>(z => z, x))
            Assert.Equal([1.0, 0, 0, 0, 1, 0, 0, 0, 1], j);
        var report = FlowJacobian.Analyze<double>(z => z, x);
        Assert.Equal(0.0, report.MeanLogAbsDeterminant!.Value, 14);
    }

    [Fact]
    public void NonSquareMapHasNoDeterminant()
    {
        var rng = new Random(6);
        var w1 = Tensor<double>.Randn([3, 5], rng);
        var w2 = Tensor<double>.Randn([2, 3], rng);
        Tensor<double> Map(Tensor<double> z) => z.Linear(w1).Tanh().Linear(w2);
        var x = Tensor<double>.Randn([4, 5], rng);
        var exact = FlowJacobian.Compute<double>(Map, x);
        var fd = FlowJacobian.Compute<double>(Map, x, JacobianMethod.FiniteDifferences);
        for (int i = 0; i < 4; i++)
            for (int e = 0; e < 10; e++) Assert.Equal(fd[i][e], exact[i][e], 8);
        var report = FlowJacobian.Analyze<double>(Map, x);
        Assert.Equal(2, report.SingularValues[0].Length);
        Assert.Null(report.LogAbsDeterminants);
        Assert.Null(report.MeanLogAbsDeterminant);
    }

    [Fact]
    public void FloatFlowAgreesWithDouble()
    {
        var fd = new Flow<double>(4, 4, 8);
        var ff = new Flow<float>(4, 4, 8);
        var x = Tensor<double>.Randn([6, 4], new Random(9));
        var rd = FlowJacobian.Analyze<double>(fd.Map, x);
        var rf = FlowJacobian.Analyze<float>(ff.Map, x.ConvertTo<float>());
        for (int i = 0; i < 6; i++)
            for (int q = 0; q < 4; q++) Assert.Equal(rd.SingularValues[i][q], rf.SingularValues[i][q], 4);
        var jf = FlowJacobian.Compute<float>(ff.Map, x.ConvertTo<float>(), JacobianMethod.FiniteDifferences);
        var jd = FlowJacobian.Compute<double>(fd.Map, x);
        // float central differences: rounding of y (~1e-7·|y|) over a step 2∛ε ≈ 1e-2 leaves ~1e-4 of noise
        for (int e = 0; e < 16; e++) Assert.True(Math.Abs(jd[0][e] - jf[0][e]) < 2e-3, $"entry {e}: {jf[0][e]} vs {jd[0][e]}");
    }

    [Fact]
    public void BadInputIsRejected()
    {
        var x = Tensor<double>.Zeros(3, 2);
        Assert.Throws<InvalidParameterException>(() => FlowJacobian.Analyze<double>(z => z.Sum().Reshape(1), x));
        Assert.Throws<InvalidParameterException>(() => FlowJacobian.Analyze<double>(z => z, x, batchSize: 0));
        Assert.Throws<InvalidParameterException>(() => FlowJacobian.Compute<double>(z => z, Tensor<double>.Zeros(0, 2)));
    }
}
