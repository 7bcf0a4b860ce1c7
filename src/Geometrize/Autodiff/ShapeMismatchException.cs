namespace Geometrize.Autodiff;

/// <summary>
/// Tensor operands whose shapes do not fit the operation (inner dimensions of a product, non-broadcastable
/// shapes, a reshape to a different element count). The message names the operation and both shapes.
/// </summary>
public class ShapeMismatchException : GeometrizeException
{
    /// <summary>Creates the exception with a description naming the operation and the shapes.</summary>
    public ShapeMismatchException(string message) : base(message) { }
}
