namespace Geometrize.Analysis;

/// <summary>Seeded random probe vectors and the dense vector arithmetic the Krylov tools share.</summary>
internal static class RandomProbes
{
    /// <summary>Fills <paramref name="v"/> with independent ±1 (Rademacher) entries.</summary>
    public static void Rademacher(Random rng, Span<double> v)
    {
        for (int i = 0; i < v.Length; i++) v[i] = rng.Next(2) == 0 ? -1.0 : 1.0;
    }

    /// <summary>Fills <paramref name="v"/> with independent standard normal entries (Box–Muller).</summary>
    public static void Gaussian(Random rng, Span<double> v)
    {
        for (int i = 0; i < v.Length; i += 2)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            v[i] = r * Math.Cos(2 * Math.PI * u2);
            if (i + 1 < v.Length) v[i + 1] = r * Math.Sin(2 * Math.PI * u2);
        }
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    public static double Norm(ReadOnlySpan<double> a) => Math.Sqrt(Dot(a, a));

    /// <summary>a ← a − c·b.</summary>
    public static void SubtractScaled(Span<double> a, ReadOnlySpan<double> b, double c)
    {
        for (int i = 0; i < a.Length; i++) a[i] -= c * b[i];
    }

    public static void Scale(Span<double> a, double c)
    {
        for (int i = 0; i < a.Length; i++) a[i] *= c;
    }
}
