using System.Numerics;
using Geometrize.Numerics;

namespace Geometrize.Registration.DataTerms;

/// <summary>
/// Global normalised cross-correlation. With a = w − w̄ and b = t − t̄ (means over the grid),
/// NCC = ⟨a, b⟩ / √(⟨a, a⟩⟨b, b⟩) and the energy is
/// <code>D = (h^d / σ²) · ⟨b, b⟩ · (1 − NCC) = (V s_t² / σ²) · (1 − NCC),</code>
/// with h^d the voxel volume, V the total volume and s_t² the variance of the fixed image.
/// </summary>
/// <remarks>
/// <para><b>Why this scale.</b> If both images are standardised to the fixed image's mean and variance, their SSD
/// energy (1/2σ²)‖ŵ − t̂‖²·h^d equals exactly this D. So σ keeps the meaning it has for SSD (noise level of
/// intensities in [0, 1]) and the balance with the regularity term matches SSD's at the same σ; the factor is a
/// constant of the fixed image, so it changes neither the minimiser nor the gradient's direction.</para>
/// <para>D is invariant to w ↦ c·w + k with c &gt; 0 and is 0 exactly when NCC = 1. Gradient:
/// ∂D/∂w_i = −(h^d/σ²) √(⟨b,b⟩/⟨a,a⟩) (b_i − (⟨a,b⟩/⟨a,a⟩) a_i). A constant warped image (⟨a, a⟩ = 0) has NCC
/// defined as 0 and a zero gradient; a constant fixed image gives D = 0.</para>
/// <para>Reductions run over a fixed number of chunks in double, so results do not depend on the thread count.
/// Scratch is allocated once; one instance must not be evaluated concurrently from several threads.</para>
/// </remarks>
public sealed class NccDataTerm<T> : IDataTerm<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int MaxChunks = 64;
    private readonly double[] _partial = new double[3 * MaxChunks];
    private readonly Action<int, int> _sums, _moments, _gradient;
    // Per-call state read by the cached delegates (so a call allocates no closure).
    private T[] _w = [], _t = [], _g = [];
    private int _n, _chunks;
    private double _wMean, _tMean, _c1, _c2;

    /// <summary>Creates the term with noise level <paramref name="sigma"/> (intensities in [0, 1]).</summary>
    public NccDataTerm(double sigma)
    {
        if (!(sigma > 0) || !double.IsFinite(sigma)) throw new InvalidParameterException("--sigma", $"must be positive and finite, got {sigma}.");
        Sigma = sigma;
        _sums = SumsChunk;
        _moments = MomentsChunk;
        _gradient = GradientChunk;
    }

    /// <summary>Noise level σ.</summary>
    public double Sigma { get; }

    /// <inheritdoc />
    public string Name => "ncc";

    /// <summary>The plain NCC of two images on the same grid (1 for identical, 0 when either is constant).</summary>
    public static double Correlation(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
    {
        if (a.Length != b.Length) throw new GridMismatchException($"NCC needs images of equal size, got {a.Length} and {b.Length} voxels.");
        double ma = 0, mb = 0;
        for (int i = 0; i < a.Length; i++) { ma += double.CreateTruncating(a[i]); mb += double.CreateTruncating(b[i]); }
        ma /= a.Length; mb /= b.Length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double x = double.CreateTruncating(a[i]) - ma, y = double.CreateTruncating(b[i]) - mb;
            sab += x * y; saa += x * x; sbb += y * y;
        }
        return saa > 0 && sbb > 0 ? sab / Math.Sqrt(saa * sbb) : 0;
    }

    /// <inheritdoc />
    public double Evaluate(ScalarField<T> warped, ScalarField<T> target, ScalarField<T>? gradient)
    {
        warped.Geometry.RequireSameGrid(target.Geometry, "the warped and fixed images");
        if (gradient != null) gradient.Geometry.RequireSameGrid(target.Geometry, "the data-term gradient and the fixed image");
        double volume = 1;
        for (int a = 0; a < warped.Geometry.Dimension; a++) volume *= warped.Geometry.Spacing[a];
        double scale = volume / (Sigma * Sigma);
        _w = warped.Data; _t = target.Data; _g = gradient?.Data ?? [];
        _n = _w.Length;
        _chunks = Math.Clamp(_n / 4096, 1, MaxChunks);
        try
        {
            Parallelism.For(_chunks, _n / _chunks * 2L, _sums);
            double sw = 0, st = 0;
            for (int c = 0; c < _chunks; c++) { sw += _partial[c]; st += _partial[MaxChunks + c]; }
            _wMean = sw / _n; _tMean = st / _n;
            Parallelism.For(_chunks, _n / _chunks * 6L, _moments);
            double sab = 0, saa = 0, sbb = 0;
            for (int c = 0; c < _chunks; c++) { sab += _partial[c]; saa += _partial[MaxChunks + c]; sbb += _partial[2 * MaxChunks + c]; }
            if (!(saa > 0))
            {
                if (gradient != null) gradient.Span.Clear();
                return scale * sbb;
            }
            double root = Math.Sqrt(sbb / saa);
            if (gradient != null)
            {
                // ∂D/∂w_i = c1·b_i + c2·a_i.
                _c1 = -scale * root;
                _c2 = scale * root * sab / saa;
                Parallelism.For(_chunks, _n / _chunks * 4L, _gradient);
            }
            return scale * (sbb - sab * root);
        }
        finally
        {
            _w = _t = _g = [];
        }
    }

    private (int Start, int End) Range(int c) => ((int)((long)_n * c / _chunks), (int)((long)_n * (c + 1) / _chunks));

    private void SumsChunk(int c0, int c1)
    {
        for (int c = c0; c < c1; c++)
        {
            var (s, e) = Range(c);
            double sw = 0, st = 0;
            for (int i = s; i < e; i++) { sw += double.CreateTruncating(_w[i]); st += double.CreateTruncating(_t[i]); }
            _partial[c] = sw;
            _partial[MaxChunks + c] = st;
        }
    }

    private void MomentsChunk(int c0, int c1)
    {
        for (int c = c0; c < c1; c++)
        {
            var (s, e) = Range(c);
            double sab = 0, saa = 0, sbb = 0;
            for (int i = s; i < e; i++)
            {
                double a = double.CreateTruncating(_w[i]) - _wMean, b = double.CreateTruncating(_t[i]) - _tMean;
                sab += a * b; saa += a * a; sbb += b * b;
            }
            _partial[c] = sab;
            _partial[MaxChunks + c] = saa;
            _partial[2 * MaxChunks + c] = sbb;
        }
    }

    private void GradientChunk(int c0, int c1)
    {
        T c1T = T.CreateTruncating(_c1), c2T = T.CreateTruncating(_c2);
        T wm = T.CreateTruncating(_wMean), tm = T.CreateTruncating(_tMean);
        for (int c = c0; c < c1; c++)
        {
            var (s, e) = Range(c);
            for (int i = s; i < e; i++) _g[i] = c1T * (_t[i] - tm) + c2T * (_w[i] - wm);
        }
    }
}
