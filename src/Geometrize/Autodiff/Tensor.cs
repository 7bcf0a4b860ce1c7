using System.Numerics;

namespace Geometrize.Autodiff;

/// <summary>
/// A dense row-major tensor of float or double with an optional place in a differentiation graph.
/// Storage is one contiguous array (last axis fastest); there are no views or strides, so every operation
/// returns a new tensor and a tensor's data never changes behind a graph's back except where the caller
/// writes into <see cref="Data"/> (optimisers updating parameters between forward passes).
/// </summary>
/// <typeparam name="T">float (training) or double (gradient checks).</typeparam>
public sealed class Tensor<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal readonly int[] shape;

    internal Tensor(int[] shape, T[] data)
    {
        this.shape = shape;
        Data = data;
    }

    /// <summary>The live storage, row-major. Writing into it changes the tensor (used by optimisers and initialisers).</summary>
    public T[] Data { get; }

    /// <summary>Extents per axis; empty for a scalar.</summary>
    public IReadOnlyList<int> Shape => shape;

    /// <summary>Number of axes (0 for a scalar).</summary>
    public int Rank => shape.Length;

    /// <summary>Number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>Optional label shown by <see cref="ToString"/> (parameter names).</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Whether gradients flow to this tensor. Set it on leaves (parameters, inputs one differentiates with respect
    /// to); results of operations on such tensors get it automatically while gradient recording is on.
    /// </summary>
    public bool RequiresGrad { get; set; }

    /// <summary>Gradient accumulated by <see cref="Backward"/>; null until the first backward pass reaches it.</summary>
    public Tensor<T>? Grad { get; set; }

    /// <summary>The operation that produced this tensor, or null for a leaf.</summary>
    internal GradNode<T>? Node { get; set; }

    /// <summary>True for tensors not produced by a recorded operation (parameters, data, detached results).</summary>
    public bool IsLeaf => Node is null;

    /// <summary>Extent of axis <paramref name="axis"/> (negative counts from the end).</summary>
    public int Size(int axis) => shape[Shapes.Axis(axis, shape.Length, "size")];

    /// <summary>A tensor of zeros.</summary>
    public static Tensor<T> Zeros(params int[] shape)
    {
        var s = (int[])shape.Clone();
        return new Tensor<T>(s, new T[Shapes.Numel(s)]);
    }

    /// <summary>A tensor of ones.</summary>
    public static Tensor<T> Ones(params int[] shape) => Full(T.One, shape);

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor<T> Full(T value, params int[] shape)
    {
        var t = Zeros(shape);
        Array.Fill(t.Data, value);
        return t;
    }

    /// <summary>A rank-0 tensor holding <paramref name="value"/>.</summary>
    public static Tensor<T> Scalar(T value) => new([], [value]);

    /// <summary>A tensor of the given shape holding a copy of <paramref name="data"/> (row-major).</summary>
    /// <exception cref="ShapeMismatchException">The data length differs from the shape's element count.</exception>
    public static Tensor<T> FromArray(int[] shape, ReadOnlySpan<T> data)
    {
        var s = (int[])shape.Clone();
        int n = Shapes.Numel(s);
        if (n != data.Length)
            throw new ShapeMismatchException($"FromArray: shape {Shapes.Format(s)} holds {n} elements but {data.Length} values were given.");
        return new Tensor<T>(s, data.ToArray());
    }

    /// <summary>Independent normal samples N(mean, std²) drawn from <paramref name="rng"/> (Box–Muller), so a seed fixes them.</summary>
    public static Tensor<T> Randn(int[] shape, Random rng, double mean = 0, double std = 1)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var t = Zeros(shape);
        var d = t.Data;
        for (int i = 0; i < d.Length; i += 2)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            d[i] = T.CreateChecked(mean + std * r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < d.Length) d[i + 1] = T.CreateChecked(mean + std * r * Math.Sin(2 * Math.PI * u2));
        }
        return t;
    }

    /// <summary>Independent uniform samples on [low, high) drawn from <paramref name="rng"/>.</summary>
    public static Tensor<T> Uniform(int[] shape, Random rng, double low = 0, double high = 1)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!(high >= low)) throw new InvalidParameterException("uniform", $"needs low ≤ high, got [{low}, {high}).");
        var t = Zeros(shape);
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = T.CreateChecked(low + (high - low) * rng.NextDouble());
        return t;
    }

    /// <summary>A copy of the elements, row-major.</summary>
    public T[] ToArray() => (T[])Data.Clone();

    /// <summary>The value of a one-element tensor.</summary>
    /// <exception cref="ShapeMismatchException">The tensor has more than one element.</exception>
    public T Item()
    {
        if (Data.Length != 1) throw new ShapeMismatchException($"Item: needs a one-element tensor, got shape {Shapes.Format(shape)}.");
        return Data[0];
    }

    /// <summary>
    /// The same values cut from the graph: shares storage with this tensor (as PyTorch's detach) but records no
    /// operation and does not require gradients, so what is computed from it is treated as a constant.
    /// </summary>
    public Tensor<T> Detach() => new(shape, Data);

    /// <summary>A detached deep copy.</summary>
    public Tensor<T> Clone() => new((int[])shape.Clone(), (T[])Data.Clone());

    /// <summary>A detached copy converted to another element type (float ↔ double), e.g. to check a float model in double.</summary>
    public Tensor<TOut> ConvertTo<TOut>() where TOut : unmanaged, IFloatingPointIeee754<TOut>
    {
        var data = new TOut[Data.Length];
        for (int i = 0; i < data.Length; i++) data[i] = TOut.CreateTruncating(Data[i]);
        return new Tensor<TOut>((int[])shape.Clone(), data);
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor, for fluent parameter creation.</summary>
    /// <exception cref="InvalidParameterException">Turning gradients off on a non-leaf (use <see cref="Detach"/>).</exception>
    public Tensor<T> WithRequiresGrad(bool value = true)
    {
        if (!value && Node is not null) throw new InvalidParameterException("requiresGrad", "a result of a recorded operation always requires gradients; call Detach() to cut it from the graph.");
        RequiresGrad = value;
        return this;
    }

    /// <summary>
    /// Reverse-mode pass from this tensor: accumulates ∂this/∂leaf into the <see cref="Grad"/> of every leaf that
    /// requires gradients. A non-scalar output needs <paramref name="gradient"/> (the vector of the vector–Jacobian product).
    /// </summary>
    public void Backward(Tensor<T>? gradient = null) => Autograd.Backward(this, gradient);

    /// <summary>Shape and name, e.g. "Tensor&lt;Single&gt;[2, 3] W1".</summary>
    public override string ToString() => $"Tensor<{typeof(T).Name}>{Shapes.Format(shape)}{(Name is null ? "" : " " + Name)}";

    /// <summary>Elementwise sum with broadcasting.</summary>
    public static Tensor<T> operator +(Tensor<T> a, Tensor<T> b) => TensorOps.Add(a, b);
    /// <summary>Elementwise difference with broadcasting.</summary>
    public static Tensor<T> operator -(Tensor<T> a, Tensor<T> b) => TensorOps.Sub(a, b);
    /// <summary>Elementwise product with broadcasting.</summary>
    public static Tensor<T> operator *(Tensor<T> a, Tensor<T> b) => TensorOps.Mul(a, b);
    /// <summary>Elementwise quotient with broadcasting.</summary>
    public static Tensor<T> operator /(Tensor<T> a, Tensor<T> b) => TensorOps.Div(a, b);
    /// <summary>Negation.</summary>
    public static Tensor<T> operator -(Tensor<T> a) => TensorOps.Neg(a);
    /// <summary>Adds a constant.</summary>
    public static Tensor<T> operator +(Tensor<T> a, T c) => TensorOps.AddScalar(a, c);
    /// <summary>Adds a constant.</summary>
    public static Tensor<T> operator +(T c, Tensor<T> a) => TensorOps.AddScalar(a, c);
    /// <summary>Subtracts a constant.</summary>
    public static Tensor<T> operator -(Tensor<T> a, T c) => TensorOps.AddScalar(a, -c);
    /// <summary>Constant minus tensor.</summary>
    public static Tensor<T> operator -(T c, Tensor<T> a) => TensorOps.AddScalar(TensorOps.Neg(a), c);
    /// <summary>Multiplies by a constant.</summary>
    public static Tensor<T> operator *(Tensor<T> a, T c) => TensorOps.Scale(a, c);
    /// <summary>Multiplies by a constant.</summary>
    public static Tensor<T> operator *(T c, Tensor<T> a) => TensorOps.Scale(a, c);
    /// <summary>Divides by a constant.</summary>
    public static Tensor<T> operator /(Tensor<T> a, T c) => TensorOps.Scale(a, T.One / c);
}
