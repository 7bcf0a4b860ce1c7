using Geometrize.Autodiff;

namespace Geometrize.Tests.Autodiff;

public class ElementwiseOpsTests
{
    public static TheoryData<int[], int[]> ShapePairs => new()
    {
        { new[] { 3, 4 }, new[] { 3, 4 } },
        { new[] { 3, 4 }, new[] { 4 } },
        { new[] { 3, 1 }, new[] { 1, 4 } },
        { new[] { 2, 3, 4 }, new[] { 3, 1 } },
        { new int[0], new[] { 2, 3 } },
        { new[] { 2, 1, 4 }, new[] { 3, 1 } },
    };

    [Theory, MemberData(nameof(ShapePairs))]
    public void AddSubMulMatchFiniteDifferences(int[] sa, int[] sb)
    {
        var rng = new Random(sa.Length * 10 + sb.Length);
        var a = GradCheck.Rand(rng, sa);
        var b = GradCheck.Rand(rng, sb);
        GradCheck.Both(x => x[0] + x[1], a, b);
        GradCheck.Both(x => x[0] - x[1], a, b);
        GradCheck.Both(x => x[0] * x[1], a, b);
        GradCheck.Both(x => x[0] * x[1] * x[0], a, b);
    }

    [Theory, MemberData(nameof(ShapePairs))]
    public void DivAndPowMatchFiniteDifferences(int[] sa, int[] sb)
    {
        var rng = new Random(sa.Length * 31 + sb.Length);
        var a = GradCheck.Positive(rng, 0.5, 2, sa);
        var b = GradCheck.AwayFromZero(rng, 0.5, 2, sb);
        GradCheck.Both(x => x[0] / x[1], a, b);
        GradCheck.Both(x => x[1] / x[0], a, b);
        GradCheck.Both(x => TensorOps.Pow(x[0], x[1]), a, b);
    }

    [Fact]
    public void BroadcastForwardMatchesNaiveIndexing()
    {
        var rng = new Random(3);
        var a = Tensor<double>.Randn([2, 1, 4], rng);
        var b = Tensor<double>.Randn([3, 1], rng);
        var c = a - b;
        Assert.Equal(new[] { 2, 3, 4 }, c.Shape);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++)
                    Assert.Equal(a.Data[i * 4 + k] - b.Data[j], c.Data[(i * 3 + j) * 4 + k]);
    }

    [Fact]
    public void LargeOperandsTakeTheParallelPathAndAgree()
    {
        var rng = new Random(4);
        int n = 1 << 19;
        var a = Tensor<float>.Randn([n], rng);
        var b = Tensor<float>.Randn([n], rng);
        var c = a * b + a;
        for (int i = 0; i < n; i += 4097) Assert.Equal(a.Data[i] * b.Data[i] + a.Data[i], c.Data[i], 1e-6f);
    }

    [Fact]
    public void ScalarOperatorsMatchFiniteDifferences()
    {
        var rng = new Random(5);
        var a = GradCheck.Rand(rng, 3, 2);
        GradCheck.Both(x => 2.5 * x[0] - 1.0, a);
        GradCheck.Both(x => 3.0 - x[0] / 4.0, a);
        GradCheck.Both(x => -x[0] + 0.5, a);
    }
}
