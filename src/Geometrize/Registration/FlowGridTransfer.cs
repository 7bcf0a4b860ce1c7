using System.Numerics;
using Geometrize.Numerics;

namespace Geometrize.Registration;

/// <summary>
/// Carries a map computed on a coarse flow grid to the finer image grid, and its adjoint back: the
/// "coarse flow, fine data" split that lets a geodesic shooting run its flow on a grid shrunk by an integer
/// factor while the images are compared at full resolution.
/// </summary>
/// <remarks>
/// <para>Velocities in these registrations are smooth on the scale of the metric (√(α/γ) mm, several voxels), and
/// so are the maps they integrate to, which is why a band-limited representation loses almost nothing (FLASH,
/// Zhang &amp; Fletcher 2015, makes the same bet in Fourier space). Here the band limit is a coarser voxel grid:
/// the flow, its adjoint and every FFT run on a grid with f^d times fewer voxels, and only the final map is
/// interpolated to the image grid.</para>
/// <para><b>Transfer.</b> With p(x) the continuous flow-grid index of image voxel x and ψ a flow-grid index map,
/// the image-grid index map is Ψ(x) = x + S·(ψ − id)(p(x)), S = diag(h_flow/h_image): the <i>displacement</i>
/// is interpolated (linear, border-clamped), so the identity is carried over exactly even where p(x) lies outside
/// the flow grid's outermost voxel centres. <see cref="MapAdjoint"/> is the exact transpose (a splat at the same
/// points), so gradients through the transfer are exact. Grids with the same axes use the separable
/// <see cref="SeparableLinearResampler{T}"/> for both (identical values, no scatter).</para>
/// <para>Both grids must share direction and extent (the flow grid is <see cref="Resampling.ShrunkGeometry"/> of
/// the image grid). Buffers are allocated once; not thread-safe.</para>
/// </remarks>
public sealed class FlowGridTransfer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly VectorField<T> _points, _displacement, _sampled, _weighted, _flowIdentity, _imageIdentity;
    private readonly T[] _scale;
    private readonly SplatWorkspace _splat;
    private readonly SeparableLinearResampler<T>? _separable;

    /// <summary>Prepares the transfer between <paramref name="flowGeometry"/> (coarse) and <paramref name="imageGeometry"/>.</summary>
    public FlowGridTransfer(ImageGeometry flowGeometry, ImageGeometry imageGeometry)
    {
        if (flowGeometry.Dimension != imageGeometry.Dimension)
            throw new GridMismatchException($"the flow grid ({flowGeometry}) and the image grid ({imageGeometry}) differ in dimension.");
        FlowGeometry = flowGeometry;
        ImageGeometry = imageGeometry;
        int d = imageGeometry.Dimension;
        _points = new VectorField<T>(imageGeometry);
        DisplacementFields.PhysicalToIndexMap(new VectorField<T>(imageGeometry), flowGeometry, _points);
        _scale = new T[d];
        for (int a = 0; a < d; a++) _scale[a] = T.CreateTruncating(flowGeometry.Spacing[a] / imageGeometry.Spacing[a]);
        _displacement = new VectorField<T>(flowGeometry);
        // The identity maps are constant: built once here rather than on every transfer.
        _flowIdentity = new VectorField<T>(flowGeometry);
        DisplacementFields.IdentityMap(_flowIdentity);
        _imageIdentity = new VectorField<T>(imageGeometry);
        DisplacementFields.IdentityMap(_imageIdentity);
        _sampled = new VectorField<T>(imageGeometry);
        _weighted = new VectorField<T>(imageGeometry);
        _splat = new SplatWorkspace(imageGeometry.Count, flowGeometry.Size[d - 1]);
        // Grids with the same axes (always, for a shrunk grid) take the separable path: same values, far cheaper.
        _separable = SeparableLinearResampler<T>.TryCreate(flowGeometry, imageGeometry);
    }

    /// <summary>The coarse grid the flow runs on.</summary>
    public ImageGeometry FlowGeometry { get; }
    /// <summary>The image grid the maps are carried to.</summary>
    public ImageGeometry ImageGeometry { get; }

    /// <summary>Ψ = id + S·(ψ − id)∘p: flow-grid index map <paramref name="flowMap"/> to image-grid index map <paramref name="imageMap"/>.</summary>
    public void Map(VectorField<T> flowMap, VectorField<T> imageMap)
    {
        FieldRequirements.SameGrid(flowMap.Geometry, FlowGeometry, "flow map and flow grid");
        FieldRequirements.SameGrid(imageMap.Geometry, ImageGeometry, "image map and image grid");
        int d = FlowGeometry.Dimension, ni = ImageGeometry.Count;
        System.Numerics.Tensors.TensorPrimitives.Subtract(flowMap.Data, _flowIdentity.Data, _displacement.Data);
        if (_separable != null) _separable.Apply(_displacement, _sampled);
        else Interpolation.Interpolate(_displacement, _points, _sampled, BoundaryMode.Border);
        for (int a = 0; a < d; a++)
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(_sampled.Data.AsSpan(a * ni, ni), _scale[a],
                _imageIdentity.Data.AsSpan(a * ni, ni), imageMap.Data.AsSpan(a * ni, ni));
    }

    /// <summary>
    /// Transpose of <see cref="Map"/>'s dependence on ψ: given ∂E/∂Ψ on the image grid, writes ∂E/∂ψ on the flow
    /// grid into <paramref name="flowAdjoint"/> (overwritten).
    /// </summary>
    public void MapAdjoint(VectorField<T> imageAdjoint, VectorField<T> flowAdjoint)
    {
        FieldRequirements.SameGrid(imageAdjoint.Geometry, ImageGeometry, "image map adjoint and image grid");
        FieldRequirements.SameGrid(flowAdjoint.Geometry, FlowGeometry, "flow map adjoint and flow grid");
        int d = FlowGeometry.Dimension, ni = ImageGeometry.Count;
        for (int a = 0; a < d; a++)
            System.Numerics.Tensors.TensorPrimitives.Multiply(imageAdjoint.Data.AsSpan(a * ni, ni), _scale[a], _weighted.Data.AsSpan(a * ni, ni));
        if (_separable != null) _separable.ApplyTranspose(_weighted, flowAdjoint);
        else InterpolationAdjoint.InterpolateAdjoint(_weighted, _points, flowAdjoint, BoundaryMode.Border, _splat);
    }
}
