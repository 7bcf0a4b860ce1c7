using Geometrize.Networks.Data;

namespace Geometrize.Tests.Networks;

/// <summary>Dataset construction, subsets, splits, class filtering, label noise and mini-batches.</summary>
public class DatasetTests
{
    /// <summary>n samples of 3 features where row i is (i, 10i, 100i), labels i mod k: each row names itself.</summary>
    private static Dataset Indexed(int n, int k = 3)
    {
        var x = new float[n * 3];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            x[3 * i] = i; x[3 * i + 1] = 10 * i; x[3 * i + 2] = 100 * i;
            y[i] = i % k;
        }
        return Dataset.Classification("indexed", x, [3], y, k, Enumerable.Range(0, k).Select(c => $"c{c}").ToArray());
    }

    private static int RowId(Dataset d, int i) => (int)d.FeatureRow(i)[0];

    [Fact]
    public void ConstructionCopiesAndValidates()
    {
        float[] x = [1, 2, 3, 4];
        int[] y = [0, 1];
        var d = Dataset.Classification("t", x, [2], y, 2);
        x[0] = 99; y[0] = 1;
        Assert.Equal(1f, d.FeatureRow(0)[0]);
        Assert.Equal(0, d.Label(0));
        Assert.Equal(2, d.Count);
        Assert.Equal(2, d.FeatureDimension);
        Assert.Equal(LearningTask.Classification, d.Task);
        Assert.Contains("label 2", Assert.ThrowsAny<GeometrizeException>(() => Dataset.Classification("t", x, [2], [0, 2], 2)).Message);
        Assert.Contains("sample 1", Assert.ThrowsAny<GeometrizeException>(() => Dataset.Classification("t", [1, 2, float.NaN, 4], [2], y, 2)).Message);
        Assert.ThrowsAny<GeometrizeException>(() => Dataset.Classification("t", [1, 2, 3], [2], y, 2));
        Assert.ThrowsAny<GeometrizeException>(() => Dataset.Classification("t", x, [0, 2], y, 2));
        Assert.ThrowsAny<GeometrizeException>(() => Dataset.Classification("t", x, [2], y, 2, ["only one"]));
        Assert.ThrowsAny<GeometrizeException>(() => Dataset.Regression("t", x, [2], [1f, float.PositiveInfinity]));
        Assert.Throws<InvalidOperationException>(() => d.Targets.Length);
    }

    [Fact]
    public void RegressionTargetsTravelWithTheirRows()
    {
        var d = Dataset.Regression("r", [0, 0, 1, 1, 2, 2], [2], [0, 10, 1, 11, 2, 12], 2);
        Assert.Equal(3, d.Count);
        Assert.Equal(LearningTask.Regression, d.Task);
        var s = d.Subset([2, 0]);
        Assert.Equal([2f, 12f], s.TargetRow(0).ToArray());
        Assert.Equal([0f, 10f], s.TargetRow(1).ToArray());
        Assert.Equal([2f, 2f], s.FeatureRow(0).ToArray());
        Assert.Throws<InvalidOperationException>(() => d.Labels.Length);
    }

    [Fact]
    public void SubsetAndTakeGatherRows()
    {
        var d = Indexed(10);
        var s = d.Subset([7, 2, 7]);
        Assert.Equal(3, s.Count);
        Assert.Equal([7f, 70f, 700f], s.FeatureRow(0).ToArray());
        Assert.Equal([7 % 3, 2 % 3, 7 % 3], s.Labels.ToArray());
        Assert.Equal(d.ClassNames, s.ClassNames);
        Assert.Throws<InvalidParameterException>(() => d.Subset([10]));
        Assert.Equal(4, d.Take(4).Count);
        Assert.Equal(3, RowId(d.Take(4), 3));
        Assert.Same(d, d.Take(100));
    }

    [Fact]
    public void SplitIsAReproduciblePartition()
    {
        var d = Indexed(101);
        var (a, b) = d.Split(0.8, seed: 4);
        Assert.Equal(81, a.Count);
        Assert.Equal(20, b.Count);
        var ids = Enumerable.Range(0, a.Count).Select(i => RowId(a, i)).Concat(Enumerable.Range(0, b.Count).Select(i => RowId(b, i))).ToList();
        Assert.Equal(Enumerable.Range(0, 101), ids.Order());
        for (int i = 0; i < a.Count; i++) Assert.Equal(RowId(a, i) % 3, a.Label(i));
        var (a2, _) = d.Split(0.8, seed: 4);
        Assert.Equal(a.Features.ToArray(), a2.Features.ToArray());
        var (a3, _) = d.Split(0.8, seed: 5);
        Assert.NotEqual(a.Features.ToArray(), a3.Features.ToArray());
        Assert.Throws<InvalidParameterException>(() => d.Split(1.0, 1));
        Assert.Throws<InvalidParameterException>(() => d.Split(double.NaN, 1));
        Assert.Throws<InvalidParameterException>(() => Indexed(3).Split(0.01, 1));
    }

    [Fact]
    public void ShuffledIsAPermutationKeepingLabelsWithRows()
    {
        var d = Indexed(50);
        var s = d.Shuffled(9);
        var ids = Enumerable.Range(0, 50).Select(i => RowId(s, i)).ToList();
        Assert.Equal(Enumerable.Range(0, 50), ids.Order());
        Assert.NotEqual(Enumerable.Range(0, 50), ids);
        for (int i = 0; i < 50; i++) Assert.Equal(ids[i] % 3, s.Label(i));
    }

    [Fact]
    public void ClassesFilterKeepsAndRelabelsInTheListedOrder()
    {
        var d = Indexed(12, k: 4);
        var f = d.ClassesFilter(3, 1);
        Assert.Equal(2, f.ClassCount);
        Assert.Equal(["c3", "c1"], f.ClassNames!);
        Assert.Equal(6, f.Count);
        for (int i = 0; i < f.Count; i++)
        {
            int original = RowId(f, i) % 4;
            Assert.Contains(original, new[] { 1, 3 });
            Assert.Equal(original == 3 ? 0 : 1, f.Label(i));
        }
        Assert.Equal([3, 3], f.ClassCounts());
        Assert.Throws<InvalidParameterException>(() => d.ClassesFilter(1, 1));
        Assert.Throws<InvalidParameterException>(() => d.ClassesFilter(4));
        Assert.Throws<InvalidParameterException>(() => d.ClassesFilter());
    }

    [Fact]
    public void NoisyLabelsFlipExactlyTheReportedSamples()
    {
        var d = Indexed(200, k: 5);
        var (noisy, flipped) = d.WithNoisyLabels(0.15, seed: 2);
        Assert.Equal(30, flipped.Length);
        Assert.Equal(flipped.Distinct().Order(), flipped);
        var set = flipped.ToHashSet();
        for (int i = 0; i < d.Count; i++)
        {
            if (set.Contains(i)) Assert.NotEqual(d.Label(i), noisy.Label(i));
            else Assert.Equal(d.Label(i), noisy.Label(i));
            Assert.InRange(noisy.Label(i), 0, 4);
        }
        Assert.Equal(d.Features.ToArray(), noisy.Features.ToArray());
        Assert.Equal(flipped, d.WithNoisyLabels(0.15, seed: 2).Flipped);
        // Flipped labels spread over the other classes rather than always moving to one.
        Assert.True(flipped.Select(i => noisy.Label(i)).Distinct().Count() >= 4);
        Assert.Empty(d.WithNoisyLabels(0, 1).Flipped);
        Assert.Throws<InvalidParameterException>(() => d.WithNoisyLabels(1.5, 1));
    }

    [Fact]
    public void BatchesCoverTheEpochOnceWithOneReusedBuffer()
    {
        var d = Indexed(23);
        var seen = new List<int>();
        Batch? first = null;
        var sizes = new List<int>();
        foreach (var b in d.Batches(10, new Random(1)))
        {
            first ??= b;
            Assert.Same(first, b);
            sizes.Add(b.Count);
            for (int k = 0; k < b.Count; k++)
            {
                int i = b.Indices[k];
                seen.Add(i);
                Assert.Equal(d.FeatureRow(i).ToArray(), b.Features.AsSpan(3 * k, 3).ToArray());
                Assert.Equal(d.Label(i), b.Labels[k]);
            }
        }
        Assert.Equal([10, 10, 3], sizes);
        Assert.Equal(3, d.BatchCount(10));
        Assert.Equal(Enumerable.Range(0, 23), seen.Order());
        Assert.NotEqual(Enumerable.Range(0, 23), seen);
        Assert.Equal(Enumerable.Range(0, 23), d.Batches(5).SelectMany(b => b.BatchIndices.ToArray()));

        // One generator per run: epochs differ from each other, and the whole run repeats with the seed.
        var rng = new Random(7);
        int[] e1 = d.Batches(23, rng).Single().BatchIndices.ToArray();
        int[] e2 = d.Batches(23, rng).Single().BatchIndices.ToArray();
        Assert.NotEqual(e1, e2);
        Assert.Equal(e1, d.Batches(23, new Random(7)).Single().BatchIndices.ToArray());
    }

    [Fact]
    public void BatchesAllocateNothingPerBatch()
    {
        var d = Indexed(4000);
        var buffer = new Batch(d, 4);
        double sum = 0;
        long Epoch()
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            foreach (var b in d.Batches(4, null, buffer)) sum += b.Features[0];
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Epoch();
        long bytes = Epoch();
        // 1000 batches: the enumerator itself is the only allocation, a few hundred bytes at most.
        Assert.True(bytes < 1000, $"an epoch of 1000 batches allocated {bytes} bytes");
        Assert.True(sum > 0);
    }

    [Fact]
    public void GatherConvertsToDouble()
    {
        var d = Indexed(5);
        var dst = new double[6];
        d.Gather<double>([4, 1], dst);
        Assert.Equal([4.0, 40, 400, 1, 10, 100], dst);
        var r = Dataset.Regression("r", [1, 2], [1], [5, 6]);
        var t = new double[2];
        r.GatherTargets<double>([1, 0], t);
        Assert.Equal([6.0, 5], t);
    }
}
