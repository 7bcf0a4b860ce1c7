namespace Geometrize.Networks.Data;

/// <summary>What a dataset's outputs are: class labels or real-valued targets.</summary>
public enum LearningTask
{
    /// <summary>Each sample has an integer label in [0, ClassCount).</summary>
    Classification,
    /// <summary>Each sample has a real target vector of length TargetDimension.</summary>
    Regression,
}

/// <summary>
/// An immutable set of samples: features stored row-major as one float array (sample i occupies
/// <c>[i·d, (i+1)·d)</c> with d = <see cref="FeatureDimension"/>), plus either integer labels (classification) or
/// real targets (regression). Every operation (subset, split, filter, normalise, corrupt labels) returns a new
/// dataset, so a training set cannot be changed behind a model's back.
/// </summary>
public sealed partial class Dataset
{
    private readonly float[] _features;
    private readonly int[]? _labels;
    private readonly float[]? _targets;
    private readonly int[] _featureShape;
    private readonly string[]? _classNames;

    /// <summary>Takes ownership of the arrays; callers have validated them (or produced them themselves).</summary>
    private Dataset(string name, float[] features, int[] featureShape, int count, int[]? labels, int classCount,
        float[]? targets, int targetDimension, string[]? classNames)
    {
        Name = name;
        _features = features;
        _featureShape = featureShape;
        Count = count;
        FeatureDimension = ShapeSize(featureShape);
        _labels = labels;
        ClassCount = classCount;
        _targets = targets;
        TargetDimension = targetDimension;
        _classNames = classNames;
    }

    /// <summary>A short name for reports and file names (e.g. "two-spirals", "fashion-mnist-train").</summary>
    public string Name { get; }

    /// <summary>Number of samples.</summary>
    public int Count { get; }

    /// <summary>Shape of one sample's features, e.g. [2] for points in the plane or [1, 28, 28] for images.</summary>
    public IReadOnlyList<int> FeatureShape => _featureShape;

    /// <summary>Number of feature values per sample: the product of <see cref="FeatureShape"/>.</summary>
    public int FeatureDimension { get; }

    /// <summary>Classification or regression.</summary>
    public LearningTask Task => _labels != null ? LearningTask.Classification : LearningTask.Regression;

    /// <summary>Number of classes (classification); 0 for regression.</summary>
    public int ClassCount { get; }

    /// <summary>Length of each target vector (regression); 0 for classification.</summary>
    public int TargetDimension { get; }

    /// <summary>Human-readable class names when known (Fashion-MNIST, CSV string labels); otherwise null.</summary>
    public IReadOnlyList<string>? ClassNames => _classNames;

    /// <summary>All features, row-major Count × FeatureDimension.</summary>
    public ReadOnlySpan<float> Features => _features;

    /// <summary>All features as memory, for code that must hold them beyond a span's scope (parallel loops, closures).</summary>
    public ReadOnlyMemory<float> FeatureMemory => _features;

    /// <summary>All labels as memory (classification only).</summary>
    public ReadOnlyMemory<int> LabelMemory => _labels ?? throw new InvalidOperationException($"dataset '{Name}' is a regression set; it has targets, not labels.");

    /// <summary>All targets as memory (regression only).</summary>
    public ReadOnlyMemory<float> TargetMemory => _targets ?? throw new InvalidOperationException($"dataset '{Name}' is a classification set; it has labels, not targets.");

    /// <summary>All labels (classification only).</summary>
    public ReadOnlySpan<int> Labels => _labels ?? throw new InvalidOperationException($"dataset '{Name}' is a regression set; it has targets, not labels.");

    /// <summary>All targets, row-major Count × TargetDimension (regression only).</summary>
    public ReadOnlySpan<float> Targets => _targets ?? throw new InvalidOperationException($"dataset '{Name}' is a classification set; it has labels, not targets.");

    /// <summary>Features of sample <paramref name="i"/>.</summary>
    public ReadOnlySpan<float> FeatureRow(int i) => _features.AsSpan(CheckIndex(i) * FeatureDimension, FeatureDimension);

    /// <summary>Label of sample <paramref name="i"/> (classification only).</summary>
    public int Label(int i) => Labels[CheckIndex(i)];

    /// <summary>Target vector of sample <paramref name="i"/> (regression only).</summary>
    public ReadOnlySpan<float> TargetRow(int i) => Targets.Slice(CheckIndex(i) * TargetDimension, TargetDimension);

    /// <summary>
    /// Creates a classification set. The arrays are copied, so the caller may reuse them.
    /// </summary>
    /// <param name="name">Name for reports.</param>
    /// <param name="features">Row-major features, <c>labels.Length × product(featureShape)</c> finite values.</param>
    /// <param name="featureShape">Shape of one sample, every extent positive.</param>
    /// <param name="labels">One label per sample, each in [0, classCount).</param>
    /// <param name="classCount">Number of classes, at least 1.</param>
    /// <param name="classNames">Optional names, one per class.</param>
    public static Dataset Classification(string name, ReadOnlySpan<float> features, ReadOnlySpan<int> featureShape,
        ReadOnlySpan<int> labels, int classCount, IReadOnlyList<string>? classNames = null)
    {
        int[] shape = CheckShape(featureShape);
        CheckFeatures(name, features, labels.Length, ShapeSize(shape));
        if (classCount < 1)
            throw new InvalidParameterException("classCount", $"dataset '{name}' needs at least one class, got {classCount}.");
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classCount)
                throw new GeometrizeException($"dataset '{name}': label {labels[i]} of sample {i} is outside [0, {classCount}).");
        string[]? names = classNames?.ToArray();
        if (names != null && names.Length != classCount)
            throw new InvalidParameterException("classNames", $"dataset '{name}' has {classCount} classes but {names.Length} class names.");
        return new Dataset(name, features.ToArray(), shape, labels.Length, labels.ToArray(), classCount, null, 0, names);
    }

    /// <summary>
    /// Creates a regression set. The arrays are copied, so the caller may reuse them.
    /// </summary>
    /// <param name="name">Name for reports.</param>
    /// <param name="features">Row-major features, <c>count × product(featureShape)</c> finite values.</param>
    /// <param name="featureShape">Shape of one sample, every extent positive.</param>
    /// <param name="targets">Row-major targets, <c>count × targetDimension</c> finite values.</param>
    /// <param name="targetDimension">Length of each target vector, at least 1.</param>
    public static Dataset Regression(string name, ReadOnlySpan<float> features, ReadOnlySpan<int> featureShape,
        ReadOnlySpan<float> targets, int targetDimension = 1)
    {
        int[] shape = CheckShape(featureShape);
        if (targetDimension < 1)
            throw new InvalidParameterException("targetDimension", $"dataset '{name}' needs targets of length at least 1, got {targetDimension}.");
        if (targets.Length % targetDimension != 0)
            throw new GeometrizeException($"dataset '{name}': {targets.Length} target values are not a multiple of the target dimension {targetDimension}.");
        int count = targets.Length / targetDimension;
        CheckFeatures(name, features, count, ShapeSize(shape));
        for (int i = 0; i < targets.Length; i++)
            if (!float.IsFinite(targets[i]))
                throw new GeometrizeException($"dataset '{name}': target {i % targetDimension} of sample {i / targetDimension} is {targets[i]}; every target must be finite.");
        return new Dataset(name, features.ToArray(), shape, count, null, 0, targets.ToArray(), targetDimension, null);
    }

    /// <summary>Wraps arrays the library produced itself (readers, generators): no copy, no revalidation.</summary>
    internal static Dataset Wrap(string name, float[] features, int[] featureShape, int[] labels, int classCount, string[]? classNames) =>
        new(name, features, featureShape, labels.Length, labels, classCount, null, 0, classNames);

    /// <summary>Regression counterpart of <see cref="Wrap(string, float[], int[], int[], int, string[])"/>.</summary>
    internal static Dataset WrapRegression(string name, float[] features, int[] featureShape, float[] targets, int targetDimension) =>
        new(name, features, featureShape, targets.Length / targetDimension, null, 0, targets, targetDimension, null);

    /// <summary>The same samples and outputs with other features of the same shape (used by normalisation).</summary>
    internal Dataset WithFeatures(float[] features, string? name = null) =>
        new(name ?? Name, features, _featureShape, Count, _labels, ClassCount, _targets, TargetDimension, _classNames);

    /// <summary>Same data under another name.</summary>
    public Dataset Renamed(string name) => WithFeatures(_features, name);

    /// <summary>Number of samples of each class (classification only).</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (int l in Labels) counts[l]++;
        return counts;
    }

    /// <inheritdoc />
    public override string ToString() => Task == LearningTask.Classification
        ? $"{Name}: {Count} samples of shape [{string.Join(',', _featureShape)}], {ClassCount} classes"
        : $"{Name}: {Count} samples of shape [{string.Join(',', _featureShape)}], targets of length {TargetDimension}";

    private int CheckIndex(int i)
    {
        if ((uint)i >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(i), $"sample {i} is outside [0, {Count}) of dataset '{Name}'.");
        return i;
    }

    internal static int ShapeSize(ReadOnlySpan<int> shape)
    {
        long size = 1;
        foreach (int e in shape) size *= e;
        return (int)size;
    }

    private static int[] CheckShape(ReadOnlySpan<int> shape)
    {
        if (shape.Length == 0)
            throw new InvalidParameterException("featureShape", "must have at least one axis, e.g. [2] for points in the plane.");
        long size = 1;
        foreach (int e in shape)
        {
            if (e < 1)
                throw new InvalidParameterException("featureShape", $"every extent must be positive, got [{string.Join(',', shape.ToArray())}].");
            size *= e;
            if (size > Array.MaxLength)
                throw new InvalidParameterException("featureShape", $"[{string.Join(',', shape.ToArray())}] is too large for one sample.");
        }
        return shape.ToArray();
    }

    private static void CheckFeatures(string name, ReadOnlySpan<float> features, int count, int d)
    {
        if ((long)count * d != features.Length)
            throw new GeometrizeException($"dataset '{name}': {features.Length} feature values do not make {count} samples of {d} features.");
        for (int i = 0; i < features.Length; i++)
            if (!float.IsFinite(features[i]))
                throw new GeometrizeException($"dataset '{name}': feature {i % d} of sample {i / d} is {features[i]}; every feature must be finite.");
    }
}
