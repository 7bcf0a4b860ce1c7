using Geometrize.Numerics;
using Geometrize.Registration;

namespace Geometrize.Tests.Registration;

public class FlowGridTransferTests
{
    private static (FlowGridTransfer<double> Transfer, ImageGeometry Flow, ImageGeometry Image) Make(int[] size, double[] spacing, int factor)
    {
        var image = new ImageGeometry(size, spacing);
        var flow = Resampling.ShrunkGeometry(image, Enumerable.Repeat(factor, size.Length).ToArray());
        return (new FlowGridTransfer<double>(flow, image), flow, image);
    }

    [Theory]
    [InlineData(new[] { 24, 20 }, 2)]
    [InlineData(new[] { 25, 19 }, 2)]
    [InlineData(new[] { 13, 12, 10 }, 3)]
    public void IdentityIsCarriedExactly(int[] size, int factor)
    {
        var (t, flow, image) = Make(size, size.Select(_ => 1.2).ToArray(), factor);
        var id = new VectorField<double>(flow);
        DisplacementFields.IdentityMap(id);
        var mapped = new VectorField<double>(image);
        t.Map(id, mapped);
        var expected = new VectorField<double>(image);
        DisplacementFields.IdentityMap(expected);
        for (int i = 0; i < expected.Data.Length; i++) Assert.Equal(expected.Data[i], mapped.Data[i], 1e-12);
    }

    [Fact]
    public void ConstantDisplacementIsRescaledToImageVoxels()
    {
        // A shift of 1 flow voxel (2 mm at factor 2, spacing 1 mm) is a shift of 2 image voxels everywhere.
        var (t, flow, image) = Make([20, 16], [1.0, 1.0], 2);
        var map = new VectorField<double>(flow);
        DisplacementFields.IdentityMap(map);
        for (int i = 0; i < flow.Count; i++) map.Data[i] += 1;
        var mapped = new VectorField<double>(image);
        t.Map(map, mapped);
        var id = new VectorField<double>(image);
        DisplacementFields.IdentityMap(id);
        for (int i = 0; i < image.Count; i++)
        {
            Assert.Equal(id.Data[i] + 2, mapped.Data[i], 1e-12);
            Assert.Equal(id.Data[image.Count + i], mapped.Data[image.Count + i], 1e-12);
        }
    }

    [Theory]
    [InlineData(new[] { 25, 19 }, 2)]
    [InlineData(new[] { 13, 12, 10 }, 2)]
    public void AdjointIsTheTranspose(int[] size, int factor)
    {
        // ⟨Map(ψ) − Map(0-displacement), λ⟩ = ⟨ψ − id, MapAdjoint(λ)⟩: Map is affine in ψ with linear part S·Interp.
        var (t, flow, image) = Make(size, size.Select((_, a) => 0.9 + 0.2 * a).ToArray(), factor);
        var rng = new Random(3);
        var psi = new VectorField<double>(flow);
        DisplacementFields.IdentityMap(psi);
        var delta = new double[psi.Data.Length];
        for (int i = 0; i < delta.Length; i++) { delta[i] = rng.NextDouble() - 0.5; psi.Data[i] += delta[i]; }
        var lambda = new VectorField<double>(image);
        for (int i = 0; i < lambda.Data.Length; i++) lambda.Data[i] = rng.NextDouble() - 0.5;
        var mapped = new VectorField<double>(image);
        t.Map(psi, mapped);
        var id = new VectorField<double>(image);
        DisplacementFields.IdentityMap(id);
        double left = 0;
        for (int i = 0; i < lambda.Data.Length; i++) left += (mapped.Data[i] - id.Data[i]) * lambda.Data[i];
        var back = new VectorField<double>(flow);
        t.MapAdjoint(lambda, back);
        double right = 0;
        for (int i = 0; i < delta.Length; i++) right += delta[i] * back.Data[i];
        Assert.Equal(left, right, Math.Abs(left) * 1e-12);
    }
}
