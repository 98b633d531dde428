using System.Runtime.CompilerServices;
using Npgsql;

namespace PowerSync.Core.Replication;

/// <summary>
/// The stream was interrupted and reconnected: everything after the last acknowledged LSN is streamed
/// again, so the consumer must drop any transaction it had not committed yet. Carries the cause for logging.
/// </summary>
internal sealed record StreamRestarted(Lsn ResumeLsn, Exception Cause, int Attempt, TimeSpan Delay)
    : ReplicationChange(ResumeLsn, ResumeLsn);

/// <summary>
/// A replication stream that survives outages: on a transient failure (timeout, network error, server
/// restart) it yields <see cref="StreamRestarted"/>, waits with <see cref="ReconnectPolicy"/> backoff and
/// resumes from the last acknowledged LSN on a new connection. Failures no retry can fix (slot lost,
/// publication gone, undecodable value) end the sequence with their <see cref="PowerSyncException"/>;
/// cancellation always ends it. Each connection is owned and disposed by the read loop.
/// </summary>
internal sealed class ReconnectingReplicationStream : ISourceAcknowledgement
{
    private readonly ReplicationStreamOptions _options;
    private readonly PostgresValueMapper _mapper;
    private readonly ReconnectPolicy _policy;
    private readonly Random _random;
    private readonly Lock _lock = new();
    private PgOutputReplicationStream? _current;
    private Lsn _acknowledged;

    public ReconnectingReplicationStream(ReplicationStreamOptions options, PostgresValueMapper mapper, ReconnectPolicy policy, Random? random = null)
    {
        _options = options;
        _mapper = mapper;
        _policy = policy;
        _random = random ?? Random.Shared;
    }

    /// <summary>The highest LSN acknowledged; also where a reconnect resumes.</summary>
    public Lsn AcknowledgedLsn
    {
        get
        {
            lock (_lock) return _acknowledged;
        }
    }

    /// <summary>Marks everything up to <paramref name="lsn"/> durable (forward only, never zero); survives reconnects. Thread-safe.</summary>
    public void Acknowledge(Lsn lsn)
    {
        lock (_lock)
        {
            if (lsn.IsZero || lsn <= _acknowledged) return;
            _acknowledged = lsn;
            _current?.Acknowledge(lsn);
        }
    }

    /// <summary>
    /// Sends the acknowledged position to the server now instead of with the next periodic status update (a
    /// server shutting down waits for it). Does nothing between connections; a failure to send shows up as a
    /// failure of the read loop, so it is not reported here.
    /// </summary>
    public async Task SendStatusAsync(CancellationToken cancellationToken)
    {
        PgOutputReplicationStream? current;
        lock (_lock) current = _current;
        if (current is null) return;
        try
        {
            await current.SendStatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException or NpgsqlException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // The connection is not streaming (any more): the next one starts from the acknowledged position anyway.
        }
    }

    /// <summary>Streams changes from <paramref name="startLsn"/> (zero: the slot's confirmed position), reconnecting as needed.</summary>
    public async IAsyncEnumerable<ReplicationChange> ReadChangesAsync(Lsn startLsn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Acknowledge(startLsn);
        var attempt = 0;
        while (true)
        {
            var stream = new PgOutputReplicationStream(_options, _mapper);
            lock (_lock)
            {
                _current = stream;
                if (!_acknowledged.IsZero) stream.Acknowledge(_acknowledged);
            }

            Exception? failure = null;
            await using (stream.ConfigureAwait(false))
            {
                var enumerator = stream.ReadChangesAsync(AcknowledgedLsn, cancellationToken).GetAsyncEnumerator(cancellationToken);
                try
                {
                    while (true)
                    {
                        ReplicationChange change;
                        try
                        {
                            if (!await enumerator.MoveNextAsync().ConfigureAwait(false)) break;
                            change = enumerator.Current;
                        }
                        catch (Exception ex) when (IsTransient(ex, cancellationToken))
                        {
                            failure = ex;
                            break;
                        }
                        attempt = 0; // data flows again: the next outage starts with the shortest delay
                        yield return change;
                    }
                }
                finally
                {
                    lock (_lock) _current = null;
                    try
                    {
                        await enumerator.DisposeAsync().ConfigureAwait(false);
                    }
                    catch (Exception ex) when (IsTransient(ex, cancellationToken))
                    {
                        // The connection is already broken; nothing more to release.
                    }
                }
            }

            if (failure is null) yield break; // the server ended replication (it does not normally)
            attempt++;
            var delay = _policy.DelayFor(attempt, _random);
            yield return new StreamRestarted(AcknowledgedLsn, failure, attempt, delay);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Failures a new connection may fix. Slot, publication and decoding problems are not among them.
    /// "Slot is active" (55006) is: after a network cut the server keeps the old walsender, and with it the
    /// slot, until it notices (<c>wal_sender_timeout</c>), so reconnecting must keep trying.
    /// </summary>
    internal static bool IsTransient(Exception ex, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return false;
        return ex switch
        {
            PowerSyncException p => p.Code == ReplicationErrorCodes.ReplicationTimeout,
            PostgresException p => p.IsTransient || p.SqlState == PostgresErrorCodes.ObjectInUse
                || p.SqlState.StartsWith("57", StringComparison.Ordinal) || p.SqlState.StartsWith("08", StringComparison.Ordinal),
            NpgsqlException n => n.IsTransient || n.InnerException is IOException or System.Net.Sockets.SocketException or TimeoutException,
            IOException or System.Net.Sockets.SocketException or TimeoutException => true,
            OperationCanceledException => true, // Npgsql's own timeouts surface as cancellations when our token is not cancelled
            _ => false,
        };
    }
}
