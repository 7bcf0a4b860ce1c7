using Geometrize.Autodiff;

namespace Geometrize.Tests.Autodiff;

public class BadInputTests
{
    [Fact]
    public void MatMulInnerDimensionMismatchNamesBothShapes()
    {
        var ex = Assert.Throws<ShapeMismatchException>(() => Tensor<double>.Zeros(2, 3).MatMul(Tensor<double>.Zeros(4, 5)));
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[4, 5]", ex.Message);
        Assert.Throws<ShapeMismatchException>(() => Tensor<double>.Zeros(2, 3, 4).MatMul(Tensor<double>.Zeros(3, 4, 2)));
        Assert.Throws<ShapeMismatchException>(() => Tensor<double>.Zeros(3).MatMul(Tensor<double>.Zeros(3, 2)));
    }

    [Fact]
    public void NonBroadcastableShapesAreReported()
    {
        var ex = Assert.Throws<ShapeMismatchException>(() => Tensor<double>.Zeros(2, 3) + Tensor<double>.Zeros(2));
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[2]", ex.Message);
        Assert.IsAssignableFrom<GeometrizeException>(ex);
    }

    [Fact]
    public void LabelsOutOfRangeOrOfWrongCountAreRejected()
    {
        var logits = Tensor<double>.Zeros(2, 3);
        var ex = Assert.Throws<InvalidParameterException>(() => logits.CrossEntropy([0, 3]));
        Assert.Contains("3", ex.Message);
        Assert.Throws<InvalidParameterException>(() => logits.CrossEntropy([0, -1]));
        Assert.Throws<InvalidParameterException>(() => logits.CrossEntropy([0]));
        Assert.Throws<InvalidParameterException>(() => logits.IndexSelect([2]));
    }

    [Fact]
    public void ShapeErrorsInReshapeConstructionAndLossesAreTyped()
    {
        Assert.Throws<ShapeMismatchException>(() => Tensor<double>.Zeros(2, 3).Reshape(4, 2));
        Assert.Throws<ShapeMismatchException>(() => Tensor<double>.FromArray([2, 2], [1.0, 2, 3]));
        Assert.Throws<ShapeMismatchException>(() => Tensor<double>.Zeros(4).Mse(Tensor<double>.Zeros(4, 1)));
        Assert.Throws<ShapeMismatchException>(() => Tensor<double>.Zeros(2).Item());
        Assert.Throws<InvalidParameterException>(() => Tensor<double>.Zeros(2, -1));
        Assert.Throws<InvalidParameterException>(() => Tensor<double>.Zeros(2, 3).Slice(1, 2, 2));
        Assert.Throws<ShapeMismatchException>(() => new BatchNorm<double>(3).Forward(Tensor<double>.Zeros(4, 2)));
        Assert.Throws<InvalidParameterException>(() => new BatchNorm<double>(3).Forward(Tensor<double>.Zeros(1, 3)));
        Assert.Throws<InvalidParameterException>(() => Autograd.Grad(Tensor<double>.Ones(2).WithRequiresGrad() * 2.0, [Tensor<double>.Ones(1).WithRequiresGrad()]));
    }
}
