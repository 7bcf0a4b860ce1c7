using Geometrize.Numerics;
using Geometrize.Registration.DataTerms;

namespace Geometrize.Registration;

/// <summary>
/// The registration problems built into this library, by <see cref="RegistrationMethod"/>: the one place where
/// problem classes are registered for <see cref="ImageRegistration"/> and the CLI.
/// </summary>
public static class RegistrationProblems
{
    /// <summary>
    /// Factories of the available methods (float32, the production type). Problem classes are added to this
    /// initialiser; callers may also add their own (e.g. a test problem) before running a registration.
    /// </summary>
    public static Dictionary<RegistrationMethod, ProblemFactory<float>> Factories { get; } = new()
    {
        [RegistrationMethod.Shooting] = (f, m, d, s) => new VectorShootingProblem<float>(f, m, d, s),
        [RegistrationMethod.Lddmm] = (f, m, d, s) => new LddmmProblem<float>(f, m, d, s),
        [RegistrationMethod.ShootingScalar] = (f, m, d, s) => new ScalarShootingProblem<float>(f, m, d, s),
        [RegistrationMethod.Metamorphosis] = (f, m, d, s) => new MetamorphosisProblem<float>(f, m, d, s),
    };

    /// <summary>The command-line name of a method: <c>lddmm</c>, <c>shooting</c>, <c>shooting-scalar</c>, <c>metamorphosis</c>.</summary>
    public static string Name(RegistrationMethod method) => method switch
    {
        RegistrationMethod.Lddmm => "lddmm",
        RegistrationMethod.Shooting => "shooting",
        RegistrationMethod.ShootingScalar => "shooting-scalar",
        RegistrationMethod.Metamorphosis => "metamorphosis",
        _ => method.ToString().ToLowerInvariant(),
    };

    /// <summary>The factory of <paramref name="method"/>; <see cref="InvalidParameterException"/> (<c>--method</c>) when this build has none.</summary>
    public static ProblemFactory<float> FactoryFor(RegistrationMethod method)
    {
        if (Factories.TryGetValue(method, out var factory)) return factory;
        string available = Factories.Count == 0 ? "none" : string.Join(", ", Factories.Keys.Select(Name));
        throw new InvalidParameterException("--method", $"'{Name(method)}' is not available in this build (available: {available}).");
    }

    /// <summary>Builds the problem <paramref name="settings"/> asks for (<see cref="RegistrationSettings.Method"/>) on one level.</summary>
    public static IRegistrationProblem<float> Create(ScalarField<float> fixedImage, ScalarField<float> movingImage, IDataTerm<float> dataTerm,
        RegistrationSettings settings) => FactoryFor(settings.Method)(fixedImage, movingImage, dataTerm, settings);
}
