using System.Numerics;
using Geometrize.Autodiff;
using Geometrize.Numerics;
using Geometrize.Numerics.LinearAlgebra;

namespace Geometrize.Analysis;

/// <summary>How <see cref="FlowJacobian"/> differentiates the flow map.</summary>
public enum JacobianMethod
{
    /// <summary>Exact, by reverse mode: one backward pass per output dimension for a whole batch.</summary>
    ReverseMode,
    /// <summary>Central differences (y(x + εe_j) − y(x − εe_j))/2ε, two forward passes per input dimension; a check that needs no graph.</summary>
    FiniteDifferences,
}

/// <summary>
/// The Jacobian J = ∂x_N/∂x_0 of a flow map per input, its singular values (dynamic isometry: Pennington,
/// Schoenholz &amp; Ganguli 2017) and, for a square map, log|det J| (the volume change of the flow).
/// </summary>
/// <remarks>
/// <para>The map is a closure input [b, d_in…] → output [b, d_out…]. It must treat the rows of a batch
/// independently (batch norm in evaluation mode), because the Jacobian of row i is read from the batched
/// derivative: one reverse pass with the output seed e_j on every row gives row j of every sample's J at once.</para>
/// <para>Singular values are square roots of the eigenvalues of the smaller Gram matrix JᵀJ or JJᵀ, computed by
/// <see cref="SymmetricEigen"/> in double; squaring makes the absolute error of σ_i about ε·σ_max²/σ_i, fine for
/// the conditioning this measures. log|det J| is computed separately by LU, which does not square anything.</para>
/// </remarks>
public static class FlowJacobian
{
    /// <summary>The Jacobians of all inputs, row-major per sample: result[i] is d_out × d_in with J[r, c] = ∂y_r/∂x_c.</summary>
    /// <param name="map">The flow map (rows independent).</param>
    /// <param name="inputs">[n, …] inputs.</param>
    /// <param name="method">Reverse mode (exact) or central differences.</param>
    /// <param name="step">Finite-difference step; default ∛ε of T times max(1, max|x|).</param>
    /// <exception cref="InvalidParameterException">No samples, or the map changes the number of rows.</exception>
    public static double[][] Compute<T>(Func<Tensor<T>, Tensor<T>> map, Tensor<T> inputs, JacobianMethod method = JacobianMethod.ReverseMode, double? step = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Rank < 1 || inputs.Size(0) == 0) throw new InvalidParameterException("inputs", $"needs at least one sample, got {inputs}.");
        int n = inputs.Size(0), din = inputs.Length / n;
        var (flat, dout) = method == JacobianMethod.ReverseMode ? Reverse(map, inputs, n, din) : Central(map, inputs, n, din, step);
        var result = new double[n][];
        for (int i = 0; i < n; i++) result[i] = flat.AsSpan(i * dout * din, dout * din).ToArray();
        return result;
    }

    /// <summary>
    /// Singular values, dynamic-isometry summary and log|det| over all inputs, processed in batches so memory
    /// stays at one batch of Jacobians.
    /// </summary>
    /// <param name="map">The flow map (rows independent).</param>
    /// <param name="inputs">[n, …] inputs.</param>
    /// <param name="batchSize">Samples per forward pass.</param>
    /// <param name="method">Reverse mode (exact) or central differences.</param>
    /// <exception cref="InvalidParameterException">No samples, batchSize &lt; 1, or the map changes the number of rows.</exception>
    public static FlowJacobianReport Analyze<T>(Func<Tensor<T>, Tensor<T>> map, Tensor<T> inputs, int batchSize = 256, JacobianMethod method = JacobianMethod.ReverseMode)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Rank < 1 || inputs.Size(0) == 0) throw new InvalidParameterException("inputs", $"needs at least one sample, got {inputs}.");
        if (batchSize < 1) throw new InvalidParameterException("batch-size", $"must be at least 1, got {batchSize}.");
        int n = inputs.Size(0), din = inputs.Length / n;
        var rowShape = inputs.Shape.ToArray();
        var singular = new double[n][];
        double[]? logDet = null;
        int dout = -1;
        for (int start = 0; start < n; start += batchSize)
        {
            int b = Math.Min(batchSize, n - start);
            rowShape[0] = b;
            var batch = Tensor<T>.FromArray(rowShape, inputs.Data.AsSpan(start * din, b * din));
            var (flat, o) = method == JacobianMethod.ReverseMode ? Reverse(map, batch, b, din) : Central(map, batch, b, din, null);
            dout = o;
            if (din == dout) logDet ??= new double[n];
            Decompose(flat, start, b, dout, din, singular, logDet);
        }
        return Summarise(singular, logDet, din, dout);
    }

    private static (double[] Flat, int OutputDimension) Reverse<T>(Func<Tensor<T>, Tensor<T>> map, Tensor<T> inputs, int n, int din)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var _ = Autograd.EnableGrad();
        var x = inputs.Clone().WithRequiresGrad();
        var y = map(x);
        int dout = CheckOutput(y, n);
        var flat = new double[n * dout * din];
        var seed = Tensor<T>.Zeros(y.Shape.ToArray());
        for (int r = 0; r < dout; r++)
        {
            for (int i = 0; i < n; i++) seed.Data[i * dout + r] = T.One;
            // A map whose output does not depend on x (constant) yields zeros, which Grad returns as such.
            var g = y.RequiresGrad ? Autograd.Grad([y], [x], [seed])[0].Data : new T[n * din];
            // Read the gradient before clearing the seed: for the identity map the gradient is the seed itself.
            for (int i = 0; i < n; i++)
            {
                var dst = flat.AsSpan((i * dout + r) * din, din);
                for (int c = 0; c < din; c++) dst[c] = double.CreateChecked(g[i * din + c]);
            }
            for (int i = 0; i < n; i++) seed.Data[i * dout + r] = T.Zero;
        }
        return (flat, dout);
    }

    private static (double[] Flat, int OutputDimension) Central<T>(Func<Tensor<T>, Tensor<T>> map, Tensor<T> inputs, int n, int din, double? step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var _ = Autograd.NoGrad();
        double maxAbs = 1;
        foreach (var v in inputs.Data) maxAbs = Math.Max(maxAbs, Math.Abs(double.CreateChecked(v)));
        // ∛ε balances truncation O(ε²) against cancellation O(ε_machine/ε) for central differences.
        double machine = double.CreateChecked(T.BitIncrement(T.One) - T.One);
        double eps = step ?? Math.Cbrt(machine) * maxAbs;
        if (!(eps > 0)) throw new InvalidParameterException("step", $"finite-difference step must be positive, got {eps}.");
        var x = inputs.Clone();
        int dout = -1;
        double[] flat = [];
        for (int c = 0; c < din; c++)
        {
            var saved = new T[n];
            for (int i = 0; i < n; i++) saved[i] = x.Data[i * din + c];
            for (int i = 0; i < n; i++) x.Data[i * din + c] = saved[i] + T.CreateChecked(eps);
            var yp = map(x).ToArray();
            for (int i = 0; i < n; i++) x.Data[i * din + c] = saved[i] - T.CreateChecked(eps);
            var ym = map(x);
            for (int i = 0; i < n; i++) x.Data[i * din + c] = saved[i];
            if (dout < 0)
            {
                dout = CheckOutput(ym, n);
                flat = new double[n * dout * din];
            }
            // The actual steps (x ± ε rounded to T) are used, so float inputs do not bias the quotient.
            for (int i = 0; i < n; i++)
            {
                double h2 = double.CreateChecked(saved[i] + T.CreateChecked(eps)) - double.CreateChecked(saved[i] - T.CreateChecked(eps));
                for (int r = 0; r < dout; r++)
                    flat[(i * dout + r) * din + c] = (double.CreateChecked(yp[i * dout + r]) - double.CreateChecked(ym.Data[i * dout + r])) / h2;
            }
        }
        return (flat, dout);
    }

    private static int CheckOutput<T>(Tensor<T> y, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Rank < 1 || y.Size(0) != n)
            throw new InvalidParameterException("map", $"the flow map must keep one output row per input row: {n} inputs gave {y}.");
        return y.Length / n;
    }

    // Per-sample SVD via the smaller Gram matrix and LU log-determinant; samples are independent, so the
    // parallel chunks write disjoint slots. Scratch is allocated once per chunk, not per sample.
    private static void Decompose(double[] flat, int start, int b, int dout, int din, double[][] singular, double[]? logDet)
    {
        int k = Math.Min(dout, din);
        Parallelism.For(b, (long)k * k * Math.Max(dout, din) * 8, (s, e) =>
        {
            var gram = new double[k * k];
            var values = new double[k];
            var vectors = new double[k * k];
            var lu = logDet is null ? null : new double[din * din];
            for (int i = s; i < e; i++)
            {
                var j = flat.AsSpan(i * dout * din, dout * din);
                if (din <= dout) Gemm.Multiply<double>(j, j, gram, din, din, dout, Transpose.Yes, Transpose.No); // JᵀJ
                else Gemm.Multiply<double>(j, j, gram, dout, dout, din, Transpose.No, Transpose.Yes);               // JJᵀ
                SymmetricEigen.DecomposeInPlace(gram, k, values, vectors);
                var sv = new double[k];
                for (int q = 0; q < k; q++) sv[q] = Math.Sqrt(Math.Max(values[k - 1 - q], 0)); // descending
                singular[start + i] = sv;
                if (lu is not null)
                {
                    j.CopyTo(lu);
                    logDet![start + i] = LogDeterminant.OfInPlace(lu, din);
                }
            }
        });
    }

    private static FlowJacobianReport Summarise(double[][] singular, double[]? logDet, int din, int dout)
    {
        int n = singular.Length, k = singular[0].Length;
        double sum = 0, sumSquares = 0;
        var condition = new double[n];
        foreach (var sv in singular)
            foreach (var s in sv) { sum += s; sumSquares += s * s; }
        long count = (long)n * k;
        double mean = sum / count;
        for (int i = 0; i < n; i++)
        {
            double max = singular[i][0], min = singular[i][k - 1];
            condition[i] = min > 0 ? max / min : double.PositiveInfinity;
        }
        var sorted = (double[])condition.Clone();
        Array.Sort(sorted);
        double median = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
        return new FlowJacobianReport
        {
            Samples = n,
            InputDimension = din,
            OutputDimension = dout,
            SingularValues = singular,
            MeanSquaredSingularValue = sumSquares / count,
            SingularValueStd = Math.Sqrt(Math.Max(sumSquares / count - mean * mean, 0)),
            ConditionNumbers = condition,
            MedianConditionNumber = median,
            MaxConditionNumber = sorted[^1],
            LogAbsDeterminants = logDet,
            MeanLogAbsDeterminant = logDet?.Average(),
        };
    }
}
