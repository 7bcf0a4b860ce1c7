namespace Geometrize.Numerics;

/// <summary>
/// Process-wide threading settings for every kernel. Results are deterministic for a fixed
/// <see cref="MaxDegreeOfParallelism"/>: reductions are split into a fixed number of chunks, not by thread timing.
/// </summary>
public static class Parallelism
{
    private static int _maxDegree = Environment.ProcessorCount;

    /// <summary>Maximum number of threads a kernel may use (default: the number of processors).</summary>
    public static int MaxDegreeOfParallelism
    {
        get => _maxDegree;
        set
        {
            if (value < 1) throw new InvalidParameterException("threads", $"must be at least 1, got {value}.");
            _maxDegree = value;
        }
    }

    /// <summary>Options for <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> honouring the setting.</summary>
    public static ParallelOptions Options => new() { MaxDegreeOfParallelism = _maxDegree };

    /// <summary>
    /// Runs <paramref name="body"/> over [0, count) split into contiguous chunks, in parallel when the work
    /// (count × <paramref name="costPerItem"/>) is large enough to pay for the threads.
    /// </summary>
    /// <param name="count">Number of items (lines, planes, voxels).</param>
    /// <param name="costPerItem">Rough cost of one item in elementary operations; small loops run inline.</param>
    /// <param name="body">Called as body(start, end) for each chunk.</param>
    public static void For(int count, long costPerItem, Action<int, int> body)
    {
        if (count <= 0) return;
        int degree = _maxDegree;
        long work = count * Math.Max(1, costPerItem);
        if (degree == 1 || count == 1 || work < 32_768)
        {
            body(0, count);
            return;
        }
        RunChunks(count, degree, body);
    }

    // Separate from For so that the closure below is allocated only on the parallel path: captured parameters
    // make C# allocate the closure at method entry, which would cost every inline call an allocation.
    private static void RunChunks(int count, int degree, Action<int, int> body)
    {
        int chunks = Math.Min(count, degree * 4);
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = degree }, c =>
        {
            int start = (int)((long)count * c / chunks);
            int end = (int)((long)count * (c + 1) / chunks);
            if (end > start) body(start, end);
        });
    }
}
