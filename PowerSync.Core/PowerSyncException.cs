namespace PowerSync.Core;

/// <summary>
/// An error with a stable code and a message that says what happened, why, and what to change.
/// Where the official PowerSync service has a code for the same condition, that code is used
/// (<c>PSYNC_Sxxxx</c>); conditions specific to this implementation use <c>PSYNC_Nxxxx</c>, so a code
/// never means something different here than in the official service's documentation.
/// Each component keeps its codes in its own <c>*ErrorCodes</c> class; <see cref="PowerSyncErrors"/> lists them all
/// with their meaning and remedy.
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

    /// <summary>
    /// Whether the same operation can succeed later with nobody changing anything (e.g. the source database is
    /// restarting); false when something must be fixed first. From <see cref="PowerSyncErrors"/>.
    /// </summary>
    public bool IsTransient => PowerSyncErrors.Find(Code)?.IsTransient ?? false;

    /// <summary>"[CODE] message".</summary>
    public override string ToString() => $"[{Code}] {base.ToString()}";
}
