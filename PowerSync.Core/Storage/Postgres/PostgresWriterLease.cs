using Npgsql;

namespace PowerSync.Core.Storage.Postgres;

/// <summary>
/// The right to write one sync-rules version, held by one instance at a time through a row of
/// <c>replication_leases</c>: an owner, an expiry on the database's clock (so instances' clocks do not matter), and a
/// fencing token that grows with every acquisition. The holder renews it every third of
/// <see cref="PostgresBucketStorageOptions.LeaseDuration"/>; an instance acquires it only when it is free or expired,
/// and then ends the previous holder's writer connection (a paused holder's open transaction would otherwise keep
/// its row locks). Every commit checks the token in its own transaction (see <see cref="PostgresStorageWriter"/>), so a
/// former holder can never commit after a takeover; one that cannot renew in time stops by itself.
/// </summary>
internal sealed class PostgresWriterLease : IAsyncDisposable
{
    private readonly PostgresBucketStorage _storage;
    private readonly long _version;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewal;
    private long _heldUntilTicks; // Environment.TickCount64 by which the lease surely expired without renewal
    private volatile string? _lost;

    private PostgresWriterLease(PostgresBucketStorage storage, long version, long token, long acquiredAtTicks)
    {
        _storage = storage;
        _version = version;
        Token = token;
        _heldUntilTicks = acquiredAtTicks + (long)storage.Options.LeaseDuration.TotalMilliseconds;
        _renewal = Task.Run(RenewAsync);
    }

    /// <summary>The fencing token: larger than every token before it for this version.</summary>
    public long Token { get; }

    /// <summary>
    /// Acquires the version's lease for the writer whose connection is <paramref name="writer"/>, or throws
    /// <see cref="StorageErrorCodes.WriterLeaseHeld"/> while another instance holds it.
    /// </summary>
    public static async Task<PostgresWriterLease> AcquireAsync(PostgresBucketStorage storage, long version, NpgsqlConnection writer, CancellationToken cancellationToken)
    {
        var s = storage.Schema;
        var owner = storage.Options.InstanceId;
        var started = Environment.TickCount64;
        // A holder paused inside its commit (between the fence and COMMIT) keeps the lease row locked, and taking the row
        // would wait for it forever. Once its lease has expired it may not commit anyway: end its open transaction first.
        using (var end = new NpgsqlCommand($"""
            SELECT pg_terminate_backend(a.pid) FROM {s}.replication_leases l
            JOIN pg_stat_activity a ON a.pid = l.writer_pid AND a.backend_start = l.writer_started
            WHERE l.rules_id = $1 AND l.expires_at < now() AND a.pid <> pg_backend_pid() AND a.state LIKE 'idle in transaction%'
            """, writer))
        {
            end.Parameters.Add(new NpgsqlParameter { Value = version });
            try
            {
                await end.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                PostgresStorageLog.PreviousWriterNotEnded(storage.Logger, version, 0, e.MessageText);
            }
        }
        using var tx = await writer.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        string? previousOwner = null;
        int? previousPid = null;
        DateTime? previousStart = null;
        long token = 1;
        using (var cmd = new NpgsqlCommand($"""
            SELECT set_config('lock_timeout', @wait, true);
            INSERT INTO {s}.replication_leases (rules_id, token, owner, expires_at) VALUES (@v, 0, '', 'epoch') ON CONFLICT (rules_id) DO NOTHING;
            SELECT token, owner, expires_at > now(), writer_pid, writer_started, greatest(expires_at - now(), interval '0') FROM {s}.replication_leases WHERE rules_id = @v FOR UPDATE;
            """, writer, tx))
        {
            cmd.Parameters.AddWithValue("v", version);
            // Never wait on the row longer than a lease: a holder that keeps it locked is alive or about to be ended.
            cmd.Parameters.AddWithValue("wait", ((long)storage.Options.LeaseDuration.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) + "ms");
            NpgsqlDataReader reader;
            try
            {
                reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                throw new PowerSyncException(StorageErrorCodes.WriterLeaseHeld,
                    $"Sync-rules version {version}'s lease is locked by its holder's commit in progress; this instance serves and tries again.", e);
            }
            using var _ = reader;
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var current = reader.GetInt64(0);
            previousOwner = reader.GetString(1);
            var live = reader.GetBoolean(2);
            if (live && previousOwner != owner)
            {
                var left = reader.GetFieldValue<TimeSpan>(5);
                throw new PowerSyncException(StorageErrorCodes.WriterLeaseHeld,
                    $"Sync-rules version {version} is replicated by instance '{previousOwner}' (its lease runs {left.TotalSeconds:0.#} s more unless renewed); " +
                    "this instance serves and takes over if that one stops renewing.");
            }
            previousPid = reader.IsDBNull(3) ? null : reader.GetInt32(3);
            previousStart = reader.IsDBNull(4) ? null : reader.GetDateTime(4);
            token = current + 1;
        }
        using (var cmd = new NpgsqlCommand($"""
            UPDATE {s}.replication_leases SET token = $2, owner = $3, expires_at = now() + $4,
                writer_pid = pg_backend_pid(), writer_started = (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())
            WHERE rules_id = $1
            """, writer, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = version });
            cmd.Parameters.Add(new NpgsqlParameter { Value = token });
            cmd.Parameters.Add(new NpgsqlParameter { Value = owner });
            cmd.Parameters.Add(new NpgsqlParameter { Value = storage.Options.LeaseDuration });
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);

        // The previous holder's writer connection may sit in an open transaction (a paused process): end it, which rolls
        // that transaction back and frees its locks. The start time guards against a reused process id.
        if (previousPid is { } pid && previousStart is { } start)
        {
            try
            {
                using var kill = new NpgsqlCommand(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = $1 AND backend_start = $2 AND pid <> pg_backend_pid()", writer);
                kill.Parameters.Add(new NpgsqlParameter { Value = pid });
                kill.Parameters.Add(new NpgsqlParameter { Value = start });
                await kill.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e)
            {
                // Not allowed to (another role): the fence still refuses its commits; its locks go when its connection does.
                PostgresStorageLog.PreviousWriterNotEnded(storage.Logger, version, pid, e.MessageText);
            }
        }
        PostgresStorageLog.LeaseAcquired(storage.Logger, version, token, string.IsNullOrEmpty(previousOwner) ? "nobody" : previousOwner);
        return new PostgresWriterLease(storage, version, token, started);
    }

    /// <summary>Throws when the lease was lost or may have expired unrenewed: the writer must stop.</summary>
    public void EnsureHeld()
    {
        if (_lost is null && Environment.TickCount64 >= Volatile.Read(ref _heldUntilTicks))
            MarkLost("it was not renewed in time");
        if (_lost is not null) throw LostError();
    }

    public void MarkLost(string reason = "another instance took it over")
    {
        if (_lost is not null) return;
        _lost = reason;
        PostgresStorageLog.LeaseLost(_storage.Logger, _version, reason);
    }

    public PowerSyncException LostError() => new(StorageErrorCodes.WriterLeaseLost,
        $"This instance no longer holds the replication lease of sync-rules version {_version} ({_lost ?? "another instance took it over"}); " +
        "nothing after its last commit was kept. Another instance replicates it now; this one serves.");

    private async Task RenewAsync()
    {
        var every = _storage.Options.LeaseDuration / 3;
        while (!_stop.IsCancellationRequested && _lost is null)
        {
            try
            {
                await Task.Delay(every, _stop.Token).ConfigureAwait(false);
                var sent = Environment.TickCount64;
                using var connection = await _storage.DataSource.OpenConnectionAsync(_stop.Token).ConfigureAwait(false);
                using var cmd = new NpgsqlCommand(
                    $"UPDATE {_storage.Schema}.replication_leases SET expires_at = now() + $3 WHERE rules_id = $1 AND token = $2", connection);
                cmd.Parameters.Add(new NpgsqlParameter { Value = _version });
                cmd.Parameters.Add(new NpgsqlParameter { Value = Token });
                cmd.Parameters.Add(new NpgsqlParameter { Value = _storage.Options.LeaseDuration });
                if (await cmd.ExecuteNonQueryAsync(_stop.Token).ConfigureAwait(false) != 1)
                {
                    MarkLost();
                    return;
                }
                // Measured from before the request: the database's expiry is at least this late.
                Volatile.Write(ref _heldUntilTicks, sent + (long)_storage.Options.LeaseDuration.TotalMilliseconds);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.IO.IOException or TimeoutException)
            {
                // Cut off from the database: keep trying until the lease would have expired, then stop.
                if (Environment.TickCount64 >= Volatile.Read(ref _heldUntilTicks))
                {
                    MarkLost($"it could not be renewed: {e.Message}");
                    return;
                }
            }
        }
    }

    /// <summary>Stops renewing and, unless lost, lets the lease go at once so another instance need not wait for it to expire.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _renewal.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        _stop.Dispose();
        // Only while the token is still this one: after a takeover the row is the new holder's.
        try
        {
            using var connection = await _storage.DataSource.OpenConnectionAsync().ConfigureAwait(false);
            using var cmd = new NpgsqlCommand(
                $"UPDATE {_storage.Schema}.replication_leases SET expires_at = 'epoch', writer_pid = NULL WHERE rules_id = $1 AND token = $2", connection);
            cmd.Parameters.Add(new NpgsqlParameter { Value = _version });
            cmd.Parameters.Add(new NpgsqlParameter { Value = Token });
            await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or System.IO.IOException or TimeoutException or ObjectDisposedException)
        {
            // Unreachable (or the store already closed): the lease simply expires.
        }
    }
}
