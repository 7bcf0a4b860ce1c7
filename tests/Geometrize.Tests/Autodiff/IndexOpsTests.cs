using Geometrize.Autodiff;

namespace Geometrize.Tests.Autodiff;

public class IndexOpsTests
{
    [Fact]
    public void IndexSelectPicksRowsWithRepeatsAndIndexAddAccumulates()
    {
        var x = Tensor<double>.FromArray([3, 2], [1, 2, 3, 4, 5, 6]);
        var y = x.IndexSelect([2, 0, 2]);
        Assert.Equal(new double[] { 5, 6, 1, 2, 5, 6 }, y.Data);
        var z = y.IndexAdd([2, 0, 2], 3);
        Assert.Equal(new double[] { 1, 2, 0, 0, 10, 12 }, z.Data);
    }

    [Fact]
    public void PickTakesOneColumnPerRow()
    {
        var x = Tensor<double>.FromArray([2, 3], [1, 2, 3, 4, 5, 6]);
        Assert.Equal(new double[] { 3, 4 }, x.Pick([2, 0]).Data);
    }

    [Fact]
    public void ArgMaxReturnsTheFirstLargestColumnAndConvertToKeepsValues()
    {
        var x = Tensor<float>.FromArray([3, 3], [1, 5, 2, 7, 7, 0, -1, -3, -2]);
        Assert.Equal(new[] { 1, 0, 0 }, x.ArgMax());
        var d = x.ConvertTo<double>();
        Assert.Equal(x.Data.Select(v => (double)v), d.Data);
        Assert.Equal(x.Shape, d.Shape);
    }

    [Fact]
    public void IndexOpsMatchFiniteDifferences()
    {
        var rng = new Random(1);
        var x = GradCheck.Rand(rng, 4, 3);
        GradCheck.Both(t => t[0].IndexSelect([3, 1, 3, 0]).Square(), x);
        GradCheck.Both(t => t[0].IndexAdd([1, 1, 0, 2], 3).Square(), x);
        GradCheck.Both(t => t[0].Pick([2, 0, 1, 2]).Exp(), x);
    }
}
