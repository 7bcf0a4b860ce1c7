using System.Diagnostics;
using System.Numerics;
using Geometrize.Autodiff;
using Geometrize.Networks.Data;
using Geometrize.Networks.Models;
using Geometrize.Networks.Optimizers;

namespace Geometrize.Networks.Training;

/// <summary>One row of the training history.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Loss">Mean training objective over the epoch's mini-batches (training mode; data loss plus the kinetic-energy term when that is on), or the last L-BFGS loss.</param>
/// <param name="TrainAccuracy">Accuracy on the training set after the epoch (evaluation mode); NaN for regression.</param>
/// <param name="TestAccuracy">Accuracy on the test set; NaN for regression or without a test set.</param>
/// <param name="Seconds">Training time of this epoch (wall clock), evaluation excluded.</param>
/// <param name="CpuSeconds">Processor time of the whole process (all threads) during the epoch's training pass: the robust figure on a loaded machine.</param>
public sealed record EpochRecord(int Epoch, double Loss, double TrainAccuracy, double TestAccuracy, double Seconds, double CpuSeconds = double.NaN);

/// <summary>Progress of a training run, reported after every mini-batch.</summary>
public readonly record struct TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss, TimeSpan Elapsed);

/// <summary>The outcome of <see cref="Trainer{T}.Train"/>.</summary>
/// <param name="History">One record per epoch.</param>
/// <param name="Seconds">Wall time of the whole run, evaluation included.</param>
public sealed record TrainingResult(IReadOnlyList<EpochRecord> History, double Seconds)
{
    /// <summary>The last epoch's record.</summary>
    public EpochRecord Final => History[^1];
}

/// <summary>
/// Mini-batch training of an <see cref="IModel{T}"/>: cross-entropy for classification sets, mean squared error for
/// regression sets; SGD, Adam or full-batch L-BFGS; back-propagation or (flow networks) the continuous adjoint.
/// Deterministic for a fixed seed and thread count.
/// </summary>
public sealed class Trainer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows per forward pass when evaluating.</summary>
    public const int EvaluationBatch = 1024;

    /// <summary>Prepares training of <paramref name="model"/> with <paramref name="settings"/>.</summary>
    /// <exception cref="InvalidParameterException">Invalid settings, or the continuous adjoint for a model that is not a flow network.</exception>
    public Trainer(IModel<T> model, TrainingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (settings.Gradient == GradientMethod.Continuous && model is not FlowNet<T>)
            throw new InvalidParameterException("--adjoint", $"the continuous adjoint needs a flow network (--model flownet), not {ModelArchitecture.KindName(model.Architecture.Kind)}.");
        if (settings.KineticEnergyWeight > 0 && model is not BlockNetwork<T>)
            throw new InvalidParameterException("--kinetic-energy", $"the kinetic-energy regulariser needs a flow or plain network (--model flownet or plainnet), not {ModelArchitecture.KindName(model.Architecture.Kind)}.");
        Model = model;
        Settings = settings;
    }

    /// <summary>
    /// The training objective for one batch: the data loss of <paramref name="output"/> plus, when
    /// <see cref="TrainingSettings.KineticEnergyWeight"/> is positive, W·½Σ_k h·E‖f_k‖² of the forward pass that produced it.
    /// </summary>
    private Tensor<T> Objective(Tensor<T> output, Batch batch, Dataset data)
    {
        var loss = Loss(output, batch, data);
        if (Settings.KineticEnergyWeight > 0)
            loss = loss + ((BlockNetwork<T>)Model).KineticEnergy() * T.CreateChecked(Settings.KineticEnergyWeight);
        return loss;
    }

    /// <summary>The model trained in place.</summary>
    public IModel<T> Model { get; }
    /// <summary>The settings.</summary>
    public TrainingSettings Settings { get; }

    /// <summary>Raised after every epoch with its record (evaluation done), e.g. to print a line per epoch.</summary>
    public event Action<EpochRecord>? EpochCompleted;

    /// <summary>Trains for <see cref="TrainingSettings.Epochs"/> epochs.</summary>
    /// <param name="train">Training set (already normalised); its task selects the loss.</param>
    /// <param name="test">Optional test set, evaluated after each epoch.</param>
    /// <param name="progress">Receives a report after every mini-batch.</param>
    /// <param name="cancellation">Checked between mini-batches; cancelling throws <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="InvalidParameterException">The data do not fit the model, or the loss became NaN.</exception>
    public TrainingResult Train(Dataset train, Dataset? test = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        CheckFits(train, "training");
        if (test != null) CheckFits(test, "test");
        var clock = Stopwatch.StartNew();
        var parameters = Model.Parameters;
        foreach (var p in parameters) p.RequiresGrad = true;
        Optimizer<T>? first = Settings.Optimizer switch
        {
            OptimizerKind.Sgd => new Sgd<T>(parameters, Settings.LearningRate, Settings.Momentum, weightDecay: Settings.WeightDecay),
            OptimizerKind.Adam => new Adam<T>(parameters, Settings.LearningRate, weightDecay: Settings.WeightDecay, decoupledWeightDecay: true),
            _ => null,
        };
        var lbfgs = first == null ? new Lbfgs<T>(parameters, Settings.LearningRate, maxIterations: Settings.LbfgsIterations) : null;
        var shuffle = new Random(Settings.Seed);
        var buffer = new Batch(train, Math.Min(Settings.BatchSize, train.Count));
        var history = new List<EpochRecord>();
        for (int epoch = 1; epoch <= Settings.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            double loss = lbfgs != null
                ? LbfgsEpoch(lbfgs, train, epoch, clock, progress, cancellation)
                : MiniBatchEpoch(first!, train, shuffle, buffer, epoch, clock, progress, cancellation);
            double seconds = epochClock.Elapsed.TotalSeconds;
            double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            if (!double.IsFinite(loss))
                throw new InvalidParameterException("--lr", $"the training loss became {loss} in epoch {epoch}; lower the learning rate (now {Settings.LearningRate}).");
            bool classify = train.Task == LearningTask.Classification;
            history.Add(new EpochRecord(epoch, loss,
                classify ? Accuracy(Model, train) : double.NaN,
                classify && test != null ? Accuracy(Model, test) : double.NaN,
                seconds, cpuSeconds));
            EpochCompleted?.Invoke(history[^1]);
        }
        return new TrainingResult(history, clock.Elapsed.TotalSeconds);
    }

    private double MiniBatchEpoch(Optimizer<T> optimizer, Dataset train, Random shuffle, Batch buffer, int epoch, Stopwatch clock,
        IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        int size = Math.Min(Settings.BatchSize, train.Count), batches = train.BatchCount(size);
        double sum = 0;
        foreach (var batch in train.Batches(size, shuffle, buffer))
        {
            cancellation.ThrowIfCancellationRequested();
            var x = Inputs(batch.FeatureRows, batch.Count, train.FeatureDimension);
            optimizer.ZeroGrad();
            Tensor<T> loss;
            if (Settings.Gradient == GradientMethod.Continuous)
            {
                loss = FlowNetAdjoint.ContinuousBackward((FlowNet<T>)Model, x, y => Loss(y, batch, train), training: true);
            }
            else
            {
                loss = Objective(Model.Forward(x, training: true), batch, train);
                loss.Backward();
            }
            optimizer.Step();
            double value = double.CreateTruncating(loss.Item());
            sum += value * batch.Count;
            progress?.Report(new TrainingProgress(epoch, Settings.Epochs, batch.Number + 1, batches, value, clock.Elapsed));
        }
        return sum / train.Count;
    }

    private double LbfgsEpoch(Lbfgs<T> lbfgs, Dataset train, int epoch, Stopwatch clock, IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        var all = new Batch(train, train.Count);
        var only = train.Batches(train.Count, null, all).First();
        var x = Inputs(only.FeatureRows, only.Count, train.FeatureDimension);
        T decay = T.CreateChecked(Settings.WeightDecay / 2);
        var result = lbfgs.Step(() =>
        {
            var loss = Objective(Model.Forward(x, training: true), only, train);
            if (Settings.WeightDecay > 0)
                foreach (var p in Model.Parameters) loss = loss + p.Square().Sum() * decay;
            return loss;
        });
        progress?.Report(new TrainingProgress(epoch, Settings.Epochs, 1, 1, result.Loss, clock.Elapsed));
        return result.Loss;
    }

    private static Tensor<T> Loss(Tensor<T> output, Batch batch, Dataset data)
    {
        if (data.Task == LearningTask.Classification) return output.CrossEntropy(batch.BatchLabels.ToArray());
        var target = new T[batch.Count * data.TargetDimension];
        var rows = batch.TargetRows;
        for (int i = 0; i < target.Length; i++) target[i] = T.CreateChecked(rows[i]);
        return output.Mse(new Tensor<T>([batch.Count, data.TargetDimension], target));
    }

    private void CheckFits(Dataset data, string which)
    {
        var arch = Model.Architecture;
        if (data.FeatureDimension != arch.InputDimension)
            throw new InvalidParameterException("--data", $"the {which} set '{data.Name}' has {data.FeatureDimension} features but the model takes {arch.InputDimension}.");
        int outputs = data.Task == LearningTask.Classification ? data.ClassCount : data.TargetDimension;
        if (outputs != arch.OutputDimension)
            throw new InvalidParameterException("--data", $"the {which} set '{data.Name}' needs {outputs} outputs but the model has {arch.OutputDimension}.");
        if (data.Count == 0) throw new InvalidParameterException("--data", $"the {which} set '{data.Name}' is empty.");
    }

    /// <summary>Converts <paramref name="count"/> feature rows to a tensor [count, features].</summary>
    public static Tensor<T> Inputs(ReadOnlySpan<float> rows, int count, int features)
    {
        var data = new T[count * features];
        for (int i = 0; i < data.Length; i++) data[i] = T.CreateChecked(rows[i]);
        return new Tensor<T>([count, features], data);
    }

    /// <summary>Model outputs in evaluation mode for <paramref name="count"/> rows [count, features], computed in chunks without recording.</summary>
    public static T[] Predict(IModel<T> model, ReadOnlySpan<float> rows, int count)
    {
        ArgumentNullException.ThrowIfNull(model);
        int features = model.Architecture.InputDimension, outputs = model.Architecture.OutputDimension;
        if (rows.Length != count * features)
            throw new InvalidParameterException("rows", $"expected {count} rows of {features} features, got {rows.Length} values.");
        var result = new T[count * outputs];
        using var _ = Autograd.NoGrad();
        for (int start = 0; start < count; start += EvaluationBatch)
        {
            int n = Math.Min(EvaluationBatch, count - start);
            var y = model.Forward(Inputs(rows.Slice(start * features, n * features), n, features), training: false);
            y.Data.AsSpan(0, n * outputs).CopyTo(result.AsSpan(start * outputs));
        }
        return result;
    }

    /// <summary>Predicted class (arg-max of the outputs) of every row.</summary>
    public static int[] Classify(IModel<T> model, ReadOnlySpan<float> rows, int count)
    {
        var y = Predict(model, rows, count);
        int c = model.Architecture.OutputDimension;
        var classes = new int[count];
        for (int i = 0; i < count; i++)
        {
            int best = 0;
            for (int j = 1; j < c; j++) if (y[i * c + j] > y[i * c + best]) best = j;
            classes[i] = best;
        }
        return classes;
    }

    /// <summary>Fraction of rows of a classification set whose predicted class equals the label (evaluation mode).</summary>
    public static double Accuracy(IModel<T> model, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var predicted = Classify(model, data.Features, data.Count);
        var labels = data.Labels;
        int correct = 0;
        for (int i = 0; i < predicted.Length; i++) if (predicted[i] == labels[i]) correct++;
        return (double)correct / data.Count;
    }
}
