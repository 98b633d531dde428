using Microsoft.Extensions.Logging;
using Npgsql;

namespace PowerSync.Core.Storage.Postgres;

/// <summary>
/// Brings checkpoints committed by any instance's writer to this instance's sessions: <c>LISTEN</c> on the store's
/// channel on a connection of its own (a commit's notification arrives within milliseconds, in commit order), and,
/// whenever no notification came for <see cref="PostgresBucketStorageOptions.PollInterval"/>, a read of the latest
/// checkpoint, so a lost notification or a broken listening connection delays a checkpoint by at most that long.
/// What a checkpoint found by reading changed is not known, so every cached checksum goes before it is shown;
/// after a reconnect, every cache goes (notifications may have been missed meanwhile).
/// </summary>
internal sealed class PostgresCheckpointListener(PostgresBucketStorage storage) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    /// <summary>Reads the latest checkpoint once (so the store opens knowing it), then listens in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using (var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            await PollAsync(connection, cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>Makes <paramref name="checkpoint"/> the latest here unless a newer version already serves (notifications and reads can cross).</summary>
    internal static void Publish(PostgresBucketStorage storage, Checkpoint checkpoint)
    {
        if (storage.Broadcast.Latest is { } latest && latest.RulesVersion > checkpoint.RulesVersion) return;
        storage.Broadcast.Publish(checkpoint);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var connection = await storage.DataSource.OpenConnectionAsync(stop).ConfigureAwait(false);
                var received = new List<string>();
                connection.Notification += (_, e) => received.Add(e.Payload);
                using (var listen = new NpgsqlCommand($"LISTEN \"{PostgresSchema.Channel(storage.Schema)}\"", connection))
                    await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                // Anything may have happened while this instance was not listening.
                storage.Checksums.InvalidateAll();
                storage.OnWriteCheckpointsUnknown();
                await PollAsync(connection, stop).ConfigureAwait(false);
                failures = 0;
                while (!stop.IsCancellationRequested)
                {
                    if (await connection.WaitAsync(storage.Options.PollInterval, stop).ConfigureAwait(false))
                    {
                        foreach (var payload in received) PostgresNotification.Apply(storage, payload);
                        received.Clear();
                    }
                    else
                    {
                        await PollAsync(connection, stop).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.IO.IOException or TimeoutException or System.Text.Json.JsonException)
            {
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(5000, 100 * (1 << Math.Min(failures, 6))));
                PostgresStorageLog.ListenerFailed(storage.Logger, e.Message, delay.TotalMilliseconds, null);
                try
                {
                    await Task.Delay(delay, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Reads the latest checkpoint; one not seen yet is shown, after every cached checksum went.</summary>
    private async Task PollAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (await storage.ReadActiveCheckpointAsync(connection, cancellationToken).ConfigureAwait(false) is not { } checkpoint) return;
        if (storage.Broadcast.Latest is { } latest && (latest.RulesVersion > checkpoint.RulesVersion ||
            (latest.RulesVersion == checkpoint.RulesVersion && latest.OpId >= checkpoint.OpId && latest.Lsn >= checkpoint.Lsn)))
            return;
        storage.Checksums.InvalidateAll();
        Publish(storage, checkpoint);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        _stop.Dispose();
    }
}

/// <summary>The Postgres store's log messages (event ids in <see cref="PowerSyncEvents"/>).</summary>
internal static partial class PostgresStorageLog
{
    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning,
        Message = "Listening for checkpoints of the Postgres bucket store failed ({Reason}); sessions here see no new checkpoint until it reconnects, in {DelayMs} ms.")]
    public static partial void ListenerFailed(ILogger logger, string reason, double delayMs, Exception? exception);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information,
        Message = "This instance now replicates sync-rules version {Version} (lease token {Token}; taken over from {PreviousOwner}).")]
    public static partial void LeaseAcquired(ILogger logger, long version, long token, string previousOwner);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning,
        Message = "This instance lost the replication lease of sync-rules version {Version} ({Reason}); its writer stops and commits nothing more.")]
    public static partial void LeaseLost(ILogger logger, long version, string reason);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Warning,
        Message = "Taking over sync-rules version {Version}: the previous writer's connection (pid {Pid}) could not be ended ({Reason}); its locks may delay this writer until it closes. Grant pg_signal_backend or use one role for every instance.")]
    public static partial void PreviousWriterNotEnded(ILogger logger, long version, int pid, string reason);
}
