using System.Numerics;
using Geometrize.Autodiff;

namespace Geometrize.Networks.Models;

/// <summary>The pointwise nonlinearity σ inside a block f(x) = W₂σ(W₁x + b₁) + b₂.</summary>
public enum Activation
{
    /// <summary>tanh: smooth and bounded, the usual choice for flows (a Lipschitz, C^∞ velocity field).</summary>
    Tanh,
    /// <summary>max(0, z): piecewise linear; the velocity field is only Lipschitz.</summary>
    Relu,
    /// <summary>log(1 + eᶻ): a smooth ReLU.</summary>
    Softplus,
}

/// <summary>Applying, differentiating and naming <see cref="Activation"/>s.</summary>
public static class Activations
{
    /// <summary>σ(x) as a recorded tensor operation.</summary>
    public static Tensor<T> Apply<T>(this Activation activation, Tensor<T> x) where T : unmanaged, IFloatingPointIeee754<T> => activation switch
    {
        Activation.Tanh => x.Tanh(),
        Activation.Relu => x.Relu(),
        Activation.Softplus => x.Softplus(),
        _ => throw new InvalidParameterException("--activation", $"unknown activation {activation}."),
    };

    /// <summary>σ(z), elementwise on plain numbers (for hand-written adjoints).</summary>
    public static T Value<T>(this Activation activation, T z) where T : unmanaged, IFloatingPointIeee754<T> => activation switch
    {
        Activation.Tanh => T.Tanh(z),
        Activation.Relu => z > T.Zero ? z : T.Zero,
        // log(1 + eᶻ) = max(z, 0) + log(1 + e^{−|z|}) does not overflow.
        Activation.Softplus => T.Max(z, T.Zero) + T.LogP1(T.Exp(-T.Abs(z))),
        _ => throw new InvalidParameterException("--activation", $"unknown activation {activation}."),
    };

    /// <summary>σ′(z) (for ReLU, 0 at z = 0, as the autodiff rule).</summary>
    public static T Derivative<T>(this Activation activation, T z) where T : unmanaged, IFloatingPointIeee754<T> => activation switch
    {
        Activation.Tanh => T.One - T.Tanh(z) * T.Tanh(z),
        Activation.Relu => z > T.Zero ? T.One : T.Zero,
        Activation.Softplus => T.One / (T.One + T.Exp(-z)),
        _ => throw new InvalidParameterException("--activation", $"unknown activation {activation}."),
    };

    /// <summary>The command-line and JSON name: tanh, relu or softplus.</summary>
    public static string Name(this Activation activation) => activation.ToString().ToLowerInvariant();

    /// <summary>Parses tanh, relu or softplus (case-insensitive).</summary>
    /// <exception cref="InvalidParameterException">Any other text; the message names <paramref name="option"/>.</exception>
    public static Activation Parse(string text, string option = "--activation") => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "tanh" => Activation.Tanh,
        "relu" => Activation.Relu,
        "softplus" => Activation.Softplus,
        _ => throw new InvalidParameterException(option, $"unknown activation '{text}'; use tanh, relu or softplus."),
    };
}
