using Geometrize.Autodiff;

namespace Geometrize.Tests.Autodiff;

public class ShapeOpsTests
{
    [Fact]
    public void ReshapeInfersOneExtentAndKeepsOrder()
    {
        var x = Tensor<double>.FromArray([2, 3], [1, 2, 3, 4, 5, 6]);
        var y = x.Reshape(3, -1);
        Assert.Equal(new[] { 3, 2 }, y.Shape);
        Assert.Equal(x.Data, y.Data);
    }

    [Fact]
    public void TransposeSwapAxesAndPermuteMoveElements()
    {
        var x = Tensor<double>.Randn([2, 3, 4], new Random(1));
        var p = x.Permute(2, 0, 1);
        var s = x.SwapAxes(1, 2);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++)
                {
                    double v = x.Data[(i * 3 + j) * 4 + k];
                    Assert.Equal(v, p.Data[(k * 2 + i) * 3 + j]);
                    Assert.Equal(v, s.Data[(i * 4 + k) * 3 + j]);
                }
        var m = Tensor<double>.FromArray([2, 3], [1, 2, 3, 4, 5, 6]).Transpose();
        Assert.Equal(new double[] { 1, 4, 2, 5, 3, 6 }, m.Data);
    }

    [Fact]
    public void SliceAndConcatInvertEachOther()
    {
        var x = Tensor<double>.Randn([3, 5, 2], new Random(2));
        var parts = new[] { x.Slice(1, 0, 2), x.Slice(1, 2, 1), x.Slice(1, 3, 2) };
        var back = TensorOps.Concat(parts, 1);
        Assert.Equal(x.Shape, back.Shape);
        Assert.Equal(x.Data, back.Data);
    }

    [Fact]
    public void ShapeOpsMatchFiniteDifferences()
    {
        var rng = new Random(3);
        var x = GradCheck.Rand(rng, 2, 3, 4);
        var y = GradCheck.Rand(rng, 2, 2, 4);
        GradCheck.Both(t => t[0].Reshape(6, 4).Square(), x);
        GradCheck.Both(t => t[0].Permute(1, 2, 0) * t[0].Permute(1, 2, 0), x);
        GradCheck.Both(t => t[0].SwapAxes(0, 2).Tanh(), x);
        GradCheck.Both(t => t[0].Reshape(6, 4).Transpose().Square(), x);
        GradCheck.Both(t => t[0].Slice(1, 1, 2).Square() * t[1], x, y);
        GradCheck.Both(t => TensorOps.Concat([t[0], t[1], t[0]], 1).Square(), x, y);
    }
}
