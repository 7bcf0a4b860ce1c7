namespace Geometrize.Numerics.Fourier;

/// <summary>
/// Transform-length arithmetic: which sizes the mixed-radix path handles directly and how far to pad.
/// </summary>
public static class FftSizes
{
    /// <summary>
    /// Smallest m ≥ <paramref name="n"/> whose only prime factors are 2, 3 and 5 ("5-smooth"). Padding a grid
    /// to such sizes keeps every axis on the fast mixed-radix path instead of the slower Bluestein path.
    /// </summary>
    /// <param name="n">Requested length, at least 1.</param>
    /// <exception cref="InvalidParameterException">n is below 1, or no 5-smooth int ≥ n exists.</exception>
    public static int NextFriendly(int n)
    {
        if (n < 1) throw new InvalidParameterException("n", $"FFT length must be at least 1, got {n}.");
        for (long m = n; m <= int.MaxValue; m++)
            if (IsFriendly(m)) return (int)m;
        throw new InvalidParameterException("n", $"no 5-smooth length ≥ {n} fits in an int; use a smaller grid.");
    }

    /// <summary>True when <paramref name="n"/> ≥ 1 has no prime factor other than 2, 3 and 5.</summary>
    public static bool IsFriendly(long n)
    {
        if (n < 1) return false;
        while (n % 2 == 0) n /= 2;
        while (n % 3 == 0) n /= 3;
        while (n % 5 == 0) n /= 5;
        return n == 1;
    }

    /// <summary>
    /// Radices of a 5-smooth <paramref name="n"/> in the order the Stockham passes apply them: fours first (fewest
    /// passes), then a single two, then threes and fives. Empty for n = 1.
    /// </summary>
    internal static int[] Radices(int n)
    {
        var r = new List<int>();
        int twos = 0;
        while (n % 2 == 0) { n /= 2; twos++; }
        for (int i = 0; i < twos / 2; i++) r.Add(4);
        if (twos % 2 == 1) r.Add(2);
        while (n % 3 == 0) { n /= 3; r.Add(3); }
        while (n % 5 == 0) { n /= 5; r.Add(5); }
        if (n != 1) throw new InvalidOperationException("Radices called with a length that is not 5-smooth.");
        return r.ToArray();
    }
}
