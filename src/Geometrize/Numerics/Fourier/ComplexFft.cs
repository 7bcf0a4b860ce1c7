using System.Numerics;

namespace Geometrize.Numerics.Fourier;

/// <summary>
/// One-dimensional complex DFT of any length ≥ 1 on interleaved (re, im) data, in place. Forward is
/// unnormalised, exp(−2πi jk/n); <see cref="Inverse"/> carries 1/n (numpy <c>fft</c>/<c>ifft</c>).
/// </summary>
/// <remarks>
/// Shares the batched kernels of <see cref="RealFft{T}"/>, using one lane: it is meant for occasional 1-D
/// transforms; multi-dimensional work should go through <see cref="RealFft{T}"/>, which fills every SIMD lane.
/// Scratch is allocated once by the constructor, so an instance is not safe for concurrent calls.
/// </remarks>
public sealed class ComplexFft<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly BatchedFft<T> _plan;
    private readonly T[] _a, _b;

    /// <summary>Plans transforms of <paramref name="length"/> complex values.</summary>
    /// <exception cref="InvalidParameterException">length is below 1.</exception>
    public ComplexFft(int length)
    {
        if (length < 1) throw new InvalidParameterException("length", $"FFT length must be at least 1, got {length}.");
        _plan = new BatchedFft<T>(length);
        _a = new T[(_plan.BufferRows + 1) * BatchedFft<T>.RowLength];
        _b = new T[_a.Length];
    }

    /// <summary>Number of complex values per transform.</summary>
    public int Length => _plan.Length;

    /// <summary>Forward DFT of <paramref name="data"/> (2·Length interleaved values), in place, unnormalised.</summary>
    /// <exception cref="InvalidParameterException">The span length is not 2·Length.</exception>
    public void Forward(Span<T> data) => Run(data, false);

    /// <summary>Inverse DFT of <paramref name="data"/> in place, including the 1/n factor.</summary>
    /// <exception cref="InvalidParameterException">The span length is not 2·Length.</exception>
    public void Inverse(Span<T> data) => Run(data, true);

    private void Run(Span<T> data, bool inverse)
    {
        int n = Length;
        if (data.Length != 2 * n)
            throw new InvalidParameterException("data", $"the complex FFT plan expects {2 * n} values (interleaved re, im), got {data.Length}.");
        int r = BatchedFft<T>.RowLength, lanes = BatchedFft<T>.Lanes;
        int reOff = inverse ? lanes : 0, imOff = lanes - reOff;
        T scale = inverse ? T.One / T.CreateChecked(n) : T.One;
        for (int k = 0; k < n; k++)
        {
            _a[k * r + reOff] = data[2 * k];
            _a[k * r + imOff] = data[2 * k + 1];
        }
        var res = _plan.Transform(_a, _b);
        for (int k = 0; k < n; k++)
        {
            data[2 * k] = res[k * r + reOff] * scale;
            data[2 * k + 1] = res[k * r + imOff] * scale;
        }
    }
}
