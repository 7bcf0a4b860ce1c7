using Geometrize.Numerics.Fourier;

namespace Geometrize.Tests.Numerics.Fourier;

public class ComplexFftTests
{
    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(7)] [InlineData(12)] [InlineData(60)]
    [InlineData(97)] [InlineData(128)] [InlineData(181)] [InlineData(250)]
    public void MatchesNaiveDftBothWays(int n)
    {
        var x = NaiveDft.Random(2 * n, n);
        var reference = NaiveDft.Complex1D(x, -1);
        var plan = new ComplexFft<double>(n);
        var data = (double[])x.Clone();
        plan.Forward(data);
        Assert.True(NaiveDft.RelativeError<double>(data, reference) < 1e-12);
        plan.Inverse(data);
        Assert.True(NaiveDft.RelativeError<double>(data, x) < 1e-12);

        var f = new ComplexFft<float>(n);
        var xf = x.Select(v => (float)v).ToArray();
        f.Forward(xf);
        Assert.True(NaiveDft.RelativeError<float>(xf, reference) < 1e-5);
    }

    [Fact]
    public void RejectsBadLengths()
    {
        Assert.Throws<Geometrize.InvalidParameterException>(() => new ComplexFft<float>(0));
        var plan = new ComplexFft<float>(5);
        Assert.Throws<Geometrize.InvalidParameterException>(() => plan.Forward(new float[9]));
    }
}
