using System.Numerics;

namespace Geometrize.Registration.DataTerms;

/// <summary>Builds the data term a <see cref="RegistrationSettings"/> asks for.</summary>
public static class DataTerms
{
    /// <summary>
    /// A new data term for <paramref name="settings"/> (<see cref="RegistrationSettings.DataTerm"/>, σ, and the LNCC
    /// radius). Each call returns a fresh instance, since LNCC keeps per-grid scratch and is not thread-safe.
    /// </summary>
    public static IDataTerm<T> Create<T>(RegistrationSettings settings) where T : unmanaged, IFloatingPointIeee754<T>
        => settings.DataTerm switch
        {
            DataTermKind.Ssd => new SsdDataTerm<T>(settings.Sigma),
            DataTermKind.Ncc => new NccDataTerm<T>(settings.Sigma),
            DataTermKind.Lncc => new LnccDataTerm<T>(settings.LnccRadius, settings.Sigma),
            _ => throw new InvalidParameterException("--data-term", $"unknown data term '{settings.DataTerm}'; use ssd, ncc or lncc."),
        };
}
