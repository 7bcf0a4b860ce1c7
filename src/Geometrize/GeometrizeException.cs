namespace Geometrize;

/// <summary>
/// Base type of every error Geometrize raises on purpose: bad input, invalid parameters, mismatched grids.
/// The message is written for the user of the command-line tool: it names the file or option and what to do.
/// </summary>
public class GeometrizeException : Exception
{
    /// <summary>Creates an exception with a user-facing message.</summary>
    public GeometrizeException(string message) : base(message) { }

    /// <summary>Creates an exception with a user-facing message and the underlying cause.</summary>
    public GeometrizeException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>An option or parameter outside its valid range (non-positive sigma, zero spacing, ...).</summary>
public class InvalidParameterException : GeometrizeException
{
    /// <summary>Name of the offending parameter or command-line option.</summary>
    public string Parameter { get; }

    /// <summary>Creates the exception; <paramref name="reason"/> says what is wrong and how to fix it.</summary>
    public InvalidParameterException(string parameter, string reason)
        : base($"{parameter}: {reason}") => Parameter = parameter;
}

/// <summary>Two grids (images or fields) that must agree in size, spacing, origin or direction do not.</summary>
public class GridMismatchException : GeometrizeException
{
    /// <summary>Creates the exception with a description of the mismatch.</summary>
    public GridMismatchException(string message) : base(message) { }
}
