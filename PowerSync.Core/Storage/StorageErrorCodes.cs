namespace PowerSync.Core.Storage;

/// <summary>Error codes of the bucket store.</summary>
public static class StorageErrorCodes
{
    /// <summary>A second writer was opened for a version that already has one.</summary>
    public const string WriterAlreadyOpen = "PSYNC_N1501";

    /// <summary>A writer was used after it failed; it must be reopened.</summary>
    public const string WriterFailed = "PSYNC_N1502";

    /// <summary>The version to write is not processing or active.</summary>
    public const string VersionNotWritable = "PSYNC_N1503";

    /// <summary>A client-supplied write checkpoint id is out of range.</summary>
    public const string InvalidCheckpointRequest = "PSYNC_N2307";

    /// <summary>A client's generated write checkpoint id would pass 2^63-1 (HTTP 409; the client should use a new client id).</summary>
    public const string WriteCheckpointExhausted = "PSYNC_N2308";

    /// <summary>The storage file has a schema this version does not know.</summary>
    public const string UnknownSchemaVersion = "PSYNC_N1504";

    /// <summary>A LiteDB store is open in another process (LiteDB files take one process at a time).</summary>
    public const string StoreInUse = "PSYNC_N1505";

    /// <summary>A write to the store waited longer than its busy timeout for another process's transaction.</summary>
    public const string StoreBusy = "PSYNC_N1506";

    /// <summary>Another instance holds the replication lease of the version (Postgres store): this one serves and waits to take over.</summary>
    public const string WriterLeaseHeld = "PSYNC_N1507";

    /// <summary>A writer's replication lease was taken over or expired unrenewed (Postgres store): it commits nothing more.</summary>
    public const string WriterLeaseLost = "PSYNC_N1508";
}
