using System.Globalization;

namespace Geometrize.Networks.Data;

/// <summary>The corruptions of a training set that learned example weights are meant to undo (Ren et al. 2018, §4).</summary>
public enum LabelNoiseKind
{
    /// <summary>A fraction P of the training labels is replaced by a different class drawn uniformly.</summary>
    Uniform,
    /// <summary>A binary task in which one class makes up the fraction R of the training set (Ren et al.'s MNIST 9 vs 4).</summary>
    Imbalance,
}

/// <summary>
/// A corruption of the training set, written <c>uniform:P</c> or <c>imbalance:R</c>, and how to build the noisy
/// training set with a clean validation set drawn before the corruption.
/// </summary>
/// <remarks>
/// <para><b>uniform:P</b> (0 ≤ P &lt; 1): exactly round(P·n) distinct training samples, chosen with the seed, get a
/// label drawn uniformly from the other C − 1 classes, so every chosen label really changes
/// (<see cref="Dataset.WithNoisyLabels"/>); the rest keep theirs.</para>
/// <para><b>imbalance:R</b> (0.5 ≤ R &lt; 1): the task becomes binary, majority class versus minority class (relabelled
/// 0 and 1), and R is the majority's share of the training set, as Ren et al. define the imbalance proportion:
/// all majority samples left after the validation draw are kept (M of them) and m = round(M·(1 − R)/R) minority
/// samples, chosen with the seed, so m/(M + m) ≈ 1 − R. No label is wrong; the corrupted flag is false everywhere.</para>
/// <para><b>Clean validation set</b>: N samples drawn class-balanced (⌊N/C⌋ per class, the first N mod C classes one
/// more) from the uncorrupted pool and removed from it before the corruption, so the validation labels are
/// correct and no validation sample is also a training sample.</para>
/// </remarks>
/// <param name="Kind">Uniform label flips or class imbalance.</param>
/// <param name="Level">P (uniform) or R (imbalance).</param>
public sealed record LabelNoise(LabelNoiseKind Kind, double Level)
{
    /// <summary>The specification as written on the command line, e.g. <c>uniform:0.4</c>.</summary>
    public string Spec => string.Create(CultureInfo.InvariantCulture, $"{Kind.ToString().ToLowerInvariant()}:{Level}");

    /// <summary>Parses <c>uniform:P</c> (P in [0, 1)) or <c>imbalance:R</c> (R in [0.5, 1)).</summary>
    /// <exception cref="InvalidParameterException">Unknown kind, missing or non-numeric level, or a level out of range (names <c>--noise</c>).</exception>
    public static LabelNoise Parse(string spec)
    {
        string text = (spec ?? "").Trim();
        int colon = text.IndexOf(':');
        string kindText = (colon < 0 ? text : text[..colon]).Trim().ToLowerInvariant();
        var kind = kindText switch
        {
            "uniform" => LabelNoiseKind.Uniform,
            "imbalance" => LabelNoiseKind.Imbalance,
            _ => throw new InvalidParameterException("--noise", $"unknown label noise '{spec}'; use uniform:P (flip a fraction P of the labels) or imbalance:R (majority share R of a binary task)."),
        };
        if (colon < 0 || !double.TryParse(text[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double level))
            throw new InvalidParameterException("--noise", $"'{spec}' needs a number after the colon, e.g. {kindText}:{(kind == LabelNoiseKind.Uniform ? "0.4" : "0.995")}.");
        var noise = new LabelNoise(kind, level);
        noise.Validate();
        return noise;
    }

    /// <summary>Checks the level's range.</summary>
    /// <exception cref="InvalidParameterException">P outside [0, 1) or R outside [0.5, 1).</exception>
    public void Validate()
    {
        if (Kind == LabelNoiseKind.Uniform && !(Level >= 0 && Level < 1))
            throw new InvalidParameterException("--noise", $"the flip fraction P of uniform:P must lie in [0, 1), got {Level.ToString(CultureInfo.InvariantCulture)}.");
        if (Kind == LabelNoiseKind.Imbalance && !(Level >= 0.5 && Level < 1))
            throw new InvalidParameterException("--noise", $"the majority share R of imbalance:R must lie in [0.5, 1), got {Level.ToString(CultureInfo.InvariantCulture)}.");
    }

    /// <summary>
    /// Draws the clean validation set from <paramref name="pool"/>, removes it, and corrupts the rest.
    /// </summary>
    /// <param name="pool">The uncorrupted training data (classification).</param>
    /// <param name="cleanValidation">N ≥ 1, the size of the clean validation set.</param>
    /// <param name="seed">Fixes the validation draw, the flipped samples and their new labels, or the kept minority samples.</param>
    /// <param name="classes">Imbalance only: (majority, minority) classes of <paramref name="pool"/>; default (9, 4) with ten or more
    /// classes (Ren et al.'s MNIST pair), else (0, 1).</param>
    /// <exception cref="InvalidParameterException">N is not positive, larger than the pool or than a class allows, or the classes are invalid.</exception>
    public NoisyLabelSplit Apply(Dataset pool, int cleanValidation, int seed, (int Majority, int Minority)? classes = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        Validate();
        if (pool.Task != LearningTask.Classification)
            throw new InvalidParameterException("--data", $"label noise needs class labels; '{pool.Name}' is a regression set.");
        if (pool.ClassCount < 2)
            throw new InvalidParameterException("--data", $"'{pool.Name}' has one class; label noise needs at least two.");
        if (cleanValidation < 1)
            throw new InvalidParameterException("--clean-validation", $"must be at least 1, got {cleanValidation}.");
        int[]? kept = null;
        var source = Identity(pool.Count);
        if (Kind == LabelNoiseKind.Imbalance)
        {
            var (major, minor) = classes ?? (pool.ClassCount >= 10 ? (9, 4) : (0, 1));
            if ((uint)major >= (uint)pool.ClassCount || (uint)minor >= (uint)pool.ClassCount || major == minor)
                throw new InvalidParameterException("--classes", $"needs two different classes in [0, {pool.ClassCount}), got {major},{minor}.");
            kept = [major, minor];
            source = source.Where(i => pool.Label(i) == major || pool.Label(i) == minor).ToArray();
            pool = pool.ClassesFilter(major, minor);
        }
        if (cleanValidation >= pool.Count)
            throw new InvalidParameterException("--clean-validation", $"{cleanValidation} clean validation samples leave no training samples: the pool holds {pool.Count}; use a smaller N or more data.");

        var rng = new Random(seed);
        var validation = BalancedDraw(pool, cleanValidation, rng);
        var isValidation = new bool[pool.Count];
        foreach (int i in validation) isValidation[i] = true;
        var rest = Enumerable.Range(0, pool.Count).Where(i => !isValidation[i]).ToArray();

        if (Kind == LabelNoiseKind.Imbalance)
        {
            var majority = rest.Where(i => pool.Label(i) == 0).ToArray();
            var minority = rest.Where(i => pool.Label(i) == 1).ToArray();
            int m = (int)Math.Round(majority.Length * (1 - Level) / Level);
            if (m < 1 || m > minority.Length)
                throw new InvalidParameterException("--noise", $"imbalance:{Level.ToString(CultureInfo.InvariantCulture)} with {majority.Length} majority samples needs {m} minority samples but {minority.Length} are available; use more data or another R.");
            Dataset.Shuffle(minority, rng);
            rest = majority.Concat(minority[..m]).Order().ToArray();
        }

        var clean = pool.Subset(rest);
        var trueLabels = clean.Labels.ToArray();
        var corrupted = new bool[clean.Count];
        Dataset train = clean;
        if (Kind == LabelNoiseKind.Uniform && Level > 0)
        {
            (train, var flipped) = clean.WithNoisyLabels(Level, rng.Next());
            foreach (int i in flipped) corrupted[i] = true;
        }
        return new NoisyLabelSplit(this, train, pool.Subset(validation).Renamed(pool.Name + "-clean-validation"),
            trueLabels, corrupted, rest.Select(i => source[i]).ToArray(), kept);
    }

    // N indices drawn class-balanced from the data, in the order drawn.
    private static int[] BalancedDraw(Dataset data, int n, Random rng)
    {
        int classes = data.ClassCount;
        var members = new List<int>[classes];
        for (int c = 0; c < classes; c++) members[c] = [];
        for (int i = 0; i < data.Count; i++) members[data.Label(i)].Add(i);
        var drawn = new List<int>(n);
        for (int c = 0; c < classes; c++)
        {
            int quota = n / classes + (c < n % classes ? 1 : 0);
            if (quota > members[c].Count)
                throw new InvalidParameterException("--clean-validation", $"{n} class-balanced samples need {quota} of class {c}, but the pool holds {members[c].Count}; use a smaller N or more data.");
            var idx = members[c].ToArray();
            Dataset.Shuffle(idx, rng);
            drawn.AddRange(idx[..quota]);
        }
        return drawn.ToArray();
    }

    private static int[] Identity(int n)
    {
        var a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }
}

/// <summary>The result of <see cref="LabelNoise.Apply"/>: a corrupted training set, a clean validation set, and what was corrupted.</summary>
/// <param name="Noise">The corruption applied.</param>
/// <param name="Train">The training set with its (possibly wrong) labels.</param>
/// <param name="Validation">The clean validation set (imbalance: binary, labels 0 = majority, 1 = minority).</param>
/// <param name="TrueLabels">The correct label of every training sample.</param>
/// <param name="Corrupted">Whether each training sample's label was changed.</param>
/// <param name="SourceIndices">Index of each training sample in the pool given to <see cref="LabelNoise.Apply"/>.</param>
/// <param name="Classes">Imbalance: the pool's (majority, minority) classes now labelled 0 and 1; null otherwise.</param>
public sealed record NoisyLabelSplit(LabelNoise Noise, Dataset Train, Dataset Validation, int[] TrueLabels, bool[] Corrupted,
    int[] SourceIndices, int[]? Classes)
{
    /// <summary>Number of training samples whose label was changed.</summary>
    public int CorruptedCount => Corrupted.Count(c => c);

    /// <summary>A test set on the same task: filtered to the two classes and relabelled for imbalance, unchanged otherwise.</summary>
    public Dataset PrepareTest(Dataset test)
    {
        ArgumentNullException.ThrowIfNull(test);
        return Classes is null ? test : test.ClassesFilter(Classes);
    }
}
