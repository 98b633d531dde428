namespace PowerSync.Core.Admin;

/// <summary>Codes of the administration calls (<see cref="PowerSyncAdmin"/>) and the <c>powersync</c> tool.</summary>
public static class AdminErrorCodes
{
    /// <summary>A call needs a setting the options do not have (the message names it), or the settings contradict each other.</summary>
    public const string SettingMissing = "PSYNC_N5001";

    /// <summary>The bucket store file does not exist (a status or compaction of a store that was never created).</summary>
    public const string StoreMissing = "PSYNC_N5002";

    /// <summary>The bucket store file cannot be opened with the chosen engine (not a store, or written by the other engine).</summary>
    public const string StoreUnreadable = "PSYNC_N5003";

    /// <summary>The claims or client parameters of a preview are not a JSON object, or the claims name another user.</summary>
    public const string InvalidPreviewRequest = "PSYNC_N5004";

    /// <summary>A development token cannot be made as asked (key shorter than 32 bytes, bad lifetime or claims).</summary>
    public const string InvalidTokenRequest = "PSYNC_N5005";

    /// <summary>The sync rules file cannot be read.</summary>
    public const string RulesUnreadable = "PSYNC_N5006";
}
