namespace PowerSync.Core.Storage;

/// <summary>
/// What the write-checkpoint stores share: a key keeps only its two newest ids (a checkpoint at LSN L shows
/// the newest recorded at or before L; older ones are superseded for every checkpoint to come, which only
/// moves forward), id rules and errors.
/// </summary>
internal static class WriteCheckpointRows
{
    /// <summary>Ids a key keeps, newest first.</summary>
    public const int Kept = 2;

    /// <summary>The newest of <paramref name="newestFirst"/> recorded at or before <paramref name="checkpointLsn"/>.</summary>
    public static long? At(IReadOnlyList<(long Id, Lsn Lsn)> newestFirst, Lsn checkpointLsn)
    {
        // LSNs are unsigned: compare them as Lsn values.
        foreach (var (id, lsn) in newestFirst)
        {
            if (lsn <= checkpointLsn) return id;
        }
        return null;
    }

    /// <summary>The id after <paramref name="stored"/>; a counter at 2^63-1 refuses rather than wrapping to a negative id.</summary>
    public static long Next(long stored)
    {
        if (stored == long.MaxValue)
        {
            throw new PowerSyncException(StorageErrorCodes.WriteCheckpointExhausted,
                "This client's write checkpoint id is 9223372036854775807, the largest there is, so no next id exists: " +
                "use a new client id (a client that reinstalls gets one).");
        }
        return stored + 1;
    }

    /// <summary>Checks a client-supplied id is in 1..2^63-1.</summary>
    public static void CheckRequested(long requestedId)
    {
        if (requestedId < 1)
        {
            throw new PowerSyncException(StorageErrorCodes.InvalidCheckpointRequest,
                $"checkpoint_request_id must be between 1 and 9223372036854775807, not {requestedId}: send a positive id that grows with each request.");
        }
    }

    /// <summary>The key's rows after <paramref name="id"/> was recorded at <paramref name="lsn"/> on top of <paramref name="before"/>.</summary>
    public static (long Id, Lsn Lsn)[] After(IReadOnlyList<(long Id, Lsn Lsn)> before, long id, Lsn lsn) =>
        [(id, lsn), .. before.Take(Kept - 1)];
}
