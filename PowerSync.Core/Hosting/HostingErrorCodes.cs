namespace PowerSync.Core.Hosting;

/// <summary>Errors of the host integration.</summary>
public static class HostingErrorCodes
{
    /// <summary>The options given to AddPowerSync are invalid (official: generic configuration error).</summary>
    public const string InvalidOptions = "PSYNC_S0001";
}
