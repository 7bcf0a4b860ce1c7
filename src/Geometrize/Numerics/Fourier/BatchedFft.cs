using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Geometrize.Numerics.Fourier;

/// <summary>
/// Forward complex DFT of length <see cref="Length"/> applied to <c>Vector256&lt;T&gt;.Count</c> signals at once in
/// the batched row layout of <see cref="StockhamPasses{T}"/> (row k: real parts of sample k of every lane, then
/// imaginary parts). 5-smooth lengths use mixed-radix Stockham passes; other lengths use Bluestein's chirp-z
/// algorithm, which turns the DFT into a cyclic convolution of 5-smooth length M ≥ 2n − 1.
/// </summary>
/// <remarks>
/// The inverse transform is obtained by the callers with the identity IDFT(z) = swap(DFT(swap(z))), where
/// swap exchanges real and imaginary parts: in this layout that is just a choice of row offsets.
/// Immutable after construction, so one instance serves any number of threads (each with its own buffers).
/// </remarks>
internal sealed class BatchedFft<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] _radix = [];
    private readonly int[] _m = [];
    private readonly T[][] _twiddles = [];
    private readonly BatchedFft<T>? _inner;
    private readonly T[] _chirp = [];
    private readonly T[] _kernel = [];

    /// <summary>Number of lanes transformed together.</summary>
    internal static int Lanes => Vector256<T>.Count;

    /// <summary>Number of T values per row (one complex sample for every lane).</summary>
    internal static int RowLength => 2 * Vector256<T>.Count;

    /// <summary>Plans the transform of length <paramref name="n"/> ≥ 1.</summary>
    public BatchedFft(int n)
    {
        Length = n;
        if (FftSizes.IsFriendly(n))
        {
            BufferRows = n;
            _radix = FftSizes.Radices(n);
            _m = new int[_radix.Length];
            _twiddles = new T[_radix.Length][];
            int l = n;
            for (int i = 0; i < _radix.Length; i++)
            {
                _m[i] = l / _radix[i];
                _twiddles[i] = StockhamPasses<T>.Twiddles(_radix[i], _m[i]);
                l = _m[i];
            }
            return;
        }
        int big = FftSizes.NextFriendly(2 * n - 1);
        BufferRows = big;
        _inner = new BatchedFft<T>(big);
        // Chirp c_k = exp(−iπ k²/n): the DFT exponent jk = (j² + k² − (k − j)²)/2 splits into two chirps and a
        // convolution with conj(c). k² is reduced mod 2n in integers so the angle stays accurate for large n.
        _chirp = new T[2 * n];
        var b = new double[big * BatchedFft<double>.RowLength];
        int rd = BatchedFft<double>.RowLength, cd = BatchedFft<double>.Lanes;
        for (int k = 0; k < n; k++)
        {
            long e = (long)k * k % (2L * n);
            var (sin, cos) = Math.SinCos(Math.PI * e / n);
            _chirp[2 * k] = T.CreateChecked(cos);
            _chirp[2 * k + 1] = T.CreateChecked(-sin);
            b[k * rd] = cos; b[k * rd + cd] = sin;
            if (k > 0) { b[(big - k) * rd] = cos; b[(big - k) * rd + cd] = sin; }
        }
        // The kernel's spectrum is computed once, in double, and already carries the 1/M of the inverse.
        var scratch = new double[b.Length];
        var spec = new BatchedFft<double>(big).Transform(b, scratch);
        _kernel = new T[2 * big];
        for (int k = 0; k < big; k++)
        {
            _kernel[2 * k] = T.CreateChecked(spec[k * rd] / big);
            _kernel[2 * k + 1] = T.CreateChecked(spec[k * rd + cd] / big);
        }
    }

    /// <summary>Transform length n.</summary>
    public int Length { get; }

    /// <summary>Rows each of the two work buffers passed to <see cref="Transform"/> must hold (n, or M for Bluestein).</summary>
    public int BufferRows { get; }

    /// <summary>Approximate cost of one batched transform in vector operations, for parallel scheduling.</summary>
    public long Cost => (long)BufferRows * (BitOperations.Log2((uint)BufferRows) + 1) * (_inner != null ? 3 : 1) * 4;

    /// <summary>
    /// Transforms the n rows in <paramref name="x"/>, using <paramref name="y"/> as ping-pong storage. Both must
    /// hold <see cref="BufferRows"/> rows; rows beyond n are overwritten. Returns whichever of the two spans holds
    /// the result in its first n rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Span<T> Transform(Span<T> x, Span<T> y)
    {
        if (_inner == null)
        {
            for (int i = 0; i < _radix.Length; i++)
            {
                int s = Length / (_m[i] * _radix[i]);
                StockhamPasses<T>.Run(_radix[i], _m[i], s, ref x[0], ref y[0], _twiddles[i]);
                var t = x; x = y; y = t;
            }
            return x;
        }
        return Bluestein(x, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Span<T> Bluestein(Span<T> x, Span<T> y)
    {
        int n = Length, big = BufferRows, c = Lanes, r = RowLength;
        ref T xr = ref x[0];
        ref T ch = ref _chirp[0];
        // a_j = x_j · c_j, zero padded to M.
        for (int k = 0; k < n; k++)
        {
            var wr = Vector256.Create(Unsafe.Add(ref ch, 2 * k));
            var wi = Vector256.Create(Unsafe.Add(ref ch, 2 * k + 1));
            ref T row = ref Unsafe.Add(ref xr, k * r);
            var ar = Vector256.LoadUnsafe(ref row); var ai = Vector256.LoadUnsafe(ref row, (nuint)c);
            (ar * wr - ai * wi).StoreUnsafe(ref row);
            (ar * wi + ai * wr).StoreUnsafe(ref row, (nuint)c);
        }
        x.Slice(n * r, (big - n) * r).Clear();
        var a = _inner!.Transform(x, y);
        var other = Unsafe.AreSame(ref a[0], ref x[0]) ? y : x;
        // Pointwise product with the kernel spectrum, stored with re/im swapped so that the next forward
        // transform computes the inverse one.
        ref T ar0 = ref a[0];
        ref T kr = ref _kernel[0];
        for (int k = 0; k < big; k++)
        {
            var wr = Vector256.Create(Unsafe.Add(ref kr, 2 * k));
            var wi = Vector256.Create(Unsafe.Add(ref kr, 2 * k + 1));
            ref T row = ref Unsafe.Add(ref ar0, k * r);
            var pr = Vector256.LoadUnsafe(ref row); var pi = Vector256.LoadUnsafe(ref row, (nuint)c);
            (pr * wi + pi * wr).StoreUnsafe(ref row);
            (pr * wr - pi * wi).StoreUnsafe(ref row, (nuint)c);
        }
        var q = _inner.Transform(a, other);
        // X_k = c_k · swap(Q_k).
        ref T q0 = ref q[0];
        for (int k = 0; k < n; k++)
        {
            var wr = Vector256.Create(Unsafe.Add(ref ch, 2 * k));
            var wi = Vector256.Create(Unsafe.Add(ref ch, 2 * k + 1));
            ref T row = ref Unsafe.Add(ref q0, k * r);
            var zi = Vector256.LoadUnsafe(ref row); var zr = Vector256.LoadUnsafe(ref row, (nuint)c);
            (zr * wr - zi * wi).StoreUnsafe(ref row);
            (zr * wi + zi * wr).StoreUnsafe(ref row, (nuint)c);
        }
        return q;
    }
}
