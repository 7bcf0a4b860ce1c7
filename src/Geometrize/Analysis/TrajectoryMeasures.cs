using System.Numerics;
using Geometrize.Autodiff;
using Geometrize.Numerics;

namespace Geometrize.Analysis;

/// <summary>
/// Geometry of a network read as a discrete curve: in data space V, the trajectories x_0, …, x_N of the inputs
/// through the N blocks; in parameter space G, the per-block parameter vectors θ_0, …, θ_{N−1}.
/// </summary>
/// <remarks>
/// <para>A residual block x_{k+1} = x_k + h·f(x_k, θ_k) is one Euler step of ẋ = v_t(x), so the velocity of
/// sample i at step k is recovered from the states alone as f_{k,i} = (x_{k+1,i} − x_{k,i})/h. Every measure
/// is therefore model-agnostic: it needs the states (n samples × d features per block, row-major), the step
/// h (1/N for the paper's flows) and, for G, the flattened block parameters.</para>
/// <para>Expectations E are plain means over the n samples. Kinetic energy and curve length are linear in the
/// per-sample quantities, so "mean over samples of each sample's energy/length" and "sum over steps of the
/// mean" are the same number; they are computed per sample, then averaged.</para>
/// </remarks>
public static class TrajectoryMeasures
{
    /// <summary>Data-space measures of the trajectories given as one tensor per state, each [n, …] with the same shape.</summary>
    /// <exception cref="InvalidParameterException">Fewer than two states, or h not positive and finite.</exception>
    /// <exception cref="ShapeMismatchException">The states differ in shape.</exception>
    public static TrajectoryReport OfStates<T>(IReadOnlyList<Tensor<T>> states, double h)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(states);
        if (states.Count == 0) throw new InvalidParameterException("states", "needs at least two states x_0, x_1.");
        var first = states[0];
        if (first.Rank < 1) throw new ShapeMismatchException($"trajectory: states must be [samples, …], got a scalar.");
        foreach (var s in states)
            if (!Shapes.Equal(s.Shape.ToArray(), first.Shape.ToArray()))
                throw new ShapeMismatchException($"trajectory: state {s} differs in shape from the first state {first}.");
        int n = first.Size(0);
        int d = n == 0 ? 0 : first.Length / n;
        return OfStates(states.Select(s => s.Data).ToArray(), d, h);
    }

    /// <summary>
    /// Data-space measures of the trajectories x_0..x_N: each array holds n samples × <paramref name="dimension"/>
    /// features (row-major), all arrays the same length.
    /// </summary>
    /// <param name="states">x_0, …, x_N (at least two).</param>
    /// <param name="dimension">Features per sample d.</param>
    /// <param name="h">Step size of the flow (1/N for a flow on [0, 1]).</param>
    /// <exception cref="InvalidParameterException">Fewer than two states, h not positive and finite, or lengths that are not n·d.</exception>
    public static TrajectoryReport OfStates<T>(IReadOnlyList<T[]> states, int dimension, double h)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(states);
        if (states.Count < 2) throw new InvalidParameterException("states", $"needs at least two states x_0, x_1, got {states.Count}.");
        if (!(h > 0) || !double.IsFinite(h)) throw new InvalidParameterException("h", $"step size must be positive and finite, got {h}.");
        if (dimension < 1) throw new InvalidParameterException("dimension", $"must be at least 1, got {dimension}.");
        int length = states[0].Length;
        if (length == 0 || length % dimension != 0)
            throw new InvalidParameterException("states", $"state 0 has {length} values, not a positive multiple of the dimension {dimension}.");
        for (int k = 1; k < states.Count; k++)
            if (states[k].Length != length)
                throw new InvalidParameterException("states", $"state {k} has {states[k].Length} values, state 0 has {length}.");

        int steps = states.Count - 1, n = length / dimension;
        // Per-sample, per-step step lengths ‖x_{k+1} − x_k‖ and cosines of successive steps; each sample is
        // independent, so the parallel loop writes disjoint slots and the reductions below stay sequential (deterministic).
        var stepLength = new double[n * steps];
        var cosine = new double[n * Math.Max(steps - 1, 0)];
        var defined = new bool[cosine.Length];
        Parallelism.For(n, (long)steps * dimension * 3, (start, end) =>
        {
            for (int i = start; i < end; i++) SampleGeometry(states, i, dimension, steps, stepLength, cosine, defined);
        });

        var speeds = new double[steps];
        double energy = 0, curveLength = 0;
        for (int k = 0; k < steps; k++)
        {
            double sum = 0, sumSquares = 0;
            for (int i = 0; i < n; i++)
            {
                double l = stepLength[i * steps + k];
                sum += l;
                sumSquares += l * l;
            }
            speeds[k] = sum / n / h;
            curveLength += sum / n;                    // Σ_k h·E‖f‖ = E Σ_k ‖x_{k+1} − x_k‖
            energy += 0.5 * sumSquares / n / h;        // ½Σ_k h·E‖f‖² with f = Δx/h
        }

        var angles = new double[Math.Max(steps - 1, 0)];
        double angleSum = 0;
        int angleCount = 0;
        for (int k = 0; k < angles.Length; k++)
        {
            double sum = 0;
            int count = 0;
            for (int i = 0; i < n; i++)
            {
                int idx = i * (steps - 1) + k;
                if (!defined[idx]) continue;
                sum += Math.Acos(Math.Clamp(cosine[idx], -1.0, 1.0));
                count++;
            }
            angles[k] = count > 0 ? sum / count : double.NaN;
            angleSum += sum;
            angleCount += count;
        }

        return new TrajectoryReport
        {
            Samples = n,
            Steps = steps,
            StepSize = h,
            Speeds = speeds,
            IsometryIndex = CoefficientOfVariation(speeds),
            KineticEnergy = energy,
            CurveLength = curveLength,
            TurningAngles = angles,
            MeanTurningAngle = angleCount > 0 ? angleSum / angleCount : double.NaN,
        };
    }

    /// <summary>
    /// Parameter-space measures of the curve θ_0, …, θ_{N−1} (one flattened parameter vector per block):
    /// energy ½Σ_k h‖θ_k‖² and length Σ_k ‖θ_{k+1} − θ_k‖.
    /// </summary>
    /// <exception cref="InvalidParameterException">No blocks, blocks of different sizes, or h not positive and finite.</exception>
    public static ParameterCurveReport OfParameters<T>(IReadOnlyList<T[]> blockParameters, double h)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(blockParameters);
        if (blockParameters.Count == 0) throw new InvalidParameterException("blockParameters", "needs at least one block.");
        if (!(h > 0) || !double.IsFinite(h)) throw new InvalidParameterException("h", $"step size must be positive and finite, got {h}.");
        int p = blockParameters[0].Length;
        for (int k = 1; k < blockParameters.Count; k++)
            if (blockParameters[k].Length != p)
                throw new InvalidParameterException("blockParameters", $"block {k} has {blockParameters[k].Length} parameters, block 0 has {p}; the parameter curve needs equal blocks.");
        double energy = 0, length = 0;
        var norms = new double[blockParameters.Count];
        for (int k = 0; k < blockParameters.Count; k++)
        {
            var theta = blockParameters[k];
            double sq = 0, diff = 0;
            for (int j = 0; j < p; j++)
            {
                double v = double.CreateChecked(theta[j]);
                sq += v * v;
                if (k + 1 < blockParameters.Count)
                {
                    double dv = double.CreateChecked(blockParameters[k + 1][j]) - v;
                    diff += dv * dv;
                }
            }
            norms[k] = Math.Sqrt(sq);
            energy += 0.5 * h * sq;
            length += Math.Sqrt(diff);
        }
        return new ParameterCurveReport { Blocks = blockParameters.Count, StepSize = h, Norms = norms, Energy = energy, Length = length };
    }

    /// <summary>Population standard deviation over mean; 0 for a curve that does not move (constant speed 0).</summary>
    public static double CoefficientOfVariation(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) return double.NaN;
        double mean = 0;
        foreach (var v in values) mean += v;
        mean /= values.Count;
        double var = 0;
        foreach (var v in values) var += (v - mean) * (v - mean);
        var /= values.Count;
        return mean == 0 ? 0 : Math.Sqrt(var) / Math.Abs(mean);
    }

    private static void SampleGeometry<T>(IReadOnlyList<T[]> states, int i, int d, int steps,
        double[] stepLength, double[] cosine, bool[] defined) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int offset = i * d;
        for (int k = 0; k < steps; k++)
        {
            var a = states[k];
            var b = states[k + 1];
            double sq = 0, dot = 0;
            for (int j = 0; j < d; j++)
            {
                double step = double.CreateChecked(b[offset + j]) - double.CreateChecked(a[offset + j]);
                sq += step * step;
                if (k > 0)
                {
                    double previous = double.CreateChecked(a[offset + j]) - double.CreateChecked(states[k - 1][offset + j]);
                    dot += step * previous;
                }
            }
            double len = Math.Sqrt(sq);
            stepLength[i * steps + k] = len;
            if (k > 0)
            {
                double prev = stepLength[i * steps + k - 1];
                int idx = i * (steps - 1) + k - 1;
                // A zero step has no direction, so its turning angle is undefined and left out of the means.
                defined[idx] = prev > 0 && len > 0;
                cosine[idx] = defined[idx] ? dot / (prev * len) : 0;
            }
        }
    }
}
