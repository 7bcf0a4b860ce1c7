namespace Geometrize.Networks.Data;

/// <summary>
/// A reusable mini-batch buffer: <see cref="Dataset.Batches"/> refills the same instance for every batch, so an
/// epoch allocates nothing per batch. Arrays are sized for a full batch; only the first <see cref="Count"/> rows
/// are valid (the last batch of an epoch may be smaller).
/// </summary>
public sealed class Batch
{
    /// <summary>Allocates a buffer for batches of up to <paramref name="capacity"/> samples of <paramref name="dataset"/>.</summary>
    public Batch(Dataset dataset, int capacity)
    {
        if (capacity < 1) throw new InvalidParameterException("batch", $"batch size must be at least 1, got {capacity}.");
        Capacity = capacity;
        FeatureDimension = dataset.FeatureDimension;
        TargetDimension = dataset.TargetDimension;
        Indices = new int[capacity];
        Features = new float[(long)capacity * dataset.FeatureDimension];
        Labels = dataset.Task == LearningTask.Classification ? new int[capacity] : [];
        Targets = dataset.Task == LearningTask.Regression ? new float[(long)capacity * dataset.TargetDimension] : [];
    }

    /// <summary>Largest number of samples the buffer holds.</summary>
    public int Capacity { get; }

    /// <summary>Number of valid samples in the current batch.</summary>
    public int Count { get; internal set; }

    /// <summary>Index of the batch within the epoch (0, 1, ...).</summary>
    public int Number { get; internal set; }

    /// <summary>Features per sample.</summary>
    public int FeatureDimension { get; }

    /// <summary>Target length per sample (regression), 0 for classification.</summary>
    public int TargetDimension { get; }

    /// <summary>Dataset indices of the samples in the batch (first <see cref="Count"/> valid).</summary>
    public int[] Indices { get; }

    /// <summary>Row-major features, Capacity × FeatureDimension (first Count rows valid).</summary>
    public float[] Features { get; }

    /// <summary>Labels (classification; empty for regression).</summary>
    public int[] Labels { get; }

    /// <summary>Row-major targets (regression; empty for classification).</summary>
    public float[] Targets { get; }

    /// <summary>The valid feature rows of the current batch.</summary>
    public ReadOnlySpan<float> FeatureRows => Features.AsSpan(0, Count * FeatureDimension);

    /// <summary>The valid labels of the current batch.</summary>
    public ReadOnlySpan<int> BatchLabels => Labels.AsSpan(0, Labels.Length == 0 ? 0 : Count);

    /// <summary>The valid target rows of the current batch.</summary>
    public ReadOnlySpan<float> TargetRows => Targets.AsSpan(0, Count * TargetDimension);

    /// <summary>The valid indices of the current batch.</summary>
    public ReadOnlySpan<int> BatchIndices => Indices.AsSpan(0, Count);
}

public sealed partial class Dataset
{
    /// <summary>
    /// One epoch of mini-batches. With <paramref name="shuffle"/> the order is a fresh permutation drawn from that
    /// generator (pass one seeded <see cref="Random"/> for the whole run, so epochs differ but runs repeat); without
    /// it samples come in order. The yielded <see cref="Batch"/> is the same object every time, refilled in place:
    /// copy out what must outlive the next iteration.
    /// </summary>
    /// <param name="batchSize">Samples per batch; the last batch holds the remainder.</param>
    /// <param name="shuffle">Generator for the order, or null for the stored order.</param>
    /// <param name="buffer">A buffer to reuse across epochs; allocated when null.</param>
    public IEnumerable<Batch> Batches(int batchSize, Random? shuffle = null, Batch? buffer = null)
    {
        if (batchSize < 1) throw new InvalidParameterException("batch", $"batch size must be at least 1, got {batchSize}.");
        if (buffer != null && (buffer.Capacity < batchSize || buffer.FeatureDimension != FeatureDimension || buffer.TargetDimension != TargetDimension))
            throw new ArgumentException("the buffer was made for another dataset shape or a smaller batch size.", nameof(buffer));
        return BatchesIterator(batchSize, shuffle, buffer ?? new Batch(this, batchSize));
    }

    /// <summary>Number of batches <see cref="Batches"/> yields per epoch.</summary>
    public int BatchCount(int batchSize) => (Count + batchSize - 1) / batchSize;

    private IEnumerable<Batch> BatchesIterator(int batchSize, Random? shuffle, Batch batch)
    {
        int[]? order = shuffle == null ? null : Permutation(Count, shuffle);
        for (int start = 0, number = 0; start < Count; start += batchSize, number++)
        {
            Fill(batch, order, start, Math.Min(batchSize, Count - start), number);
            yield return batch;
        }
    }

    private void Fill(Batch batch, int[]? order, int start, int n, int number)
    {
        Span<int> idx = batch.Indices.AsSpan(0, n);
        if (order != null) order.AsSpan(start, n).CopyTo(idx);
        else for (int k = 0; k < n; k++) idx[k] = start + k;
        Gather(idx, batch.Features.AsSpan());
        if (_labels != null)
            for (int k = 0; k < n; k++) batch.Labels[k] = _labels[idx[k]];
        else
            GatherTargets(idx, batch.Targets.AsSpan());
        batch.Count = n;
        batch.Number = number;
    }
}
