using Geometrize.Networks.Data;

namespace Geometrize.Tests.Networks;

/// <summary>Generated sets: exact geometry without noise, balance, seeding, and the named factory.</summary>
public class SyntheticDatasetsTests
{
    private static double Norm(ReadOnlySpan<float> p)
    {
        double s = 0;
        foreach (float v in p) s += (double)v * v;
        return Math.Sqrt(s);
    }

    [Theory]
    [InlineData("two-spirals", 2)]
    [InlineData("circles", 2)]
    [InlineData("spheres", 3)]
    [InlineData("moons", 2)]
    [InlineData("blobs", 2)]
    [InlineData("rings", 2)]
    [InlineData("rings3d", 3)]
    public void EveryNamedSetIsBalancedAndSeeded(string name, int dims)
    {
        var a = SyntheticDatasets.Create(name, 301, 0.05, 17);
        Assert.Equal(301, a.Count);
        Assert.Equal([dims], a.FeatureShape);
        Assert.Equal(a.Features.ToArray(), SyntheticDatasets.Create(name.ToUpperInvariant().Replace('-', '_'), 301, 0.05, 17).Features.ToArray());
        Assert.NotEqual(a.Features.ToArray(), SyntheticDatasets.Create(name, 301, 0.05, 18).Features.ToArray());
        if (a.Task == LearningTask.Classification)
        {
            int[] counts = a.ClassCounts();
            Assert.True(counts.Max() - counts.Min() <= 1, string.Join(",", counts));
            Assert.Equal(a.ClassCount, a.ClassNames!.Count);
        }
        foreach (float v in a.Features) Assert.True(float.IsFinite(v));
    }

    [Fact]
    public void UnknownNameListsTheValidOnes()
    {
        var e = Assert.Throws<InvalidParameterException>(() => SyntheticDatasets.Create("spirales", 10, 0, 1));
        Assert.Equal("--data", e.Parameter);
        foreach (string n in SyntheticDatasets.Names) Assert.Contains(n, e.Message);
        Assert.Throws<InvalidParameterException>(() => SyntheticDatasets.Create("moons", 10, double.NaN, 1));
        Assert.Throws<InvalidParameterException>(() => SyntheticDatasets.Create("moons", 10, -0.1, 1));
        Assert.Throws<InvalidParameterException>(() => SyntheticDatasets.Create("moons", 1, 0, 1));
    }

    [Fact]
    public void SpiralsFollowTheirArcs()
    {
        const double turns = 1.5;
        var d = SyntheticDatasets.TwoSpirals(400, 0, 3, turns);
        for (int i = 0; i < d.Count; i++)
        {
            var p = d.FeatureRow(i);
            double r = Norm(p);
            Assert.InRange(r, 0.1 - 1e-6, 1 + 1e-6);
            // On spiral c the angle is 2π·turns·r + cπ (mod 2π).
            double expected = 2 * Math.PI * turns * r + d.Label(i) * Math.PI;
            double diff = Math.IEEERemainder(Math.Atan2(p[1], p[0]) - expected, 2 * Math.PI);
            Assert.True(Math.Abs(diff) < 1e-4, $"sample {i}: angle off by {diff}");
        }
    }

    [Fact]
    public void CirclesAndSpheresHaveExactRadiiWithoutNoise()
    {
        foreach (var d in new[] { SyntheticDatasets.ConcentricCircles(200, 0, 1, 0.4), SyntheticDatasets.ConcentricSpheres(200, 0, 1, 0.4) })
        {
            for (int i = 0; i < d.Count; i++)
                Assert.Equal(d.Label(i) == 0 ? 1.0 : 0.4, Norm(d.FeatureRow(i)), 1e-6);
        }
        // Points are spread over the whole sphere: the mean of the outer shell is near the centre.
        var s = SyntheticDatasets.ConcentricSpheres(4000, 0, 2);
        var mean = new double[3];
        for (int i = 0; i < s.Count; i++)
            for (int j = 0; j < 3; j++) mean[j] += s.FeatureRow(i)[j] / s.Count;
        Assert.True(Norm(mean.Select(v => (float)v).ToArray()) < 0.05);
    }

    [Fact]
    public void MoonsLieOnTheirHalfCircles()
    {
        var d = SyntheticDatasets.Moons(300, 0, 5);
        for (int i = 0; i < d.Count; i++)
        {
            var p = d.FeatureRow(i);
            if (d.Label(i) == 0)
            {
                Assert.Equal(1.0, Math.Sqrt(p[0] * p[0] + p[1] * p[1]), 1e-6);
                Assert.True(p[1] >= -1e-6);
            }
            else
            {
                Assert.Equal(1.0, Math.Sqrt((p[0] - 1) * (p[0] - 1) + (p[1] - 0.5) * (p[1] - 0.5)), 1e-6);
                Assert.True(p[1] <= 0.5 + 1e-6);
            }
        }
    }

    [Fact]
    public void BlobsAreSeparatedAroundCentresOnTheSphereOfRadiusTwo()
    {
        var d = SyntheticDatasets.GaussianBlobs(2000, 4, 5, 0.1, 8);
        Assert.Equal(4, d.ClassCount);
        var centres = new double[4, 5];
        int[] counts = d.ClassCounts();
        for (int i = 0; i < d.Count; i++)
            for (int j = 0; j < 5; j++) centres[d.Label(i), j] += d.FeatureRow(i)[j] / counts[d.Label(i)];
        int correct = 0;
        for (int c = 0; c < 4; c++)
        {
            double r = Math.Sqrt(Enumerable.Range(0, 5).Sum(j => centres[c, j] * centres[c, j]));
            Assert.Equal(2.0, r, 1);
        }
        // Within-class spread equals the noise: mean squared distance to the centre ≈ d·σ².
        double msd = 0;
        for (int i = 0; i < d.Count; i++)
        {
            int best = 0; double bestDist = double.MaxValue;
            for (int c = 0; c < 4; c++)
            {
                double s = 0;
                for (int j = 0; j < 5; j++) s += Math.Pow(d.FeatureRow(i)[j] - centres[c, j], 2);
                if (s < bestDist) { bestDist = s; best = c; }
                if (c == d.Label(i)) msd += s / d.Count;
            }
            if (best == d.Label(i)) correct++;
        }
        Assert.Equal(d.Count, correct);
        Assert.InRange(msd, 0.048, 0.052);
    }

    [Fact]
    public void RingsTargetIsMinusCosFourR()
    {
        foreach (int dims in new[] { 2, 3 })
        {
            var d = SyntheticDatasets.Rings(500, dims, 0, 4, radius: 2);
            Assert.Equal(LearningTask.Regression, d.Task);
            Assert.Equal(1, d.TargetDimension);
            double maxR = 0;
            for (int i = 0; i < d.Count; i++)
            {
                double r = Norm(d.FeatureRow(i));
                maxR = Math.Max(maxR, r);
                Assert.True(r <= 2 + 1e-6);
                Assert.Equal(-Math.Cos(4 * r), d.TargetRow(i)[0], 1e-5);
            }
            Assert.True(maxR > 1.9);
        }
        // Noise goes on the target, with the requested deviation.
        var clean = SyntheticDatasets.Rings(20000, 2, 0, 6);
        var noisy = SyntheticDatasets.Rings(20000, 2, 0.2, 6);
        double sq = 0;
        for (int i = 0; i < clean.Count; i++)
        {
            double r = Norm(noisy.FeatureRow(i));
            sq += Math.Pow(noisy.TargetRow(i)[0] + Math.Cos(4 * r), 2) / clean.Count;
        }
        Assert.InRange(Math.Sqrt(sq), 0.195, 0.205);
        Assert.Throws<InvalidParameterException>(() => SyntheticDatasets.Rings(10, 4, 0, 1));
    }

    [Fact]
    public void RingsInputsAreUniformInTheDisc()
    {
        // Uniform in the unit disc: P(r ≤ 1/2) = 1/4.
        var d = SyntheticDatasets.Rings(20000, 2, 0, 9);
        int inner = 0;
        for (int i = 0; i < d.Count; i++) if (Norm(d.FeatureRow(i)) <= 0.5) inner++;
        Assert.InRange(inner / 20000.0, 0.24, 0.26); // ±3 binomial standard deviations
    }
}
