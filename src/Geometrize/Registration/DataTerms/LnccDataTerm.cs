using System.Numerics;
using System.Numerics.Tensors;
using Geometrize.Numerics;

namespace Geometrize.Registration.DataTerms;

/// <summary>
/// Local normalised cross-correlation (Avants et al. 2008, the CC metric of ANTs): in a box window W(x) of side
/// 2r + 1 (truncated at the border) with local means, covariance A = cov_W(w, t) and variances B = var_W(w),
/// C = var_W(t), the local score is the squared correlation f(x) = A² / (B·C + ε), and
/// <code>D = (h^d s_t² / σ²) · Σ_x (1 − f(x)),</code>
/// with h^d the voxel volume and s_t² the global variance of the fixed image.
/// </summary>
/// <remarks>
/// <para><b>Scale.</b> The factor s_t²/σ² matches <see cref="NccDataTerm{T}"/>: when the window covers the whole image
/// Σ(1 − f) = N(1 − NCC²) ≈ 2N(1 − NCC) near a match, so σ plays the role it has for SSD on intensities in [0, 1].
/// ε = 1e-9 (a product of two variances of [0, 1] intensities) keeps flat windows defined and down-weights windows
/// whose contrast is below one 8-bit grey level; identical images therefore give f slightly below 1 where the local variance is
/// tiny. The squared correlation ignores the sign of the local contrast, as in ANTs.</para>
/// <para><b>Gradient</b> (exact for this discrete energy): with α(x) = 2A/((BC + ε)|W|) and
/// β(x) = −2A²C/((BC + ε)²|W|), ∂D/∂w_i = −(h^d s_t²/σ²) [t_i Σα − Σ(α t̄) + w_i Σβ − Σ(β w̄)], each Σ a box sum
/// over the windows containing i — again a box sum because the windows are symmetric. Cost: 5 + 4 separable box sums
/// and two per-voxel passes. Buffers for a grid are allocated at the first call on that grid and reused; later calls
/// on the same grid allocate nothing. One instance must not be evaluated concurrently from several threads.</para>
/// <para>Negative local variances from floating-point cancellation are clamped to 0 (they occur only in windows that
/// are flat up to round-off, where A ≈ 0 too).</para>
/// </remarks>
public sealed class LnccDataTerm<T> : IDataTerm<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int MaxChunks = 64;
    private const double Epsilon = 1e-9;
    private readonly double[] _partial = new double[2 * MaxChunks];
    private readonly Action<int, int> _products, _local, _gradient, _moments;
    private BoxSums<T>? _box;
    private T[][] _s = [];   // Sw, St, Sww, Stt, Swt; then α, α t̄, β, β w̄ (box-summed in place)
    private T[] _w = [], _t = [], _g = [];
    private int _n, _chunks;
    private bool _wantGradient;
    private double _scale, _tMean;

    /// <summary>Creates the term with window radius <paramref name="radius"/> voxels and noise level <paramref name="sigma"/>.</summary>
    public LnccDataTerm(int radius, double sigma)
    {
        if (radius is < 1 or > 50) throw new InvalidParameterException("--radius", $"must be between 1 and 50 voxels, got {radius}.");
        if (!(sigma > 0) || !double.IsFinite(sigma)) throw new InvalidParameterException("--sigma", $"must be positive and finite, got {sigma}.");
        Radius = radius;
        Sigma = sigma;
        _products = ProductsChunk;
        _local = LocalChunk;
        _gradient = GradientChunk;
        _moments = MomentsChunk;
    }

    /// <summary>Window radius r in voxels (side 2r + 1).</summary>
    public int Radius { get; }
    /// <summary>Noise level σ.</summary>
    public double Sigma { get; }

    /// <inheritdoc />
    public string Name => "lncc";

    /// <summary>Mean of the local score f over the grid after the last <see cref="Evaluate"/> (1 for a perfect local match).</summary>
    public double LastMeanCorrelation { get; private set; }

    /// <inheritdoc />
    public double Evaluate(ScalarField<T> warped, ScalarField<T> target, ScalarField<T>? gradient)
    {
        var geo = target.Geometry;
        warped.Geometry.RequireSameGrid(geo, "the warped and fixed images");
        if (gradient != null) gradient.Geometry.RequireSameGrid(geo, "the data-term gradient and the fixed image");
        EnsureWorkspace(geo);
        double volume = 1;
        for (int a = 0; a < geo.Dimension; a++) volume *= geo.Spacing[a];
        _w = warped.Data; _t = target.Data; _g = gradient?.Data ?? [];
        _wantGradient = gradient != null;
        _n = _w.Length;
        _chunks = Math.Clamp(_n / 4096, 1, Math.Min(MaxChunks, geo.Ny * geo.Nz));
        try
        {
            // Global variance of the fixed image (the scale of D).
            _tMean = 0;
            for (int i = 0; i < _n; i++) _tMean += double.CreateTruncating(_t[i]);
            _tMean /= _n;
            Parallelism.For(_chunks, _n / _chunks * 3L, _moments);
            double stt = 0;
            for (int c = 0; c < _chunks; c++) stt += _partial[c];
            _scale = volume * (stt / _n) / (Sigma * Sigma);

            Parallelism.For(_chunks, _n / _chunks * 5L, _products);
            for (int k = 0; k < 5; k++) _box!.Apply(_s[k], _s[k]);
            Parallelism.For(_chunks, _n / _chunks * 30L, _local);
            double sum = 0;
            for (int c = 0; c < _chunks; c++) sum += _partial[MaxChunks + c];
            LastMeanCorrelation = sum / _n;
            if (_wantGradient)
            {
                for (int k = 0; k < 4; k++) _box!.Apply(_s[k], _s[k]);
                Parallelism.For(_chunks, _n / _chunks * 6L, _gradient);
            }
            return _scale * (_n - sum);
        }
        finally
        {
            _w = _t = _g = [];
        }
    }

    private void EnsureWorkspace(ImageGeometry g)
    {
        if (_box != null && _box.Geometry.Size.SequenceEqual(g.Size)) return;
        _box = new BoxSums<T>(g, Radius);
        _s = new T[5][];
        for (int k = 0; k < 5; k++) _s[k] = new T[g.Count];
    }

    private (int Start, int End) Range(int c) => ((int)((long)_n * c / _chunks), (int)((long)_n * (c + 1) / _chunks));

    private void MomentsChunk(int c0, int c1)
    {
        for (int c = c0; c < c1; c++)
        {
            var (s, e) = Range(c);
            double sum = 0;
            for (int i = s; i < e; i++) { double b = double.CreateTruncating(_t[i]) - _tMean; sum += b * b; }
            _partial[c] = sum;
        }
    }

    private void ProductsChunk(int c0, int c1)
    {
        for (int c = c0; c < c1; c++)
        {
            var (s, e) = Range(c);
            var w = _w.AsSpan(s, e - s);
            var t = _t.AsSpan(s, e - s);
            w.CopyTo(_s[0].AsSpan(s, e - s));
            t.CopyTo(_s[1].AsSpan(s, e - s));
            TensorPrimitives.Multiply(w, w, _s[2].AsSpan(s, e - s));
            TensorPrimitives.Multiply(t, t, _s[3].AsSpan(s, e - s));
            TensorPrimitives.Multiply(w, t, _s[4].AsSpan(s, e - s));
        }
    }

    /// <summary>
    /// Local scores f(x) summed per chunk (chunks of whole rows, so window sizes need no per-voxel index arithmetic);
    /// with a gradient, α, α t̄, β, β w̄ overwrite the first four sums.
    /// </summary>
    private void LocalChunk(int c0, int c1)
    {
        T[] sw = _s[0], st = _s[1], sww = _s[2], stt = _s[3], swt = _s[4];
        int[] cx = _box!.Counts[0], cy = _box.Counts[1], cz = _box.Counts[2];
        int nx = _box.Geometry.Nx, ny = _box.Geometry.Ny, rows = _n / nx;
        bool wantGradient = _wantGradient;
        for (int c = c0; c < c1; c++)
        {
            int r0 = (int)((long)rows * c / _chunks), r1 = (int)((long)rows * (c + 1) / _chunks);
            double sum = 0;
            for (int row = r0; row < r1; row++)
            {
                double nyz = (double)cy[row % ny] * cz[row / ny];
                for (int x = 0, i = row * nx; x < nx; x++, i++)
                {
                    double n = cx[x] * nyz, inv = 1 / n;
                    double mw = double.CreateTruncating(sw[i]) * inv, mt = double.CreateTruncating(st[i]) * inv;
                    double a = double.CreateTruncating(swt[i]) * inv - mw * mt;
                    double b = Math.Max(0, double.CreateTruncating(sww[i]) * inv - mw * mw);
                    double cc = Math.Max(0, double.CreateTruncating(stt[i]) * inv - mt * mt);
                    double den = 1 / (b * cc + Epsilon);
                    double f = a * a * den;
                    sum += f;
                    if (wantGradient)
                    {
                        double alpha = 2 * a * den * inv, beta = -f * cc * den * 2 * inv;
                        sw[i] = T.CreateTruncating(alpha);
                        st[i] = T.CreateTruncating(alpha * mt);
                        sww[i] = T.CreateTruncating(beta);
                        stt[i] = T.CreateTruncating(beta * mw);
                    }
                }
            }
            _partial[MaxChunks + c] = sum;
        }
    }

    private void GradientChunk(int c0, int c1)
    {
        T[] bAlpha = _s[0], bAlphaMt = _s[1], bBeta = _s[2], bBetaMw = _s[3];
        T k = T.CreateTruncating(-_scale);
        for (int c = c0; c < c1; c++)
        {
            var (s, e) = Range(c);
            for (int i = s; i < e; i++)
                _g[i] = k * (_t[i] * bAlpha[i] - bAlphaMt[i] + _w[i] * bBeta[i] - bBetaMw[i]);
        }
    }
}
