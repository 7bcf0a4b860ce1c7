using System.Numerics;

namespace Geometrize.Numerics.Fourier;

/// <summary>
/// Plan for the real-to-complex DFT of a real array of the given shape (x fastest: shape[0] = nx, then ny, nz)
/// and its inverse. Conventions follow numpy/scipy <c>rfftn</c>/<c>irfftn</c> with norm="backward": the forward
/// transform is unnormalised, the inverse carries 1/N, and only the half spectrum k_x = 0..nx/2 is stored.
/// </summary>
/// <remarks>
/// Any sizes ≥ 1 are supported: 5-smooth lengths (factors 2, 3, 5) use mixed-radix Stockham passes, others
/// Bluestein's algorithm. Lines along x, and columns along y and z, are transformed
/// <c>Vector256&lt;T&gt;.Count</c> at a time with SIMD across lines, in parallel with <see cref="Parallelism.For"/>;
/// every line is computed by the same arithmetic whatever the thread count, so results are deterministic.
/// Scratch memory (two ping-pong buffers per worker) is allocated by the constructor for the thread setting
/// current at that time; raising the setting later adds workspaces once, on first use. The input and output
/// spans of a call must not overlap. A plan is not safe for concurrent calls from several threads: give each
/// thread its own plan.
/// </remarks>
public sealed unsafe partial class RealFft<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] _shape;
    private readonly int[] _spectrumShape;
    private readonly int _nx, _ny, _nz, _nxh;
    private readonly BatchedFft<T> _xPlan;
    private readonly BatchedFft<T>? _yPlan, _zPlan;
    private readonly FftWorkspacePool<T> _pool;
    private readonly Action<int, int> _xForwardBody, _xInverseBody, _yBody, _zBody;
    private T* _real;
    private T* _spec;
    private bool _inverse;

    /// <summary>Plans transforms of arrays with the given shape (1, 2 or 3 axes, x first; every size ≥ 1).</summary>
    /// <exception cref="InvalidParameterException">The shape has no axis, more than three, a size below 1, or
    /// the spectrum would not fit in one array.</exception>
    public RealFft(ReadOnlySpan<int> shape)
    {
        if (shape.Length is < 1 or > 3)
            throw new InvalidParameterException("shape", $"an FFT plan needs 1, 2 or 3 axes, got {shape.Length}.");
        for (int a = 0; a < shape.Length; a++)
            if (shape[a] < 1)
                throw new InvalidParameterException("shape", $"axis {a} has size {shape[a]}; every FFT axis size must be at least 1.");
        _shape = shape.ToArray();
        _nx = shape[0];
        _ny = shape.Length > 1 ? shape[1] : 1;
        _nz = shape.Length > 2 ? shape[2] : 1;
        _nxh = _nx / 2 + 1;
        long length = (long)_nx * _ny * _nz, spectrum = (long)_nxh * _ny * _nz;
        if (2 * spectrum > Array.MaxLength || length > Array.MaxLength)
            throw new InvalidParameterException("shape", $"the grid {string.Join('x', _shape)} is too large for one FFT array.");
        Length = (int)length;
        SpectrumLength = (int)spectrum;
        _spectrumShape = (int[])_shape.Clone();
        _spectrumShape[0] = _nxh;

        _xPlan = new BatchedFft<T>(_nx % 2 == 0 ? _nx / 2 : _nx);
        if (_ny > 1) _yPlan = _ny == _xPlan.Length ? _xPlan : new BatchedFft<T>(_ny);
        if (_nz > 1) _zPlan = _nz == _ny ? _yPlan : _nz == _xPlan.Length ? _xPlan : new BatchedFft<T>(_nz);
        int rows = Math.Max(_xPlan.BufferRows, _nx / 2 + 1);
        if (_yPlan != null) rows = Math.Max(rows, _yPlan.BufferRows);
        if (_zPlan != null) rows = Math.Max(rows, _zPlan.BufferRows);
        _pool = new FftWorkspacePool<T>((rows + 1) * BatchedFft<T>.RowLength);
        _halfTwiddles = HalfTwiddles(_nx);

        _xForwardBody = ForwardLines;
        _xInverseBody = InverseLines;
        _yBody = (start, end) => Columns(_yPlan!, start, end, _nxh, _nxh, (long)_nxh * _ny);
        _zBody = (start, end) => Columns(_zPlan!, start, end, _nxh * _ny, _nxh * _ny, 0);
    }

    /// <summary>Shape of the real array (x first).</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Shape of the half spectrum: (nx/2 + 1, ny, nz).</summary>
    public ReadOnlySpan<int> SpectrumShape => _spectrumShape;

    /// <summary>Number of complex values in the half spectrum (product of <see cref="SpectrumShape"/>).</summary>
    public int SpectrumLength { get; }

    /// <summary>Number of real values (product of <see cref="Shape"/>).</summary>
    public int Length { get; }

    /// <summary>
    /// Forward real DFT. <paramref name="spectrum"/> receives interleaved (re, im) pairs, length
    /// 2·<see cref="SpectrumLength"/>, x fastest like the input. Unnormalised (as numpy/scipy <c>rfftn</c>).
    /// </summary>
    /// <exception cref="InvalidParameterException">A span has the wrong length.</exception>
    public void Forward(ReadOnlySpan<T> input, Span<T> spectrum)
    {
        CheckLength("input", input.Length, Length, "real values");
        CheckLength("spectrum", spectrum.Length, 2 * SpectrumLength, "values (interleaved re, im)");
        fixed (T* pin = input)
        fixed (T* pspec = spectrum)
        {
            _real = pin; _spec = pspec; _inverse = false;
            try
            {
                Parallelism.For(LineGroups, _xPlan.Cost * 2 * BatchedFft<T>.Lanes, _xForwardBody);
                RunColumns();
            }
            finally { _real = null; _spec = null; }
        }
    }

    /// <summary>
    /// Inverse real DFT including the 1/N factor, so Inverse(Forward(x)) == x (scipy <c>irfftn</c> with s = shape).
    /// As scipy does, the imaginary parts of the bins that must be real (k_x = 0 and, for even nx, k_x = nx/2,
    /// after the y and z inverse transforms) are ignored. <paramref name="spectrum"/> is used as scratch and is
    /// overwritten.
    /// </summary>
    /// <exception cref="InvalidParameterException">A span has the wrong length.</exception>
    public void Inverse(Span<T> spectrum, Span<T> output)
    {
        CheckLength("spectrum", spectrum.Length, 2 * SpectrumLength, "values (interleaved re, im)");
        CheckLength("output", output.Length, Length, "real values");
        fixed (T* pout = output)
        fixed (T* pspec = spectrum)
        {
            _real = pout; _spec = pspec; _inverse = true;
            try
            {
                RunColumns();
                Parallelism.For(LineGroups, _xPlan.Cost * 2 * BatchedFft<T>.Lanes, _xInverseBody);
            }
            finally { _real = null; _spec = null; }
        }
    }

    private int LineGroups => (_ny * _nz + BatchedFft<T>.Lanes - 1) / BatchedFft<T>.Lanes;

    private void RunColumns()
    {
        int blocks = (_nxh + BatchedFft<T>.Lanes - 1) / BatchedFft<T>.Lanes;
        if (_yPlan != null) Parallelism.For(_nz * blocks, _yPlan.Cost * BatchedFft<T>.Lanes, _yBody);
        if (_zPlan != null)
        {
            int zBlocks = (_nxh * _ny + BatchedFft<T>.Lanes - 1) / BatchedFft<T>.Lanes;
            Parallelism.For(zBlocks, _zPlan.Cost * BatchedFft<T>.Lanes, _zBody);
        }
    }

    private static void CheckLength(string name, int actual, int expected, string what)
    {
        if (actual != expected)
            throw new InvalidParameterException(name, $"the FFT plan expects {expected} {what}, got {actual}; check the plan's shape.");
    }
}
