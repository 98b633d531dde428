namespace PowerSync.Core;

/// <summary>
/// An error with a stable code (PowerSync's own <c>PSYNC_xxxxx</c> code where the official service
/// defines one for the same condition) and a message that says what happened, why, and what to change.
/// Each component keeps its codes in its own <c>*ErrorCodes</c> class.
/// </summary>
public class PowerSyncException : Exception
{
    /// <summary>Creates an error with a code and an actionable message.</summary>
    public PowerSyncException(string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        Code = code;
    }

    /// <summary>The stable error code, e.g. <c>PSYNC_S1141</c>.</summary>
    public string Code { get; }

    /// <summary>"[CODE] message".</summary>
    public override string ToString() => $"[{Code}] {base.ToString()}";
}
