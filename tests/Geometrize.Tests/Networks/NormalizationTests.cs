using Geometrize.Networks.Data;

namespace Geometrize.Tests.Networks;

/// <summary>Standardisation and min-max scaling: fitted statistics, reuse on other sets, JSON persistence.</summary>
public class NormalizationTests
{
    private static Dataset Train() => Dataset.Regression("train",
        [0, 5, 10,
         2, 5, 30,
         4, 5, 20], [3], [0, 0, 0]);

    [Fact]
    public void StandardizeGivesZeroMeanUnitVarianceAndSkipsConstantFeatures()
    {
        var n = Normalization.Fit(Train());
        Assert.Equal([2f, 5f, 20f], n.Offset);
        Assert.Equal((float)Math.Sqrt(8.0 / 3), n.Scale[0], 6);
        Assert.Equal(1f, n.Scale[1]); // constant feature: no division by zero
        var z = n.Apply(Train());
        for (int j = 0; j < 3; j++)
        {
            double mean = 0, sq = 0;
            for (int i = 0; i < 3; i++) mean += z.FeatureRow(i)[j] / 3.0;
            for (int i = 0; i < 3; i++) sq += Math.Pow(z.FeatureRow(i)[j] - mean, 2) / 3.0;
            Assert.Equal(0, mean, 6);
            Assert.Equal(j == 1 ? 0 : 1, sq, 5);
        }
    }

    [Fact]
    public void StandardizeIsAccurateForLargeOffsets()
    {
        // E[x²] − E[x]² in float would lose everything here; two passes in double must not.
        var x = Enumerable.Range(0, 1000).Select(i => 1e4f + (i % 2 == 0 ? -0.5f : 0.5f)).ToArray();
        var n = Normalization.Fit(Dataset.Regression("big", x, [1], new float[1000]));
        Assert.Equal(0.5f, n.Scale[0], 4);
    }

    [Fact]
    public void MinMaxMapsTheTrainingRangeOntoTheUnitInterval()
    {
        var n = Normalization.Fit(Train(), NormalizationKind.MinMax);
        Assert.Equal([0f, 5f, 10f], n.Offset);
        Assert.Equal([4f, 1f, 20f], n.Scale);
        var z = n.Apply(Train());
        Assert.Equal([0f, 0f, 0f], z.FeatureRow(0).ToArray());
        Assert.Equal([0.5f, 0f, 1f], z.FeatureRow(1).ToArray());
        Assert.Equal([1f, 0f, 0.5f], z.FeatureRow(2).ToArray());
    }

    [Fact]
    public void TestDataUseTheTrainingStatistics()
    {
        var n = Normalization.Fit(Train(), NormalizationKind.MinMax);
        var test = Dataset.Classification("test", [8, 5, 0], [3], [1], 2, ["a", "b"]);
        var z = n.Apply(test);
        Assert.Equal([2f, 0f, -0.5f], z.FeatureRow(0).ToArray());
        Assert.Equal(1, z.Label(0));
        Assert.Equal(["a", "b"], z.ClassNames!);
        Span<float> row = [8, 5, 0];
        n.ApplyInPlace(row);
        n.InvertInPlace(row);
        Assert.Equal([8f, 5f, 0f], row.ToArray());
        Assert.Throws<GridMismatchException>(() => n.Apply(Dataset.Regression("x", [1, 2], [2], [0])));
    }

    [Fact]
    public void JsonRoundTripReproducesTheMap()
    {
        var n = Normalization.Fit(Train());
        string json = n.ToJson();
        Assert.Contains("\"kind\":\"Standardize\"", json);
        var back = Normalization.FromJson(json, "norm.json");
        Assert.Equal(n.Kind, back.Kind);
        Assert.Equal(n.Offset, back.Offset);
        Assert.Equal(n.Scale, back.Scale);
        Assert.Equal(n.Apply(Train()).Features.ToArray(), back.Apply(Train()).Features.ToArray());
    }

    [Theory]
    [InlineData("{\"kind\":\"Standardize\",\"offset\":[0],\"scale\":[0]}", "scale")]
    [InlineData("{\"kind\":\"Standardize\",\"offset\":[0,1],\"scale\":[1]}", "equal length")]
    [InlineData("{\"kind\":\"Standardize\",\"offset\":[0]}", "scale")]
    [InlineData("{\"kind\":\"Sideways\",\"offset\":[0],\"scale\":[1]}", "invalid")]
    [InlineData("not json", "invalid")]
    [InlineData("null", "null")]
    public void BadJsonNamesTheFile(string json, string because)
    {
        var e = Assert.Throws<DataFormatException>(() => Normalization.FromJson(json, "norm.json"));
        Assert.StartsWith("norm.json", e.Message);
        Assert.Contains(because, e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
