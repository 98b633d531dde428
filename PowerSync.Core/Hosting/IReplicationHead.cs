namespace PowerSync.Core.Hosting;

/// <summary>
/// The source's current WAL position, for write checkpoints: a client's uploaded writes are in the
/// source at or before this LSN, so they are in the first checkpoint at or after it.
/// </summary>
internal interface IReplicationHead
{
    /// <summary>The current LSN; also makes sure an idle source still produces a checkpoint after it.</summary>
    Task<Lsn> CurrentAsync(CancellationToken ct);
}
