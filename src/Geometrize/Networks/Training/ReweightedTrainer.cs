using System.Diagnostics;
using System.Numerics;
using Geometrize.Autodiff;
using Geometrize.Networks.Data;
using Geometrize.Networks.Models;
using Geometrize.Networks.Optimizers;

namespace Geometrize.Networks.Training;

/// <summary>Settings of learned example weights (see <see cref="LearnedExampleWeights{T}"/>).</summary>
public sealed record ReweightingSettings
{
    /// <summary>Exact one-step meta-gradient (default) or its first-order form.</summary>
    public MetaGradientMethod Method { get; init; } = MetaGradientMethod.Exact;

    /// <summary>
    /// α of the look-ahead step; NaN (default) takes the training learning rate. At ε = 0 the normalised weights do not
    /// depend on α (u scales with it), so it matters only for the first-order comparison away from ε = 0.
    /// </summary>
    public double LookAheadRate { get; init; } = double.NaN;

    /// <summary>Clean validation samples per step: 0 (default) uses the whole clean validation set every step, as Ren et al. do with their small sets.</summary>
    public int ValidationBatch { get; init; }

    /// <summary>Checks every value.</summary>
    /// <exception cref="InvalidParameterException">A value out of range.</exception>
    public void Validate()
    {
        if (!double.IsNaN(LookAheadRate) && !(LookAheadRate > 0 && double.IsFinite(LookAheadRate)))
            throw new InvalidParameterException("--lookahead-lr", $"must be positive and finite, got {LookAheadRate}.");
        if (ValidationBatch < 0) throw new InvalidParameterException("--validation-batch", $"must be 0 (all) or positive, got {ValidationBatch}.");
    }
}

/// <summary>The outcome of <see cref="ReweightedTrainer{T}.Train"/>.</summary>
/// <param name="Training">Per-epoch history (loss: mean unweighted cross-entropy against the training labels as given).</param>
/// <param name="MeanWeights">Per training sample, the mean learned weight it received in the last epoch (NaN if not drawn
/// then); each batch's weights sum to 1, so the uniform weight is 1/|batch|. Null without reweighting.</param>
/// <param name="Steps">Mini-batch steps taken (updates plus skipped ones).</param>
/// <param name="SkippedSteps">Steps whose weights were all zero, so that no update was made.</param>
public sealed record ReweightedTrainingResult(TrainingResult Training, double[]? MeanWeights, int Steps, int SkippedSteps);

/// <summary>
/// Mini-batch training of a classifier with either uniform example weights (the ordinary mean loss, as
/// <see cref="Trainer{T}"/>) or weights learned each step from a clean validation set (Ren et al. 2018): meta-gradient,
/// weights, then the SGD/Adam step on Σ_i w_i ℓ_i. The batch order depends only on the seed and the training set's
/// size, so a plain and a reweighted run on the same set see the same batches from the same initial weights.
/// </summary>
public sealed class ReweightedTrainer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Prepares training; <paramref name="reweighting"/> null trains with uniform weights.</summary>
    /// <exception cref="InvalidParameterException">Invalid settings, L-BFGS, or the continuous adjoint (reweighting differentiates through back-propagation).</exception>
    public ReweightedTrainer(IModel<T> model, TrainingSettings settings, ReweightingSettings? reweighting = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckSettings(settings, reweighting);
        Model = model;
        Settings = settings;
        Reweighting = reweighting;
    }

    /// <summary>Checks the settings as the constructor does, before any model exists (command-line validation).</summary>
    /// <exception cref="InvalidParameterException">Invalid settings, L-BFGS, or the continuous adjoint.</exception>
    public static void CheckSettings(TrainingSettings settings, ReweightingSettings? reweighting)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        reweighting?.Validate();
        if (settings.Optimizer == OptimizerKind.Lbfgs)
            throw new InvalidParameterException("--optimizer", "example reweighting works on mini-batches; use sgd or adam, not lbfgs.");
        if (settings.Gradient == GradientMethod.Continuous)
            throw new InvalidParameterException("--adjoint", "example reweighting differentiates through back-propagation; use --adjoint discrete.");
    }

    /// <summary>The model trained in place.</summary>
    public IModel<T> Model { get; }
    /// <summary>Optimiser, epochs, batch size, seed.</summary>
    public TrainingSettings Settings { get; }
    /// <summary>Reweighting settings, or null for uniform weights.</summary>
    public ReweightingSettings? Reweighting { get; }

    /// <summary>Raised after every epoch with its record (evaluation done).</summary>
    public event Action<EpochRecord>? EpochCompleted;

    /// <summary>Trains for <see cref="TrainingSettings.Epochs"/> epochs.</summary>
    /// <param name="train">Training set (normalised, classification).</param>
    /// <param name="validation">Clean validation set (normalised); required with reweighting.</param>
    /// <param name="test">Optional test set, evaluated after each epoch.</param>
    /// <param name="stepsPerEpoch">Mini-batches per epoch; 0 = one pass over <paramref name="train"/>. A larger number
    /// cycles through further shuffled passes (to give a small set as many updates as a large one).</param>
    /// <param name="progress">Receives a report after every mini-batch.</param>
    /// <param name="cancellation">Checked between mini-batches.</param>
    /// <exception cref="InvalidParameterException">Data that do not fit the model, a missing validation set, or a NaN loss.</exception>
    public ReweightedTrainingResult Train(Dataset train, Dataset? validation, Dataset? test = null, int stepsPerEpoch = 0,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        CheckFits(train, "training");
        if (test != null) CheckFits(test, "test");
        if (Reweighting != null)
        {
            if (validation == null) throw new InvalidParameterException("--clean-validation", "learned example weights need a clean validation set.");
            CheckFits(validation, "validation");
        }
        if (stepsPerEpoch < 0) throw new InvalidParameterException("stepsPerEpoch", $"must be 0 (one pass) or positive, got {stepsPerEpoch}.");
        var clock = Stopwatch.StartNew();
        var parameters = Model.Parameters;
        foreach (var p in parameters) p.RequiresGrad = true;
        Optimizer<T> optimizer = Settings.Optimizer == OptimizerKind.Sgd
            ? new Sgd<T>(parameters, Settings.LearningRate, Settings.Momentum, weightDecay: Settings.WeightDecay)
            : new Adam<T>(parameters, Settings.LearningRate, weightDecay: Settings.WeightDecay, decoupledWeightDecay: true);
        var meta = Reweighting == null ? null : new LearnedExampleWeights<T>(Model,
            double.IsNaN(Reweighting.LookAheadRate) ? Settings.LearningRate : Reweighting.LookAheadRate, Reweighting.Method);
        var validationPicker = meta == null ? null : new ValidationBatches(validation!, Reweighting!.ValidationBatch, Settings.Seed);

        int size = Math.Min(Settings.BatchSize, train.Count);
        int perEpoch = stepsPerEpoch > 0 ? stepsPerEpoch : train.BatchCount(size);
        using var batches = Endless(train, size, new Random(Settings.Seed)).GetEnumerator();
        var weightSum = meta == null ? null : new double[train.Count];
        var weightCount = meta == null ? null : new int[train.Count];
        var history = new List<EpochRecord>();
        int steps = 0, skipped = 0;
        for (int epoch = 1; epoch <= Settings.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            if (weightSum != null) { Array.Clear(weightSum); Array.Clear(weightCount!); }
            double lossSum = 0;
            int seen = 0;
            for (int s = 0; s < perEpoch; s++)
            {
                cancellation.ThrowIfCancellationRequested();
                batches.MoveNext();
                var batch = batches.Current;
                var x = Trainer<T>.Inputs(batch.FeatureRows, batch.Count, train.FeatureDimension);
                var labels = batch.BatchLabels.ToArray();
                optimizer.ZeroGrad();
                double value;
                if (meta == null)
                {
                    var loss = Model.Forward(x, training: true).CrossEntropy(labels);
                    loss.Backward();
                    optimizer.Step();
                    value = double.CreateTruncating(loss.Item());
                }
                else
                {
                    var (vx, vy) = validationPicker!.Next();
                    var step = meta.Compute(x, labels, vx, vy, training: true);
                    value = 0;
                    foreach (var l in step.Losses.Data) value += double.CreateTruncating(l);
                    value /= batch.Count;
                    var idx = batch.BatchIndices;
                    for (int i = 0; i < batch.Count; i++) { weightSum![idx[i]] += step.Weights[i]; weightCount![idx[i]]++; }
                    if (step.Weights.All(w => w == 0)) skipped++;
                    else
                    {
                        var w = new T[batch.Count];
                        for (int i = 0; i < w.Length; i++) w[i] = T.CreateChecked(step.Weights[i]);
                        (step.Losses * Tensor<T>.FromArray([batch.Count], w)).Sum().Backward();
                        optimizer.Step();
                    }
                }
                steps++;
                lossSum += value * batch.Count;
                seen += batch.Count;
                progress?.Report(new TrainingProgress(epoch, Settings.Epochs, s + 1, perEpoch, value, clock.Elapsed));
            }
            double seconds = epochClock.Elapsed.TotalSeconds;
            double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            double epochLoss = lossSum / seen;
            if (!double.IsFinite(epochLoss))
                throw new InvalidParameterException("--lr", $"the training loss became {epochLoss} in epoch {epoch}; lower the learning rate (now {Settings.LearningRate}).");
            history.Add(new EpochRecord(epoch, epochLoss, Trainer<T>.Accuracy(Model, train),
                test != null ? Trainer<T>.Accuracy(Model, test) : double.NaN, seconds, cpuSeconds));
            EpochCompleted?.Invoke(history[^1]);
        }
        double[]? mean = null;
        if (weightSum != null)
        {
            mean = new double[train.Count];
            for (int i = 0; i < mean.Length; i++) mean[i] = weightCount![i] > 0 ? weightSum[i] / weightCount[i] : double.NaN;
        }
        return new ReweightedTrainingResult(new TrainingResult(history, clock.Elapsed.TotalSeconds), mean, steps, skipped);
    }

    // Shuffled passes one after another; the generator's draws are those of Trainer's epochs.
    private static IEnumerable<Batch> Endless(Dataset train, int size, Random shuffle)
    {
        var buffer = new Batch(train, size);
        while (true)
            foreach (var b in train.Batches(size, shuffle, buffer)) yield return b;
    }

    private void CheckFits(Dataset data, string which)
    {
        if (data.Task != LearningTask.Classification)
            throw new InvalidParameterException("--data", $"example reweighting needs a classification set; the {which} set '{data.Name}' is a regression set.");
        var arch = Model.Architecture;
        if (data.FeatureDimension != arch.InputDimension)
            throw new InvalidParameterException("--data", $"the {which} set '{data.Name}' has {data.FeatureDimension} features but the model takes {arch.InputDimension}.");
        if (data.ClassCount != arch.OutputDimension)
            throw new InvalidParameterException("--data", $"the {which} set '{data.Name}' needs {data.ClassCount} outputs but the model has {arch.OutputDimension}.");
        if (data.Count == 0) throw new InvalidParameterException("--data", $"the {which} set '{data.Name}' is empty.");
    }

    // The clean validation batch of each step: the whole set as one fixed tensor, or random batches from their own generator
    // (so that reweighting does not change the training batch order).
    private sealed class ValidationBatches
    {
        private readonly Dataset _data;
        private readonly int _size;
        private readonly Random _rng;
        private readonly Tensor<T>? _allX;
        private readonly int[]? _allY;

        public ValidationBatches(Dataset data, int size, int seed)
        {
            _data = data;
            _size = size <= 0 || size >= data.Count ? data.Count : size;
            _rng = new Random(unchecked(seed * 7919 + 17));
            if (_size != data.Count) return;
            _allX = Trainer<T>.Inputs(data.Features, data.Count, data.FeatureDimension);
            _allY = data.Labels.ToArray();
        }

        public (Tensor<T> X, int[] Y) Next()
        {
            if (_allX != null) return (_allX, _allY!);
            var idx = Dataset.Permutation(_data.Count, _rng)[.._size];
            var x = new T[_size * _data.FeatureDimension];
            _data.Gather<T>(idx, x);
            return (Tensor<T>.FromArray([_size, _data.FeatureDimension], x), idx.Select(_data.Label).ToArray());
        }
    }
}
