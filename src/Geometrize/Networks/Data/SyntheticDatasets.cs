namespace Geometrize.Networks.Data;

/// <summary>
/// Generated low-dimensional sets used to see what a flow network does to its inputs. Every generator is
/// reproducible from its seed; classes are balanced (the first classes get one extra sample when the count does
/// not divide), and samples are stored class by class, so shuffle before batching.
/// The <c>noise</c> argument is always the standard deviation of isotropic Gaussian noise added to the inputs
/// (to the target for <see cref="Rings"/>).
/// </summary>
public static class SyntheticDatasets
{
    /// <summary>Names accepted by <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["two-spirals", "circles", "spheres", "moons", "blobs", "rings", "rings3d"];

    /// <summary>
    /// The named generator with its default shape parameters, for the command line:
    /// two-spirals, circles, spheres (3-D), moons, blobs (3 classes in 2-D), rings (2-D regression), rings3d.
    /// Names are case-insensitive and '_' may stand for '-'.
    /// </summary>
    public static Dataset Create(string name, int count, double noise, int seed)
    {
        string key = (name ?? "").Trim().ToLowerInvariant().Replace('_', '-');
        return key switch
        {
            "two-spirals" or "spirals" => TwoSpirals(count, noise, seed),
            "circles" => ConcentricCircles(count, noise, seed),
            "spheres" => ConcentricSpheres(count, noise, seed),
            "moons" => Moons(count, noise, seed),
            "blobs" => GaussianBlobs(count, 3, 2, noise, seed),
            "rings" => Rings(count, 2, noise, seed),
            "rings3d" => Rings(count, 3, noise, seed),
            _ => throw new InvalidParameterException("--data", $"unknown dataset '{name}'; valid generated sets are: {string.Join(", ", Names)} (or fashion-mnist, or a CSV file).")
        };
    }

    /// <summary>
    /// Two interleaved spirals in the plane (the classic hard case for a shallow network): class c has points
    /// r·(cos(t + cπ), sin(t + cπ)) with r = t / t_max, t in [0.1, 1]·2π·<paramref name="turns"/> drawn with density
    /// proportional to t so points are roughly even along the arc; the outer end has radius 1.
    /// </summary>
    public static Dataset TwoSpirals(int count, double noise, int seed, double turns = 1.5)
    {
        Check(count, 2, noise);
        if (!(turns > 0 && turns <= 20)) throw new InvalidParameterException("turns", $"must be in (0, 20], got {turns}.");
        var g = new Gaussian(seed);
        double tMax = 2 * Math.PI * turns;
        var x = new float[count * 2];
        var y = new int[count];
        for (int i = 0; i < count; i++)
        {
            int c = ClassOf(i, count, 2);
            // sqrt of a uniform makes arc-length density roughly even (the arc grows linearly with t).
            double t = tMax * (0.1 + 0.9 * Math.Sqrt(g.Uniform()));
            double r = t / tMax;
            double a = t + c * Math.PI;
            x[2 * i] = (float)(r * Math.Cos(a) + noise * g.Next());
            x[2 * i + 1] = (float)(r * Math.Sin(a) + noise * g.Next());
            y[i] = c;
        }
        return Dataset.Wrap("two-spirals", x, [2], y, 2, ["spiral 0", "spiral 1"]);
    }

    /// <summary>Two concentric circles of radii 1 (class 0) and <paramref name="innerRadius"/> (class 1).</summary>
    public static Dataset ConcentricCircles(int count, double noise, int seed, double innerRadius = 0.5) =>
        Shells("circles", 2, count, noise, seed, innerRadius);

    /// <summary>Two concentric spheres in 3-D of radii 1 (class 0) and <paramref name="innerRadius"/> (class 1), uniform on each sphere.</summary>
    public static Dataset ConcentricSpheres(int count, double noise, int seed, double innerRadius = 0.5) =>
        Shells("spheres", 3, count, noise, seed, innerRadius);

    /// <summary>Two interleaving half circles ("moons"): class 0 the upper arc centred at 0, class 1 the lower arc centred at (1, 0.5).</summary>
    public static Dataset Moons(int count, double noise, int seed)
    {
        Check(count, 2, noise);
        var g = new Gaussian(seed);
        var x = new float[count * 2];
        var y = new int[count];
        for (int i = 0; i < count; i++)
        {
            int c = ClassOf(i, count, 2);
            double t = Math.PI * g.Uniform();
            double px = c == 0 ? Math.Cos(t) : 1 - Math.Cos(t);
            double py = c == 0 ? Math.Sin(t) : 0.5 - Math.Sin(t);
            x[2 * i] = (float)(px + noise * g.Next());
            x[2 * i + 1] = (float)(py + noise * g.Next());
            y[i] = c;
        }
        return Dataset.Wrap("moons", x, [2], y, 2, ["upper", "lower"]);
    }

    /// <summary>
    /// <paramref name="classes"/> isotropic Gaussian blobs of standard deviation <paramref name="noise"/> in
    /// <paramref name="dimensions"/> dimensions. Centres lie on the sphere of radius 2, chosen from the seed as the
    /// most spread of several random draws, so blobs are well separated when the noise is small.
    /// </summary>
    public static Dataset GaussianBlobs(int count, int classes, int dimensions, double noise, int seed)
    {
        if (classes < 1 || classes > 1000) throw new InvalidParameterException("classes", $"must be in [1, 1000], got {classes}.");
        if (dimensions < 1 || dimensions > 10_000) throw new InvalidParameterException("dimensions", $"must be in [1, 10000], got {dimensions}.");
        Check(count, classes, noise);
        var g = new Gaussian(seed);
        double[] centres = SpreadCentres(classes, dimensions, 2.0, g);
        var x = new float[(long)count * dimensions];
        var y = new int[count];
        for (int i = 0; i < count; i++)
        {
            int c = ClassOf(i, count, classes);
            for (int j = 0; j < dimensions; j++)
                x[(long)i * dimensions + j] = (float)(centres[c * dimensions + j] + noise * g.Next());
            y[i] = c;
        }
        var names = Enumerable.Range(0, classes).Select(c => $"blob {c}").ToArray();
        return Dataset.Wrap("blobs", x, [dimensions], y, classes, names);
    }

    /// <summary>
    /// Younes' "rings" regression: inputs uniform in the disc (d = 2) or ball (d = 3) of radius
    /// <paramref name="radius"/>, target −cos(4r) with r = |x|, plus Gaussian noise of deviation <paramref name="noise"/>
    /// on the target. The level sets are concentric rings, which a flow must learn to separate radially.
    /// </summary>
    public static Dataset Rings(int count, int dimensions, double noise, int seed, double radius = 1.0)
    {
        if (dimensions is not (2 or 3)) throw new InvalidParameterException("dimensions", $"rings are generated in 2 or 3 dimensions, got {dimensions}.");
        if (!(radius > 0 && double.IsFinite(radius))) throw new InvalidParameterException("radius", $"must be positive, got {radius}.");
        Check(count, 1, noise);
        var g = new Gaussian(seed);
        var x = new float[count * dimensions];
        var t = new float[count];
        Span<double> p = stackalloc double[3];
        for (int i = 0; i < count; i++)
        {
            // Rejection from the cube is uniform in the ball and exact (acceptance π/4 or π/6).
            double r2;
            do
            {
                r2 = 0;
                for (int j = 0; j < dimensions; j++) { p[j] = radius * (2 * g.Uniform() - 1); r2 += p[j] * p[j]; }
            } while (r2 > radius * radius);
            for (int j = 0; j < dimensions; j++) x[i * dimensions + j] = (float)p[j];
            t[i] = (float)(-Math.Cos(4 * Math.Sqrt(r2)) + noise * g.Next());
        }
        return Dataset.WrapRegression(dimensions == 2 ? "rings" : "rings3d", x, [dimensions], t, 1);
    }

    private static Dataset Shells(string name, int d, int count, double noise, int seed, double innerRadius)
    {
        Check(count, 2, noise);
        if (!(innerRadius > 0 && innerRadius < 1)) throw new InvalidParameterException("innerRadius", $"must be in (0, 1), got {innerRadius}.");
        var g = new Gaussian(seed);
        var x = new float[count * d];
        var y = new int[count];
        Span<double> p = stackalloc double[3];
        for (int i = 0; i < count; i++)
        {
            int c = ClassOf(i, count, 2);
            double r = c == 0 ? 1.0 : innerRadius;
            // A normalised Gaussian vector is uniform on the sphere in any dimension.
            double norm;
            do
            {
                norm = 0;
                for (int j = 0; j < d; j++) { p[j] = g.Next(); norm += p[j] * p[j]; }
            } while (norm < 1e-12);
            norm = Math.Sqrt(norm);
            for (int j = 0; j < d; j++) x[i * d + j] = (float)(r * p[j] / norm + noise * g.Next());
            y[i] = c;
        }
        return Dataset.Wrap(name, x, [d], y, 2, ["outer", "inner"]);
    }

    private static double[] SpreadCentres(int k, int d, double radius, Gaussian g)
    {
        double[] best = [];
        double bestGap = -1;
        for (int attempt = 0; attempt < 16; attempt++)
        {
            var c = new double[k * d];
            for (int i = 0; i < k; i++)
            {
                double norm;
                do
                {
                    norm = 0;
                    for (int j = 0; j < d; j++) { c[i * d + j] = g.Next(); norm += c[i * d + j] * c[i * d + j]; }
                } while (norm < 1e-12);
                norm = Math.Sqrt(norm);
                for (int j = 0; j < d; j++) c[i * d + j] *= radius / norm;
            }
            double gap = double.PositiveInfinity;
            for (int a = 0; a < k; a++)
                for (int b = a + 1; b < k; b++)
                {
                    double s = 0;
                    for (int j = 0; j < d; j++) { double e = c[a * d + j] - c[b * d + j]; s += e * e; }
                    gap = Math.Min(gap, s);
                }
            if (gap > bestGap) { bestGap = gap; best = c; }
        }
        return best;
    }

    /// <summary>Class of sample i when count samples are split into k balanced consecutive groups.</summary>
    private static int ClassOf(int i, int count, int k) => (int)((long)i * k / count);

    private static void Check(int count, int classes, double noise)
    {
        if (count < classes) throw new InvalidParameterException("count", $"need at least {classes} samples (one per class), got {count}.");
        if (count > 50_000_000) throw new InvalidParameterException("count", $"{count} samples is more than a generated set should hold (50 000 000).");
        if (!(noise >= 0) || !double.IsFinite(noise)) throw new InvalidParameterException("noise", $"must be a finite non-negative standard deviation, got {noise}.");
    }

    /// <summary>Seeded normal variates by the Box–Muller transform (both outputs used), on top of <see cref="Random"/>.</summary>
    private sealed class Gaussian(int seed)
    {
        private readonly Random _rng = new(seed);
        private double _spare;
        private bool _hasSpare;

        public double Uniform() => _rng.NextDouble();

        public double Next()
        {
            if (_hasSpare) { _hasSpare = false; return _spare; }
            double u1 = 1.0 - _rng.NextDouble(); // (0, 1]: log is finite
            double u2 = _rng.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            _spare = r * Math.Sin(2 * Math.PI * u2);
            _hasSpare = true;
            return r * Math.Cos(2 * Math.PI * u2);
        }
    }
}
