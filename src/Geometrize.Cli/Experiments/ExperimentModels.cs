using Geometrize.Analysis;
using Geometrize.Cli.Commands;
using Geometrize.Networks.Data;
using Geometrize.Networks.Models;
using Geometrize.Networks.Training;

namespace Geometrize.Cli.Experiments;

/// <summary>Data, training and measurement steps that every experiment repeats.</summary>
public static class ExperimentModels
{
    /// <summary>
    /// Training and test sets, standardised with training statistics: <c>--data</c> when given, else the generated set
    /// <paramref name="defaultName"/>; <paramref name="trainCount"/>/<paramref name="testCount"/> unless
    /// <c>--train-limit</c>/<c>--test-limit</c> say otherwise. The data seed is fixed (0), so every run sees the same data.
    /// </summary>
    /// <exception cref="InvalidParameterException">The data cannot be loaded (message names <c>--data</c>), or there is no test set.</exception>
    public static (Dataset Train, Dataset Test, string Name) LoadData(ExperimentContext context, string defaultName, int trainCount, int testCount)
    {
        var args = context.Arguments;
        var (train, test, name) = NetTrain.LoadData(context.DataSpec ?? defaultName, args, 0, context.Usage,
            args.Has("train-limit") ? null : trainCount, args.Has("test-limit") ? null : testCount);
        if (train.Task != LearningTask.Classification)
            throw new InvalidParameterException("--data", $"the experiments need a classification set; '{name}' is a regression set.");
        if (test == null || test.Count == 0)
            throw new InvalidParameterException("--test-limit", "the experiments compare training and test accuracy; give a test set (--test-limit above 0).");
        var normalization = Normalization.Fit(train);
        return (normalization.Apply(train), normalization.Apply(test), name);
    }

    /// <summary>Builds the model from <paramref name="architecture"/> (float32) and trains it.</summary>
    public static (IModel<float> Model, TrainingResult Result) Train(ModelArchitecture architecture, TrainingSettings settings,
        Dataset train, Dataset test, CancellationToken cancellation)
    {
        var model = architecture.Create<float>();
        var result = new Trainer<float>(model, settings).Train(train, test, null, cancellation);
        return (model, result);
    }

    /// <summary>
    /// A double-precision copy of <paramref name="model"/> (same architecture, weights and batch-norm statistics): the
    /// Hessian tools difference gradients and need more than float32's accuracy.
    /// </summary>
    public static IModel<double> ToDouble(IModel<float> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var copy = model.Architecture.Create<double>();
        var from = model.State;
        var to = copy.State;
        for (int i = 0; i < from.Count; i++)
        {
            var source = from[i].Tensor.Data;
            var target = to[i].Tensor.Data;
            for (int j = 0; j < source.Length; j++) target[j] = source[j];
        }
        return copy;
    }

    /// <summary>Runs <see cref="NetworkGeometry.Analyze{T}"/> on a double copy of the model, in evaluation mode.</summary>
    public static GeometryReport Measure(IModel<float> model, Dataset data, GeometryOptions options) =>
        NetworkGeometry.Analyze(ToDouble(model), data, options);

    /// <summary>Geometry options that measure only the trajectory and Jacobian (the Hessian and its spectrum skipped).</summary>
    public static GeometryOptions TrajectoryOnly(int jacobianSamples, int seed) => new()
    {
        TopEigenvalues = 0, Probes = 0, LanczosSteps = 0, JacobianSamples = jacobianSamples, FisherRaoModelSamples = 1,
        ProjectedPaths = 0, Seed = seed,
    };
}
