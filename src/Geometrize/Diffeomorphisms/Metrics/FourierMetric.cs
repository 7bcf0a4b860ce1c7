using System.Numerics;
using System.Numerics.Tensors;
using Geometrize.Numerics;
using Geometrize.Numerics.Fourier;

namespace Geometrize.Diffeomorphisms.Metrics;

/// <summary>
/// The Sobolev metric L = (γ − αΔ)^s − β∇∇· on velocity fields, applied in Fourier space, and its inverse K = L⁻¹
/// (the smoothing kernel that turns a momentum into a velocity, v = Km).
/// </summary>
/// <remarks>
/// <para>The Laplacian is the discrete 5/7-point one, whose Fourier symbol is
/// λ(k) = Σ_a (2 − 2cos(2πk_a/N_a))/h_a² with h the physical spacing, so L̂(k) = (γ + αλ(k))^s per component and
/// K is an exact division: K(Lv) = v to round-off on the (periodic) grid. The fluid term uses forward differences
/// for ∇ and their negative adjoint for ∇·, giving the Hermitian symbol β d dᴴ with d_a = (e^{iθ_a} − 1)/h_a; its
/// inverse follows from the Sherman–Morrison formula, so K stays exact.</para>
/// <para>Fields are treated as periodic. With <c>padToFastSizes</c> each axis is zero-padded to the next size
/// with prime factors 2, 3, 5 and the result is cropped: the operator is then PᵀK̃P, still symmetric positive
/// definite, at FFT speed, but K and L are no longer exact inverses of each other near the border.</para>
/// <para>Inner products are physical integrals: ⟨a, b⟩ = Σ_x a(x)·b(x) · voxel volume, so energies agree across
/// pyramid levels. An instance owns its FFT plans and buffers: it allocates nothing per call and is not
/// thread-safe.</para>
/// </remarks>
public sealed class FourierMetric<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly RealFft<T> _fft;
    private readonly int[] _size, _padded;
    private readonly bool _isPadded;
    private readonly T[] _real;          // padded real buffer
    private readonly T[][] _spectra;     // one interleaved spectrum per component
    private readonly T[] _symbolL, _symbolK; // scalar symbols duplicated per (re, im) for SIMD multiplies
    private readonly double[][] _dRe, _dIm;  // per-axis forward-difference symbols (fluid term)
    private readonly double[][] _lambdaAxis; // per-axis Laplacian symbols
    private VectorField<T>? _scratch;

    /// <summary>Builds the operator for fields on <paramref name="geometry"/>.</summary>
    /// <param name="geometry">Grid of the fields (spacing enters the symbol).</param>
    /// <param name="parameters">α, γ, s, β (validated).</param>
    /// <param name="padToFastSizes">Zero-pad each axis to a 2·3·5-smooth size (faster FFTs; see remarks).</param>
    public FourierMetric(ImageGeometry geometry, MetricParameters parameters, bool padToFastSizes = false)
    {
        Geometry = geometry;
        Parameters = parameters.Validate();
        int d = geometry.Dimension;
        _size = geometry.Size.ToArray();
        _padded = padToFastSizes ? _size.Select(FftSizes.NextFriendly).ToArray() : (int[])_size.Clone();
        _isPadded = !_padded.SequenceEqual(_size);
        _fft = new RealFft<T>(_padded);
        _real = new T[_fft.Length];
        _spectra = new T[d][];
        for (int c = 0; c < d; c++) _spectra[c] = new T[2 * _fft.SpectrumLength];
        VoxelVolume = 1;
        for (int a = 0; a < d; a++) VoxelVolume *= geometry.Spacing[a];

        int spectralX = _padded[0] / 2 + 1;
        _lambdaAxis = new double[d][];
        _dRe = new double[d][];
        _dIm = new double[d][];
        for (int a = 0; a < d; a++)
        {
            int n = a == 0 ? spectralX : _padded[a];
            double h = geometry.Spacing[a];
            _lambdaAxis[a] = new double[n];
            _dRe[a] = new double[n];
            _dIm[a] = new double[n];
            for (int k = 0; k < n; k++)
            {
                double theta = 2 * Math.PI * k / _padded[a];
                _lambdaAxis[a][k] = (2 - 2 * Math.Cos(theta)) / (h * h);
                _dRe[a][k] = (Math.Cos(theta) - 1) / h;
                _dIm[a][k] = Math.Sin(theta) / h;
            }
        }
        _symbolL = new T[2 * _fft.SpectrumLength];
        _symbolK = new T[2 * _fft.SpectrumLength];
        ForEachFrequency((i, lambda) =>
        {
            double l = Math.Pow(Parameters.Gamma + Parameters.Alpha * lambda, Parameters.Power);
            _symbolL[2 * i] = _symbolL[2 * i + 1] = T.CreateTruncating(l);
            _symbolK[2 * i] = _symbolK[2 * i + 1] = T.CreateTruncating(1 / l);
        });
    }

    /// <summary>The grid the operator acts on.</summary>
    public ImageGeometry Geometry { get; }
    /// <summary>α, γ, s, β.</summary>
    public MetricParameters Parameters { get; }
    /// <summary>Physical volume (area in 2-D) of one voxel, the weight of the discrete inner product.</summary>
    public double VoxelVolume { get; }
    /// <summary>The FFT grid size per axis (equal to the field size unless padded).</summary>
    public ReadOnlySpan<int> TransformSize => _padded;

    /// <summary>Velocity from momentum: <paramref name="velocity"/> = K <paramref name="momentum"/>. The two may be the same field.</summary>
    public void ApplyK(VectorField<T> momentum, VectorField<T> velocity) => Apply(momentum, velocity, inverse: true);

    /// <summary>Momentum from velocity: <paramref name="momentum"/> = L <paramref name="velocity"/>. The two may be the same field.</summary>
    public void ApplyL(VectorField<T> velocity, VectorField<T> momentum) => Apply(velocity, momentum, inverse: false);

    /// <summary>Applies the scalar operator (γ − αΔ)^{-s} to one scalar field (the fluid term does not act on scalars).</summary>
    public void ApplyK(ScalarField<T> input, ScalarField<T> output) => ApplyScalar(input.Span, output.Span, input.Geometry, output.Geometry, _symbolK);

    /// <summary>Applies the scalar operator (γ − αΔ)^s to one scalar field.</summary>
    public void ApplyL(ScalarField<T> input, ScalarField<T> output) => ApplyScalar(input.Span, output.Span, input.Geometry, output.Geometry, _symbolL);

    /// <summary>Physical L² inner product Σ a·b · voxel volume, accumulated in double.</summary>
    public double InnerProduct(VectorField<T> a, VectorField<T> b)
    {
        Require(a, "first field");
        Require(b, "second field");
        return Reductions.Dot<T>(a.Span, b.Span) * VoxelVolume;
    }

    /// <summary>‖v‖²_V = ⟨Lv, v⟩ (uses an internal scratch field).</summary>
    public double Norm2(VectorField<T> velocity)
    {
        var s = Scratch();
        ApplyL(velocity, s);
        return InnerProduct(s, velocity);
    }

    /// <summary>‖m‖²_{V*} = ⟨m, Km⟩, the energy of a momentum (equals ‖Km‖²_V).</summary>
    public double DualNorm2(VectorField<T> momentum)
    {
        var s = Scratch();
        ApplyK(momentum, s);
        return InnerProduct(momentum, s);
    }

    private VectorField<T> Scratch() => _scratch ??= new VectorField<T>(Geometry);

    private void Require(VectorField<T> f, string what)
    {
        if (f.Components != Geometry.Dimension)
            throw new GridMismatchException($"{what} has {f.Components} components; the metric acts on {Geometry.Dimension}-component velocity fields.");
        f.Geometry.RequireSameGrid(Geometry, $"the {what} and the metric");
    }

    private void Apply(VectorField<T> input, VectorField<T> output, bool inverse)
    {
        Require(input, "input field");
        Require(output, "output field");
        int d = Geometry.Dimension;
        for (int c = 0; c < d; c++) ForwardComponent(input.Component(c), _spectra[c]);
        if (Parameters.Beta == 0)
        {
            var symbol = inverse ? _symbolK : _symbolL;
            for (int c = 0; c < d; c++) TensorPrimitives.Multiply(_spectra[c], symbol, _spectra[c]);
        }
        else
        {
            ApplyFluidSymbol(inverse);
        }
        for (int c = 0; c < d; c++) InverseComponent(_spectra[c], output.Component(c));
    }

    private void ApplyScalar(Span<T> input, Span<T> output, ImageGeometry gi, ImageGeometry go, T[] symbol)
    {
        gi.RequireSameGrid(Geometry, "the input field and the metric");
        go.RequireSameGrid(Geometry, "the output field and the metric");
        ForwardComponent(input, _spectra[0]);
        TensorPrimitives.Multiply(_spectra[0], symbol, _spectra[0]);
        InverseComponent(_spectra[0], output);
    }

    private void ForwardComponent(ReadOnlySpan<T> component, T[] spectrum)
    {
        if (!_isPadded)
        {
            _fft.Forward(component, spectrum);
            return;
        }
        Array.Clear(_real);
        CopyBlock(component, _size, _real, _padded);
        _fft.Forward(_real, spectrum);
    }

    private void InverseComponent(T[] spectrum, Span<T> component)
    {
        if (!_isPadded)
        {
            _fft.Inverse(spectrum, component);
            return;
        }
        _fft.Inverse(spectrum, _real);
        CopyBlock(_real, _padded, component, _size);
    }

    /// <summary>Copies the common corner block between two x-fastest arrays of different shapes.</summary>
    private static void CopyBlock(ReadOnlySpan<T> src, int[] srcShape, Span<T> dst, int[] dstShape)
    {
        int nx = Math.Min(srcShape[0], dstShape[0]), ny = Math.Min(srcShape[1], dstShape[1]);
        int nz = srcShape.Length > 2 ? Math.Min(srcShape[2], dstShape[2]) : 1;
        int sy = srcShape[1], dy = dstShape[1];
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                src.Slice(srcShape[0] * (y + sy * z), nx).CopyTo(dst.Slice(dstShape[0] * (y + dy * z), nx));
    }

    /// <summary>Calls <paramref name="body"/>(spectral index, λ(k)) for every half-spectrum frequency.</summary>
    private void ForEachFrequency(Action<int, double> body)
    {
        int sx = _lambdaAxis[0].Length, ny = _padded[1], nz = _padded.Length > 2 ? _padded[2] : 1;
        for (int z = 0; z < nz; z++)
        {
            double lz = _padded.Length > 2 ? _lambdaAxis[2][z] : 0;
            for (int y = 0; y < ny; y++)
            {
                double lyz = lz + _lambdaAxis[1][y];
                int row = sx * (y + ny * z);
                for (int x = 0; x < sx; x++) body(row + x, lyz + _lambdaAxis[0][x]);
            }
        }
    }

    /// <summary>
    /// Per frequency, L̂ = cI + β d dᴴ or K̂ = (1/c)(I − β d dᴴ/(c + β|d|²)) (Sherman–Morrison), applied to the
    /// d-vector of component spectra.
    /// </summary>
    private void ApplyFluidSymbol(bool inverse)
    {
        int dim = Geometry.Dimension;
        int sx = _lambdaAxis[0].Length, ny = _padded[1], nz = dim > 2 ? _padded[2] : 1;
        double beta = Parameters.Beta;
        Parallelism.For(ny * nz, 64L * sx, (start, end) =>
        {
            Span<double> dr = stackalloc double[3], di = stackalloc double[3], vr = stackalloc double[3], vi = stackalloc double[3];
            for (int line = start; line < end; line++)
            {
                int y = line % ny, z = line / ny;
                for (int x = 0; x < sx; x++)
                {
                    int i = x + sx * line;
                    dr[0] = _dRe[0][x]; di[0] = _dIm[0][x];
                    dr[1] = _dRe[1][y]; di[1] = _dIm[1][y];
                    double lambda = _lambdaAxis[0][x] + _lambdaAxis[1][y];
                    if (dim > 2) { dr[2] = _dRe[2][z]; di[2] = _dIm[2][z]; lambda += _lambdaAxis[2][z]; }
                    // s = dᴴ v
                    double sr = 0, si = 0;
                    for (int a = 0; a < dim; a++)
                    {
                        vr[a] = double.CreateTruncating(_spectra[a][2 * i]);
                        vi[a] = double.CreateTruncating(_spectra[a][2 * i + 1]);
                        sr += dr[a] * vr[a] + di[a] * vi[a];
                        si += dr[a] * vi[a] - di[a] * vr[a];
                    }
                    double c = double.CreateTruncating(_symbolL[2 * i]);
                    double scale, coupling;
                    if (inverse) { scale = 1 / c; coupling = -beta / (c * (c + beta * lambda)); }
                    else { scale = c; coupling = beta; }
                    for (int a = 0; a < dim; a++)
                    {
                        // coupling · d_a · s
                        double cr = coupling * (dr[a] * sr - di[a] * si);
                        double ci = coupling * (dr[a] * si + di[a] * sr);
                        _spectra[a][2 * i] = T.CreateTruncating(scale * vr[a] + cr);
                        _spectra[a][2 * i + 1] = T.CreateTruncating(scale * vi[a] + ci);
                    }
                }
            }
        });
    }
}
