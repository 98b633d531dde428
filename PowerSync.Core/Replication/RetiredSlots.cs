using Microsoft.Extensions.Logging;
using Npgsql;
using PowerSync.Core.Storage;

namespace PowerSync.Core.Replication;

/// <summary>
/// Drops the source slots of versions that no longer replicate (replaced, or lost and re-snapshotted): a forgotten
/// slot makes Postgres keep WAL forever. Only this store's own slots are touched, so several instances with their
/// own stores can share one source. Runs once at start, whenever <see cref="Wake"/> is called (a version became
/// active, a replicator ended), and every <see cref="Retry"/> while a slot could not be dropped.
/// </summary>
internal sealed class RetiredSlots(NpgsqlDataSource source, IBucketStorageAdmin storage, ILogger logger) : IDisposable
{
    /// <summary>How long a slot that could not be dropped (still in use, source down) waits for the next try.</summary>
    public static readonly TimeSpan Retry = TimeSpan.FromSeconds(30);

    private const string DropSql =
        "SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots WHERE slot_name = $1";

    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Looks for retired slots again now.</summary>
    public void Wake() => _wake.Release();

    /// <summary>Drops retired slots until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Each slot's failure detail is logged once; every later attempt is one Warning line.
        var explained = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            while (true)
            {
                foreach (var version in await storage.GetRetiredAsync(cancellationToken).ConfigureAwait(false))
                {
                    try
                    {
                        var command = source.CreateCommand(DropSql);
                        await using (command.ConfigureAwait(false))
                        {
                            command.Parameters.Add(new NpgsqlParameter { Value = version.SlotName });
                            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        }
                        await storage.ForgetSlotAsync(version, cancellationToken).ConfigureAwait(false);
                        ReplicationSupervisorLog.SlotDropped(logger, version.SlotName, version.Id);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // Still streamed from by a replicator that has not noticed it was replaced, or the source is down.
                        var code = ReplicationFailure.CodeOf(e);
                        ReplicationSupervisorLog.SlotDropDeferred(logger, version.SlotName, version.Id, code, e.Message, Retry);
                        if (explained.Add(version.SlotName)) ReplicationSupervisorLog.FailureDetail(logger, e, code);
                    }
                }
                await _wake.WaitAsync(Retry, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public void Dispose() => _wake.Dispose();
}
