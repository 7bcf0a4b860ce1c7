using System.Numerics;
using Geometrize.Numerics;
using Geometrize.Numerics.Fourier;

namespace Geometrize.Tests.Numerics.Fourier;

public class RealFftTests
{
    public static TheoryData<int> Sizes1D()
    {
        var d = new TheoryData<int>();
        for (int n = 1; n <= 40; n++) d.Add(n);
        foreach (int n in new[] { 49, 64, 81, 97, 125, 128, 181, 210, 243, 256, 257, 360, 1000 }) d.Add(n);
        return d;
    }

    public static TheoryData<int[]> ShapesND() => new()
    {
        new[] { 17, 12 }, new[] { 256, 7 }, new[] { 13, 181 }, new[] { 8, 8 }, new[] { 1, 5 }, new[] { 6, 1 }, new[] { 2, 3 },
        new[] { 5, 7, 9 }, new[] { 12, 11, 3 }, new[] { 9, 10, 8 }, new[] { 1, 1, 1 }, new[] { 4, 1, 6 }, new[] { 16, 20, 2 },
    };

    private static void Check<T>(int[] shape, double tol, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plan = new RealFft<T>(shape);
        var x = NaiveDft.Random(plan.Length, seed);
        var reference = NaiveDft.RealForward(x, shape);
        var xt = x.Select(T.CreateChecked).ToArray();
        var spec = new T[2 * plan.SpectrumLength];
        plan.Forward(xt, spec);
        double fwd = NaiveDft.RelativeError<T>(spec, reference);
        Assert.True(fwd < tol, $"forward {string.Join('x', shape)}: relative error {fwd:E2} ≥ {tol:E0}");

        // Inverse on its own: the exact spectrum must give back the input.
        var exact = reference.Select(T.CreateChecked).ToArray();
        var back = new T[plan.Length];
        plan.Inverse(exact, back);
        double inv = NaiveDft.RelativeError<T>(back, x);
        Assert.True(inv < tol, $"inverse {string.Join('x', shape)}: relative error {inv:E2} ≥ {tol:E0}");

        plan.Inverse(spec, back);
        double rt = NaiveDft.RelativeError<T>(back, x);
        Assert.True(rt < tol, $"round trip {string.Join('x', shape)}: relative error {rt:E2} ≥ {tol:E0}");
    }

    [Theory]
    [MemberData(nameof(Sizes1D))]
    public void OneDimensionalDoubleMatchesNaiveDft(int n) => Check<double>([n], 1e-12, n);

    [Theory]
    [MemberData(nameof(Sizes1D))]
    public void OneDimensionalFloatMatchesNaiveDft(int n) => Check<float>([n], 1e-5, n + 1000);

    [Theory]
    [MemberData(nameof(ShapesND))]
    public void MultiDimensionalDoubleMatchesNaiveSeparableDft(int[] shape) => Check<double>(shape, 1e-12, shape.Sum());

    [Theory]
    [MemberData(nameof(ShapesND))]
    public void MultiDimensionalFloatMatchesNaiveSeparableDft(int[] shape) => Check<float>(shape, 1e-5, shape.Sum() + 7);

    [Theory]
    [InlineData(new[] { 30, 17, 6 })]
    [InlineData(new[] { 31, 16 })]
    public void DcIsSumAndParsevalHolds(int[] shape)
    {
        var plan = new RealFft<double>(shape);
        var x = NaiveDft.Random(plan.Length, 11);
        var spec = new double[2 * plan.SpectrumLength];
        plan.Forward(x, spec);
        Assert.Equal(x.Sum(), spec[0], 10);
        Assert.Equal(0, spec[1], 10);
        int nx = shape[0], nxh = nx / 2 + 1;
        double energy = 0, spectral = 0;
        foreach (double v in x) energy += v * v;
        for (int i = 0; i < plan.SpectrumLength; i++)
        {
            int kx = i % nxh;
            // Bins kx and nx − kx are both represented by kx, except the self-conjugate ones.
            double weight = kx == 0 || (nx % 2 == 0 && kx == nx / 2) ? 1 : 2;
            spectral += weight * (spec[2 * i] * spec[2 * i] + spec[2 * i + 1] * spec[2 * i + 1]);
        }
        Assert.Equal(energy, spectral / plan.Length, 9);
    }

    [Theory]
    [InlineData(new[] { 64, 48, 30 })]
    [InlineData(new[] { 181, 90 })]
    public void ResultDoesNotDependOnThreadCount(int[] shape)
    {
        int saved = Parallelism.MaxDegreeOfParallelism;
        try
        {
            var x = NaiveDft.Random(shape.Aggregate(1, (a, b) => a * b), 5).Select(v => (float)v).ToArray();
            float[] Run(int threads)
            {
                Parallelism.MaxDegreeOfParallelism = threads;
                var plan = new RealFft<float>(shape);
                var spec = new float[2 * plan.SpectrumLength];
                plan.Forward(x, spec);
                var back = new float[plan.Length];
                plan.Inverse((float[])spec.Clone(), back);
                return spec.Concat(back).ToArray();
            }
            Assert.Equal(Run(1), Run(2));
        }
        finally { Parallelism.MaxDegreeOfParallelism = saved; }
    }

    [Theory]
    [InlineData(new[] { 10, 6 })]
    [InlineData(new[] { 9, 6 })]
    public void InverseIgnoresImaginaryPartsOfSelfConjugateBins(int[] shape)
    {
        // As scipy's irfftn: after the y inverse, bins kx = 0 (and kx = nx/2 for even nx) must be real, so any
        // imaginary part there is dropped. Adding i·c to every kx = 0 bin of one row adds a purely imaginary
        // line after the y inverse, which must not change the output.
        var plan = new RealFft<double>(shape);
        var x = NaiveDft.Random(plan.Length, 21);
        var spec = new double[2 * plan.SpectrumLength];
        plan.Forward(x, spec);
        int nxh = shape[0] / 2 + 1;
        for (int y = 0; y < shape[1]; y++)
        {
            spec[2 * (y * nxh) + 1] += 0.75;
            if (shape[0] % 2 == 0) spec[2 * (y * nxh + nxh - 1) + 1] -= 0.5;
        }
        var back = new double[plan.Length];
        plan.Inverse(spec, back);
        Assert.True(NaiveDft.RelativeError<double>(back, x) < 1e-12);
    }

    [Fact]
    public void PlanIsReusable()
    {
        var plan = new RealFft<float>([24, 10]);
        var x = NaiveDft.Random(plan.Length, 3).Select(v => (float)v).ToArray();
        var s1 = new float[2 * plan.SpectrumLength];
        var s2 = new float[2 * plan.SpectrumLength];
        plan.Forward(x, s1);
        plan.Forward(x, s2);
        Assert.Equal(s1, s2);
    }

    [Fact]
    public void ReportsShapes()
    {
        var plan = new RealFft<double>([9, 4, 3]);
        Assert.Equal(new[] { 9, 4, 3 }, plan.Shape.ToArray());
        Assert.Equal(new[] { 5, 4, 3 }, plan.SpectrumShape.ToArray());
        Assert.Equal(60, plan.SpectrumLength);
        Assert.Equal(108, plan.Length);
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 0 })]
    [InlineData(new[] { 4, -2 })]
    [InlineData(new[] { 2, 2, 2, 2 })]
    public void RejectsBadShape(int[] shape)
    {
        var e = Assert.Throws<InvalidParameterException>(() => new RealFft<float>(shape));
        Assert.Equal("shape", e.Parameter);
    }

    [Fact]
    public void RejectsWrongSpanLengths()
    {
        var plan = new RealFft<float>([8, 3]);
        var e = Assert.Throws<InvalidParameterException>(() => plan.Forward(new float[23], new float[30]));
        Assert.Contains("expects 24", e.Message);
        e = Assert.Throws<InvalidParameterException>(() => plan.Forward(new float[24], new float[29]));
        Assert.Contains("expects 30", e.Message);
        e = Assert.Throws<InvalidParameterException>(() => plan.Inverse(new float[30], new float[25]));
        Assert.Equal("output", e.Parameter);
    }
}
