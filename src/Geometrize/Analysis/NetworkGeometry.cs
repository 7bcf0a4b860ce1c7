using System.Diagnostics;
using System.Numerics;
using Geometrize.Autodiff;
using Geometrize.Networks.Data;
using Geometrize.Networks.Models;

namespace Geometrize.Analysis;

/// <summary>
/// The paper's geometric measures of one trained network on one (normalised) data subset, gathered in a
/// <see cref="GeometryReport"/>: trajectory and parameter-curve measures (block networks), the Jacobian of the
/// flow map, the Fisher–Rao norms (classifiers), and the Hessian of the training loss (top eigenvalues, trace,
/// spectral density).
/// </summary>
/// <remarks>
/// <para>Everything runs in evaluation mode (batch norm uses its running statistics), so the rows of a batch are
/// independent and the loss is the one the trained network actually computes at test time.</para>
/// <para>Which map the Jacobian differentiates depends on the model: for FlowNet and PlainNet the flow map
/// x_0 → x_N between the lift and the head (square, so log|det| is defined); for an MLP or logistic regression,
/// which have no flow, the whole network map input → outputs.</para>
/// <para>The step h of a PlainNet is the same 1/N as for a FlowNet, so its speeds are displacement × N and the two
/// are comparable; a plain layer replaces x rather than moving it, so its "speed" is mostly the state's size.</para>
/// </remarks>
public static class NetworkGeometry
{
    /// <summary>Measures <paramref name="model"/> on <paramref name="data"/> (already normalised as the model expects).</summary>
    /// <param name="model">A trained FlowNet, PlainNet, MLP or logistic regression.</param>
    /// <param name="data">The subset (every sample is used; the Jacobian uses the first <see cref="GeometryOptions.JacobianSamples"/>).</param>
    /// <param name="options">Counts and seed.</param>
    /// <param name="log">Receives one line at the start of each stage (the long parts), or null.</param>
    /// <exception cref="InvalidParameterException">Empty data, data whose feature or output size differs from the model's, or bad options.</exception>
    public static GeometryReport Analyze<T>(IModel<T> model, Dataset data, GeometryOptions options, Action<string>? log = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckFits(model, data);
        int n = data.Count, d = data.FeatureDimension;
        var values = new T[n * d];
        var features = data.Features;
        for (int i = 0; i < values.Length; i++) values[i] = T.CreateChecked(features[i]);
        var x = Tensor<T>.FromArray([n, d], values);
        bool classify = data.Task == LearningTask.Classification;
        int[]? labels = classify ? data.Labels.ToArray() : null;
        Tensor<T>? targets = null;
        if (!classify)
        {
            var t = new T[n * data.TargetDimension];
            var rows = data.Targets;
            for (int i = 0; i < t.Length; i++) t[i] = T.CreateChecked(rows[i]);
            targets = new Tensor<T>([n, data.TargetDimension], t);
        }
        var seconds = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        void Stage(string name, string text)
        {
            seconds[name] = 0;
            log?.Invoke(text);
            clock.Restart();
        }
        void Done(string name) => seconds[name] = clock.Elapsed.TotalSeconds;

        TrajectoryReport? trajectory = null;
        ParameterCurveReport? curve = null;
        (double X, double Y)[][]? paths = null;
        int[]? pathSamples = null;
        bool identity = false;
        Func<Tensor<T>, Tensor<T>> jacobianMap;
        Tensor<T> jacobianInputs = x;
        int jacobianWidth = d;
        string mapName;
        if (model is BlockNetwork<T> net)
        {
            Stage("trajectory", $"trajectories of {n} samples through {net.Depth} blocks");
            Tensor<T>[] states;
            using (Autograd.NoGrad()) states = net.Trajectory(x, training: false);
            double h = double.CreateChecked(net.StepSize);
            trajectory = TrajectoryMeasures.OfStates(states, h);
            var blocks = new T[net.Depth][];
            for (int k = 0; k < net.Depth; k++) blocks[k] = net.BlockParameters(k).SelectMany(p => p.Data).ToArray();
            curve = TrajectoryMeasures.OfParameters(blocks, h);
            int count = Math.Min(options.ProjectedPaths, n);
            // Evenly spaced samples, so that data sorted by class still shows every class.
            pathSamples = Enumerable.Range(0, count).Select(i => (int)((long)i * n / count)).ToArray();
            (paths, identity) = Project(states, net.Architecture.Width, pathSamples, options.Seed);
            Done("trajectory");
            // The flow map starts after the lift: its inputs are the states x_0, so J is square (width × width).
            jacobianMap = s =>
            {
                for (int k = 0; k < net.Depth; k++) s = net.Step(k, s, training: false);
                return s;
            };
            jacobianInputs = states[0].Detach();
            jacobianWidth = net.Architecture.Width;
            mapName = "flow map x_N/x_0";
        }
        else
        {
            jacobianMap = input => model.Forward(input, training: false);
            mapName = "network map output/input";
        }

        int m = Math.Min(options.JacobianSamples, n);
        Stage("jacobian", $"Jacobian of the {mapName} on {m} samples");
        var jacobian = FlowJacobian.Analyze(jacobianMap, m == n ? jacobianInputs
            : Tensor<T>.FromArray([m, jacobianWidth], jacobianInputs.Data.AsSpan(0, m * jacobianWidth)));
        Done("jacobian");

        FisherRaoReport? fisher = null;
        if (classify)
        {
            Stage("fisher-rao", $"Fisher-Rao norms on {n} samples");
            fisher = FisherRao.Compute(input => model.Forward(input, training: false), x, labels!, model.Parameters,
                options.FisherRaoModelSamples, options.Seed);
            Done("fisher-rao");
        }

        Func<Tensor<T>> loss = classify
            ? () => model.Forward(x, training: false).CrossEntropy(labels!)
            : () => model.Forward(x, training: false).Mse(targets!);
        double lossValue;
        using (Autograd.NoGrad()) lossValue = double.CreateChecked(loss().Data[0]);
        var hessian = new HessianOperator<T>(loss, model.Parameters);
        EigenPairs? top = null;
        TraceEstimate? trace = null;
        SpectralDensityEstimate? density = null;
        if (options.TopEigenvalues > 0)
        {
            int k = Math.Min(options.TopEigenvalues, hessian.Dimension);
            Stage("hessian-top", $"top {k} Hessian eigenvalues by Lanczos ({hessian.Dimension} parameters, {n} samples)");
            // Lanczos: one Krylov space for all k pairs (about 4k + 10 HVPs) instead of power iteration per pair.
            top = HessianSpectrum.TopEigenvaluesLanczos(hessian, k, seed: options.Seed);
            Done("hessian-top");
        }
        if (options.Probes > 0)
        {
            Stage("hessian-trace", $"Hessian trace, {options.Probes} Hutchinson probes");
            trace = HessianTrace.Hutchinson(hessian, options.Probes, options.Seed);
            Done("hessian-trace");
        }
        if (options.LanczosSteps > 0)
        {
            Stage("hessian-density", $"Hessian spectral density, {Math.Min(options.LanczosSteps, hessian.Dimension)} Lanczos steps");
            density = SpectralDensity.StochasticLanczos(hessian, options.LanczosSteps, probes: 1, seed: options.Seed, gridPoints: 400);
            Done("hessian-density");
        }

        return new GeometryReport
        {
            Model = ModelArchitecture.KindName(model.Architecture.Kind),
            Samples = n,
            ParameterCount = hessian.Dimension,
            JacobianMap = mapName,
            Trajectory = trajectory,
            ParameterCurve = curve,
            Jacobian = jacobian,
            FisherRao = fisher,
            Loss = lossValue,
            HessianTop = top,
            HessianTrace = trace,
            HessianDensity = density,
            ProjectedPaths = paths,
            ProjectedPathSamples = pathSamples,
            ProjectionIsIdentity = identity,
            Seconds = seconds,
        };
    }

    /// <summary>Throws when the data cannot be fed to the model (feature count, output count, empty).</summary>
    /// <exception cref="InvalidParameterException">The mismatch, named as the <c>--data</c> option.</exception>
    public static void CheckFits<T>(IModel<T> model, Dataset data) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var arch = model.Architecture;
        if (data.Count == 0) throw new InvalidParameterException("--data", $"the set '{data.Name}' is empty.");
        if (data.FeatureDimension != arch.InputDimension)
            throw new InvalidParameterException("--data", $"the set '{data.Name}' has {data.FeatureDimension} features but the model takes {arch.InputDimension}; use the data the model was trained on.");
        int outputs = data.Task == LearningTask.Classification ? data.ClassCount : data.TargetDimension;
        if (data.Task == LearningTask.Classification ? outputs > arch.OutputDimension : outputs != arch.OutputDimension)
            throw new InvalidParameterException("--data", $"the set '{data.Name}' needs {outputs} outputs but the model has {arch.OutputDimension}.");
    }

    /// <summary>
    /// The trajectories of the samples <paramref name="samples"/> projected on the two leading principal components of all
    /// states pooled (mean removed); width 2 is returned as is, width 1 as (x, 0).
    /// </summary>
    private static ((double X, double Y)[][] Paths, bool Identity) Project<T>(Tensor<T>[] states, int width, int[] samples, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = samples.Length;
        var paths = new (double X, double Y)[count][];
        if (width <= 2)
        {
            for (int p = 0; p < count; p++)
            {
                int i = samples[p];
                paths[p] = states.Select(s => (double.CreateChecked(s.Data[i * width]), width == 2 ? double.CreateChecked(s.Data[i * width + 1]) : 0.0)).ToArray();
            }
            return (paths, true);
        }
        var mean = new double[width];
        long rows = 0;
        foreach (var s in states)
            for (int r = 0; r < s.Length / width; r++, rows++)
                for (int j = 0; j < width; j++) mean[j] += double.CreateChecked(s.Data[r * width + j]);
        for (int j = 0; j < width; j++) mean[j] /= rows;
        var cov = new double[width * width];
        var centred = new double[width];
        foreach (var s in states)
            for (int r = 0; r < s.Length / width; r++)
            {
                for (int j = 0; j < width; j++) centred[j] = double.CreateChecked(s.Data[r * width + j]) - mean[j];
                for (int a = 0; a < width; a++)
                    for (int b = 0; b < width; b++) cov[a * width + b] += centred[a] * centred[b] / rows;
            }
        // The covariance is positive semi-definite, so the largest-magnitude eigenvectors are the principal axes.
        var axes = HessianSpectrum.TopEigenvalues(new DenseSymmetricOperator(cov, width), 2, maxIterations: 500, tolerance: 1e-8, seed: seed).Vectors;
        for (int p = 0; p < count; p++)
        {
            int i = samples[p];
            paths[p] = new (double, double)[states.Length];
            for (int k = 0; k < states.Length; k++)
            {
                double px = 0, py = 0;
                for (int j = 0; j < width; j++)
                {
                    double v = double.CreateChecked(states[k].Data[i * width + j]) - mean[j];
                    px += v * axes[0][j];
                    py += v * axes[1][j];
                }
                paths[p][k] = (px, py);
            }
        }
        return (paths, false);
    }
}
