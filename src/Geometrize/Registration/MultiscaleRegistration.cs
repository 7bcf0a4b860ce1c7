using System.Diagnostics;
using System.Numerics;
using Geometrize.Numerics;
using Geometrize.Optimization;
using Geometrize.Registration.DataTerms;

namespace Geometrize.Registration;

/// <summary>
/// Builds the registration problem of one pyramid level: fixed and moving images on the level's grid (intensities
/// in [0, 1]), the level's data term and the settings. Problem classes expose their constructor this way.
/// </summary>
public delegate IRegistrationProblem<T> ProblemFactory<T>(ScalarField<T> fixedImage, ScalarField<T> movingImage,
    IDataTerm<T> dataTerm, RegistrationSettings settings) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>How one pyramid level ended.</summary>
/// <param name="Level">0-based level (coarse to fine).</param>
/// <param name="Factors">Shrink factor used per axis.</param>
/// <param name="Geometry">The level's grid.</param>
/// <param name="Iterations">Accepted iterations.</param>
/// <param name="Reason">Why the optimiser stopped (<see cref="StopReason.MaxIterations"/> for a level with no budget).</param>
/// <param name="Seconds">Wall-clock seconds spent on the level (pyramid, problem set-up and optimisation).</param>
public sealed record LevelSummary(int Level, int[] Factors, ImageGeometry Geometry, int Iterations, StopReason Reason, double Seconds);

/// <summary>Outcome of <see cref="MultiscaleRegistration{T}.Run"/>.</summary>
/// <param name="Problem">The finest level's problem (its grid is the fixed grid unless the last shrink factor exceeds 1).</param>
/// <param name="Parameters">The optimised parameters of <paramref name="Problem"/>.</param>
/// <param name="History">Energies: one record per level at iteration 0 (initial point), then one per accepted iteration.</param>
/// <param name="Levels">Per-level summaries, coarse to fine.</param>
/// <param name="Iterations">Accepted iterations summed over levels.</param>
/// <param name="Seconds">Wall-clock seconds of the whole run.</param>
public sealed record MultiscaleResult<T>(IRegistrationProblem<T> Problem, T[] Parameters, IReadOnlyList<EnergyRecord> History,
    IReadOnlyList<LevelSummary> Levels, int Iterations, double Seconds) where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Energy split at the final parameters (the last record of <see cref="History"/>).</summary>
    public EnergySplit FinalEnergy => History.Count > 0 ? History[^1].Energy : default;
}

/// <summary>
/// Coarse-to-fine registration: a Gaussian pyramid of both images (<see cref="Resampling.Shrink{T}(ScalarField{T}, ReadOnlySpan{int}, double)"/>,
/// at least <see cref="RegistrationSettings.Smoothing"/> voxels of smoothing at every level, the finest included),
/// one optimisation per level with <see cref="Lbfgs{T}"/> or <see cref="GradientDescent{T}"/> in the problem's metric,
/// and linear prolongation of the parameter field from each level to the next.
/// </summary>
/// <remarks>
/// <para><b>Shrink factors.</b> Level l uses, per axis a, min(f_l, max(1, N_a / 8)): no axis is shrunk below 8 voxels
/// by the schedule, so a thin 3-D stack (or a small test image) is not collapsed to one or two voxels while its other
/// axes are still worth shrinking. A level whose factors are all 1 uses the images as given.</para>
/// <para><b>Prolongation.</b> The parameters are a field with <see cref="IRegistrationProblem{T}.ParameterComponents"/> (on the problem's <see cref="IRegistrationProblem{T}.ParameterGeometry"/>)
/// components on the level's grid; they are resampled linearly (physical positions, border clamping) onto the next
/// grid. Momenta and velocities are densities in physical units (mm, per unit volume) on grids that cover the same
/// physical extent, so their values carry over without rescaling.</para>
/// <para><b>Stopping.</b> Each level runs at most its <see cref="RegistrationSettings.Iterations"/> entry and stops
/// early when the relative energy decrease per iteration falls below <see cref="RegistrationSettings.Tolerance"/>.
/// Cancellation is checked between iterations: the current iteration completes, then
/// <see cref="OperationCanceledException"/> is thrown.</para>
/// <para><b>Progress.</b> After every accepted iteration a <see cref="RegistrationProgress"/> is reported with the
/// problem's energy split and an estimate of the time left: the mean time per iteration of the current level times
/// its remaining budget, plus for each later level that time scaled by the ratio of voxel counts times its budget
/// (an upper bound, since levels may stop early).</para>
/// </remarks>
public sealed class MultiscaleRegistration<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Smallest number of voxels the schedule shrinks an axis to.</summary>
    public const int MinimumLevelSize = 8;

    private readonly ProblemFactory<T> _factory;
    private readonly Func<RegistrationSettings, IDataTerm<T>> _dataTerm;

    /// <summary>Creates the driver.</summary>
    /// <param name="settings">Validated here; schedules of different lengths fail with the option named.</param>
    /// <param name="factory">Builds each level's problem.</param>
    /// <param name="dataTerm">Builds each level's data term; default <see cref="DataTerms.DataTerms.Create{T}"/>.</param>
    public MultiscaleRegistration(RegistrationSettings settings, ProblemFactory<T> factory, Func<RegistrationSettings, IDataTerm<T>>? dataTerm = null)
    {
        Settings = settings.Validate();
        _factory = factory ?? throw new ArgumentNullException(nameof(factory));
        _dataTerm = dataTerm ?? DataTerms.DataTerms.Create<T>;
    }

    /// <summary>The settings.</summary>
    public RegistrationSettings Settings { get; }

    /// <summary>The shrink factor per axis of a level with schedule factor <paramref name="factor"/>: min(f, max(1, N/8)).</summary>
    public static int[] LevelFactors(ImageGeometry geometry, int factor)
    {
        var f = new int[geometry.Dimension];
        for (int a = 0; a < f.Length; a++) f[a] = Math.Max(1, Math.Min(factor, geometry.Size[a] / MinimumLevelSize));
        return f;
    }

    /// <summary>Registers <paramref name="movingImage"/> to <paramref name="fixedImage"/> (same grid, intensities in [0, 1]).</summary>
    public MultiscaleResult<T> Run(ScalarField<T> fixedImage, ScalarField<T> movingImage, IProgress<RegistrationProgress>? progress = null,
        CancellationToken cancel = default)
    {
        fixedImage.Geometry.RequireSameGrid(movingImage.Geometry, "the fixed and moving images");
        var clock = Stopwatch.StartNew();
        int levels = Settings.Shrink.Length;
        var factors = new int[levels][];
        var sizes = new double[levels];
        for (int l = 0; l < levels; l++)
        {
            factors[l] = LevelFactors(fixedImage.Geometry, Settings.Shrink[l]);
            sizes[l] = Resampling.ShrunkGeometry(fixedImage.Geometry, factors[l]).Count;
        }

        var history = new List<EnergyRecord>();
        var summaries = new List<LevelSummary>();
        IRegistrationProblem<T>? problem = null;
        T[]? x = null;
        int total = 0;
        for (int l = 0; l < levels; l++)
        {
            cancel.ThrowIfCancellationRequested();
            double levelStart = clock.Elapsed.TotalSeconds;
            bool shrink = factors[l].Any(f => f > 1) || Settings.Smoothing > 0;
            var fixedLevel = shrink ? Resampling.Shrink(fixedImage, factors[l], Settings.Smoothing) : fixedImage;
            var movingLevel = shrink ? Resampling.Shrink(movingImage, factors[l], Settings.Smoothing) : movingImage;
            // The flow-grid factor is given relative to the full-resolution image; the problem needs it relative to its level.
            var levelSettings = Settings.FlowShrink > 1 ? Settings with { FlowShrink = Math.Max(1, Settings.FlowShrink / Settings.Shrink[l]) } : Settings;
            var next = _factory(fixedLevel, movingLevel, _dataTerm(Settings), levelSettings);
            int pc = next.ParameterComponents;
            if (!next.Geometry.IsSameGrid(fixedLevel.Geometry) || next.Dimension != (long)pc * next.ParameterGeometry.Count)
                throw new GeometrizeException($"the {next.Method} problem at level {l} does not use the level's grid ({fixedLevel.Geometry}) " +
                    $"with {pc} parameter component(s); it cannot take part in multiscale registration.");
            var xNext = new T[next.Dimension];
            if (problem != null && x != null) Prolong(problem, x, next, xNext);
            problem = next;
            x = xNext;

            int budget = Settings.Iterations[l];
            var tracker = new LevelTracker(problem, l, levels, budget, clock, history, progress, sizes, Settings.Iterations);
            StopReason reason = StopReason.MaxIterations;
            int done = 0;
            if (budget > 0)
            {
                var options = new OptimizerOptions
                {
                    MaxIterations = budget,
                    EnergyTolerance = Settings.Tolerance,
                    Progress = tracker.OnIteration,
                };
                MetricOperator<T> metric = problem.ApplyMetric;
                var result = Settings.EffectiveOptimizer == OptimizerKind.Lbfgs
                    ? new Lbfgs<T>(options, metric: metric).Minimize(tracker, x, cancel)
                    : new GradientDescent<T>(options, metric).Minimize(tracker, x, cancel);
                reason = result.Reason;
                done = result.Iterations;
                if (reason == StopReason.Cancelled) cancel.ThrowIfCancellationRequested();
            }
            else
            {
                tracker.Evaluate(x, new T[problem.Dimension]);
            }
            total += done;
            summaries.Add(new LevelSummary(l, factors[l], fixedLevel.Geometry, done, reason, clock.Elapsed.TotalSeconds - levelStart));
        }
        return new MultiscaleResult<T>(problem!, x!, history, summaries, total, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Resamples the parameter field of <paramref name="coarse"/> onto the grid of <paramref name="fine"/> (no rescaling: densities).</summary>
    public static void Prolong(IRegistrationProblem<T> coarse, ReadOnlySpan<T> coarseParameters, IRegistrationProblem<T> fine, Span<T> fineParameters)
    {
        int pc = coarse.ParameterComponents;
        if (fine.ParameterComponents != pc)
            throw new GeometrizeException($"cannot prolong {pc} parameter component(s) to a level with {fine.ParameterComponents}.");
        var src = new VectorField<T>(coarse.ParameterGeometry, coarseParameters.ToArray(), pc);
        var dst = new VectorField<T>(fine.ParameterGeometry, pc);
        Resampling.ResampleLinear(src, dst, BoundaryMode.Border);
        dst.Span.CopyTo(fineParameters);
    }

    /// <summary>
    /// Wraps a level's problem: records the energy of the first evaluation (iteration 0) and, after each accepted
    /// iteration, the problem's energy split (the last evaluation is the accepted line-search trial).
    /// </summary>
    private sealed class LevelTracker(IRegistrationProblem<T> problem, int level, int levels, int budget, Stopwatch clock,
        List<EnergyRecord> history, IProgress<RegistrationProgress>? progress, double[] sizes, int[] budgets) : IObjective<T>
    {
        private bool _first = true;
        private double _levelStart = clock.Elapsed.TotalSeconds;

        public int Dimension => problem.Dimension;

        public double Evaluate(ReadOnlySpan<T> x, Span<T> gradient)
        {
            double e = problem.Evaluate(x, gradient);
            if (_first)
            {
                _first = false;
                history.Add(new EnergyRecord(level, 0, problem.LastEnergy, clock.Elapsed.TotalSeconds));
                _levelStart = clock.Elapsed.TotalSeconds;
            }
            return e;
        }

        public void OnIteration(IterationInfo info)
        {
            double now = clock.Elapsed.TotalSeconds;
            var energy = problem.LastEnergy;
            history.Add(new EnergyRecord(level, info.Iteration, energy, now));
            if (progress == null) return;
            double perIteration = (now - _levelStart) / info.Iteration;
            double left = perIteration * (budget - info.Iteration);
            for (int l = level + 1; l < levels; l++) left += perIteration * sizes[l] / sizes[level] * budgets[l];
            progress.Report(new RegistrationProgress(level, levels, info.Iteration, budget, energy, clock.Elapsed,
                TimeSpan.FromSeconds(Math.Max(0, left))));
        }
    }
}
