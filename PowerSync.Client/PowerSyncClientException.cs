namespace PowerSync.Client;

/// <summary>
/// An error raised by the PowerSync client, with a stable code from <see cref="ClientErrorCodes"/>
/// and a message that says what happened and what to change.
/// </summary>
public sealed class PowerSyncClientException : Exception
{
    /// <summary>Creates an error with a code and an actionable message.</summary>
    public PowerSyncClientException(string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        Code = code;
    }

    /// <summary>The stable error code, e.g. <c>PSYNC_C1001</c>.</summary>
    public string Code { get; }

    /// <summary>
    /// Whether the same operation can succeed later with nobody changing anything (e.g. the service is
    /// unreachable); false when something must be fixed first. From <see cref="PowerSyncClientErrors"/>.
    /// </summary>
    public bool IsTransient => PowerSyncClientErrors.Find(Code)?.IsTransient ?? false;

    /// <summary>"[CODE] message".</summary>
    public override string ToString() => $"[{Code}] {base.ToString()}";
}
