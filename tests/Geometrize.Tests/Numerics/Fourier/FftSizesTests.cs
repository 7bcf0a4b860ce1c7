using Geometrize.Numerics.Fourier;

namespace Geometrize.Tests.Numerics.Fourier;

public class FftSizesTests
{
    [Theory]
    [InlineData(1, 1)] [InlineData(7, 8)] [InlineData(11, 12)] [InlineData(13, 15)] [InlineData(97, 100)]
    [InlineData(181, 192)] [InlineData(217, 225)] [InlineData(257, 270)] [InlineData(1000, 1000)]
    public void NextFriendlyIsSmallestFiveSmoothAtLeastN(int n, int expected)
    {
        Assert.Equal(expected, FftSizes.NextFriendly(n));
        // Brute-force check that nothing in between is 5-smooth.
        for (int m = n; m < expected; m++) Assert.False(FftSizes.IsFriendly(m));
    }

    [Fact]
    public void NextFriendlyRejectsNonPositive() =>
        Assert.Throws<Geometrize.InvalidParameterException>(() => FftSizes.NextFriendly(0));
}
