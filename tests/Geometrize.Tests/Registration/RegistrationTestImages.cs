using System.Numerics;
using Geometrize.Numerics;

namespace Geometrize.Tests.Registration;

/// <summary>Smooth synthetic images for the registration tests.</summary>
internal static class RegistrationTestImages
{
    /// <summary>A smooth random image in about [0, 1]: a sum of random Gaussian blobs plus optional white noise.</summary>
    public static ScalarField<T> Blobs<T>(ImageGeometry g, int seed, int blobs = 6, double noise = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        int d = g.Dimension;
        var centres = new double[blobs, 3];
        var widths = new double[blobs];
        var heights = new double[blobs];
        for (int b = 0; b < blobs; b++)
        {
            for (int a = 0; a < d; a++) centres[b, a] = rng.NextDouble() * g.Size[a];
            widths[b] = (0.12 + 0.15 * rng.NextDouble()) * g.Size.ToArray().Min();
            heights[b] = 0.3 + 0.7 * rng.NextDouble();
        }
        var f = new ScalarField<T>(g);
        for (int z = 0; z < g.Nz; z++)
            for (int y = 0; y < g.Ny; y++)
                for (int x = 0; x < g.Nx; x++)
                {
                    double v = 0;
                    for (int b = 0; b < blobs; b++)
                    {
                        double r2 = Sq(x - centres[b, 0]) + Sq(y - centres[b, 1]) + (d == 3 ? Sq(z - centres[b, 2]) : 0);
                        v += heights[b] * Math.Exp(-r2 / (2 * widths[b] * widths[b]));
                    }
                    f[x, y, z] = T.CreateTruncating(Math.Min(1, v) + noise * (rng.NextDouble() - 0.5));
                }
        return f;
    }

    /// <summary>A disc of radius <paramref name="radius"/> voxels (value 1, soft edge of one voxel) centred at (cx, cy).</summary>
    public static ScalarField<float> Disc(ImageGeometry g, double cx, double cy, double radius)
    {
        var f = new ScalarField<float>(g);
        for (int y = 0; y < g.Ny; y++)
            for (int x = 0; x < g.Nx; x++)
            {
                double r = Math.Sqrt(Sq(x - cx) + Sq(y - cy));
                f[x, y] = (float)Math.Clamp(radius + 0.5 - r, 0, 1);
            }
        return f;
    }

    private static double Sq(double v) => v * v;
}
