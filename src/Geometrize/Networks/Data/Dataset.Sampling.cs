namespace Geometrize.Networks.Data;

public sealed partial class Dataset
{
    /// <summary>The samples at <paramref name="indices"/>, in that order (repeats allowed, e.g. for bootstrap).</summary>
    public Dataset Subset(ReadOnlySpan<int> indices)
    {
        foreach (int i in indices)
            if ((uint)i >= (uint)Count)
                throw new InvalidParameterException("indices", $"sample {i} is outside [0, {Count}) of dataset '{Name}'.");
        int d = FeatureDimension;
        var features = new float[(long)indices.Length * d];
        Gather(indices, features);
        int[]? labels = null;
        float[]? targets = null;
        if (_labels != null)
        {
            labels = new int[indices.Length];
            for (int k = 0; k < indices.Length; k++) labels[k] = _labels[indices[k]];
        }
        else
        {
            targets = new float[(long)indices.Length * TargetDimension];
            GatherTargets(indices, targets);
        }
        return new Dataset(Name, features, _featureShape, indices.Length, labels, ClassCount, targets, TargetDimension, _classNames);
    }

    /// <summary>The first <paramref name="count"/> samples (all of them when the set is smaller).</summary>
    public Dataset Take(int count)
    {
        if (count < 0) throw new InvalidParameterException("count", $"must not be negative, got {count}.");
        if (count >= Count) return this;
        var idx = new int[count];
        for (int i = 0; i < count; i++) idx[i] = i;
        return Subset(idx);
    }

    /// <summary>The samples in a random order drawn from <paramref name="seed"/>.</summary>
    public Dataset Shuffled(int seed) => Subset(Permutation(Count, new Random(seed)));

    /// <summary>
    /// Splits at random into a first part holding round(fraction · Count) samples and a second part with the rest
    /// (typically train and test). The same seed always gives the same split.
    /// </summary>
    public (Dataset First, Dataset Second) Split(double fraction, int seed)
    {
        if (!(fraction > 0 && fraction < 1))
            throw new InvalidParameterException("fraction", $"must be strictly between 0 and 1, got {fraction}.");
        int first = (int)Math.Round(fraction * Count);
        if (first == 0 || first == Count)
            throw new InvalidParameterException("fraction", $"{fraction} of {Count} samples leaves one part empty; use more samples or another fraction.");
        int[] perm = Permutation(Count, new Random(seed));
        return (Subset(perm.AsSpan(0, first)), Subset(perm.AsSpan(first)));
    }

    /// <summary>
    /// Keeps only the samples of the given classes and relabels them 0, 1, ... in the order listed, so
    /// <c>ClassesFilter(0, 6)</c> on Fashion-MNIST gives a binary T-shirt (0) versus shirt (1) problem.
    /// </summary>
    public Dataset ClassesFilter(params int[] classes)
    {
        RequireClassification(nameof(ClassesFilter));
        if (classes.Length == 0)
            throw new InvalidParameterException("classes", "list at least one class to keep.");
        var newLabel = new int[ClassCount];
        Array.Fill(newLabel, -1);
        for (int k = 0; k < classes.Length; k++)
        {
            int c = classes[k];
            if ((uint)c >= (uint)ClassCount)
                throw new InvalidParameterException("classes", $"class {c} is outside [0, {ClassCount}) of dataset '{Name}'.");
            if (newLabel[c] >= 0)
                throw new InvalidParameterException("classes", $"class {c} is listed twice.");
            newLabel[c] = k;
        }
        var keep = new List<int>();
        for (int i = 0; i < Count; i++)
            if (newLabel[_labels![i]] >= 0) keep.Add(i);
        Dataset sub = Subset(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(keep));
        var labels = sub._labels!;
        for (int i = 0; i < labels.Length; i++) labels[i] = newLabel[labels[i]];
        string[]? names = _classNames == null ? null : classes.Select(c => _classNames[c]).ToArray();
        string name = $"{Name}[{string.Join(',', classes)}]";
        return new Dataset(name, sub._features, _featureShape, sub.Count, labels, classes.Length, null, 0, names);
    }

    /// <summary>
    /// Label corruption for robustness and influence studies: round(fraction · Count) distinct samples chosen with
    /// <paramref name="seed"/> get a label drawn uniformly from the other classes (so every chosen label really changes).
    /// </summary>
    /// <returns>The corrupted set and the sorted indices of the flipped samples.</returns>
    public (Dataset Noisy, int[] Flipped) WithNoisyLabels(double fraction, int seed)
    {
        RequireClassification(nameof(WithNoisyLabels));
        if (!(fraction >= 0 && fraction <= 1))
            throw new InvalidParameterException("fraction", $"must be in [0, 1], got {fraction}.");
        if (ClassCount < 2 && fraction > 0)
            throw new InvalidParameterException("fraction", $"dataset '{Name}' has one class; there is no other label to flip to.");
        var rng = new Random(seed);
        int flips = (int)Math.Round(fraction * Count);
        int[] chosen = Permutation(Count, rng)[..flips];
        Array.Sort(chosen);
        var labels = (int[])_labels!.Clone();
        foreach (int i in chosen)
        {
            int other = rng.Next(ClassCount - 1);
            labels[i] = other >= labels[i] ? other + 1 : other;
        }
        return (new Dataset(Name + "-noisy", _features, _featureShape, Count, labels, ClassCount, null, 0, _classNames), chosen);
    }

    /// <summary>Copies the feature rows of <paramref name="indices"/> into <paramref name="destination"/> (row-major), converting to T.</summary>
    public void Gather<T>(ReadOnlySpan<int> indices, Span<T> destination) where T : unmanaged, System.Numerics.INumberBase<T>
    {
        int d = FeatureDimension;
        if (destination.Length < (long)indices.Length * d)
            throw new ArgumentException($"destination holds {destination.Length} values; {indices.Length} rows need {(long)indices.Length * d}.", nameof(destination));
        for (int k = 0; k < indices.Length; k++)
        {
            ReadOnlySpan<float> src = _features.AsSpan(indices[k] * d, d);
            Span<T> dst = destination.Slice(k * d, d);
            if (typeof(T) == typeof(float))
                src.CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(dst));
            else
                for (int j = 0; j < d; j++) dst[j] = T.CreateTruncating(src[j]);
        }
    }

    /// <summary>Copies the target rows of <paramref name="indices"/> into <paramref name="destination"/> (regression only).</summary>
    public void GatherTargets<T>(ReadOnlySpan<int> indices, Span<T> destination) where T : unmanaged, System.Numerics.INumberBase<T>
    {
        ReadOnlySpan<float> targets = Targets;
        int t = TargetDimension;
        if (destination.Length < (long)indices.Length * t)
            throw new ArgumentException($"destination holds {destination.Length} values; {indices.Length} rows need {(long)indices.Length * t}.", nameof(destination));
        for (int k = 0; k < indices.Length; k++)
            for (int j = 0; j < t; j++)
                destination[k * t + j] = T.CreateTruncating(targets[indices[k] * t + j]);
    }

    /// <summary>A uniformly random permutation of 0..n-1 (Fisher–Yates), reproducible from the generator's seed.</summary>
    internal static int[] Permutation(int n, Random rng)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Shuffle(p, rng);
        return p;
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    internal static void Shuffle(Span<int> p, Random rng)
    {
        for (int i = p.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
    }

    private void RequireClassification(string what)
    {
        if (_labels == null)
            throw new InvalidOperationException($"{what} needs class labels; dataset '{Name}' is a regression set.");
    }
}
