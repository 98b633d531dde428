using System.Globalization;
using Microsoft.Extensions.Logging;

namespace PowerSync.Client.Sync;

/// <summary>
/// Checkpoint-request mode (the official core's <c>checkpoint_mode: "requests"</c>): the client numbers
/// its own write checkpoints. The counter (<c>ps_kv</c>) is confirmed with the service on each connection
/// (the service answers the larger of its id and ours), then each drained upload queue takes the next id
/// and posts it; the id the service accepted becomes the gate's target. One post at a time.
/// </summary>
internal sealed class CheckpointRequests(LocalOplog storage, ISyncTransport transport, ILogger logger) : IDisposable
{
    /// <summary>Posts a stale id may get before giving up (each one re-seeds from the service's answer).</summary>
    private const int MaxStaleAnswers = 3;

    private readonly SemaphoreSlim _lock = new(1, 1);
    private bool _seeded;

    /// <summary>
    /// Confirms the counter with the service: posts the larger of the last allocated id and a concrete
    /// gate target (at least 1), and keeps the id the service answers. This also re-posts a request a
    /// restart left unacknowledged. False when the service does not serve checkpoint requests.
    /// </summary>
    public async Task<bool> SeedAsync(PowerSyncCredentials credentials, string clientId, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await SeedLockedAsync(credentials, clientId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// A new checkpoint request the service accepted (its id), seeding first when this session has not;
    /// null when the service does not serve checkpoint requests.
    /// </summary>
    public async Task<long?> RequestAsync(PowerSyncCredentials credentials, string clientId, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_seeded && !await SeedLockedAsync(credentials, clientId, cancellationToken).ConfigureAwait(false)) return null;
            for (var attempt = 0; attempt < MaxStaleAnswers; attempt++)
            {
                var id = await storage.NextCheckpointRequestIdAsync(cancellationToken).ConfigureAwait(false);
                var accepted = await PostAsync(credentials, clientId, id, cancellationToken).ConfigureAwait(false);
                if (accepted is null) return null;
                if (accepted == id)
                {
                    CheckpointRequestsLog.Requested(logger, id);
                    return id;
                }

                // Stale: the service holds a newer id for this client (its record outlived our local state).
                // That id may predate the upload, so it cannot be the target: continue from it.
                CheckpointRequestsLog.Stale(logger, id, accepted.Value);
                await storage.SeedCheckpointRequestIdAsync(accepted.Value, cancellationToken).ConfigureAwait(false);
            }

            throw new PowerSyncClientException(ClientErrorCodes.ProtocolError,
                $"POST /sync/checkpoint-request answered a newer id {MaxStaleAnswers} times in a row for client {clientId}; another device may be using this client id. The upload step is retried.");
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Posts an id again (the stream has not acknowledged it); the service treats a known id as a no-op.</summary>
    public async Task RepostAsync(PowerSyncCredentials credentials, string clientId, long id, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            CheckpointRequestsLog.Reposted(logger, id);
            await PostAsync(credentials, clientId, id, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<bool> SeedLockedAsync(PowerSyncCredentials credentials, string clientId, CancellationToken cancellationToken)
    {
        var initial = await storage.GetInitialCheckpointRequestIdAsync(cancellationToken).ConfigureAwait(false);
        var accepted = await PostAsync(credentials, clientId, initial, cancellationToken).ConfigureAwait(false);
        if (accepted is null) return false;
        await storage.SeedCheckpointRequestIdAsync(accepted.Value, cancellationToken).ConfigureAwait(false);
        _seeded = true;
        return true;
    }

    private async Task<long?> PostAsync(PowerSyncCredentials credentials, string clientId, long id, CancellationToken cancellationToken)
    {
        var accepted = await transport.PostCheckpointRequestAsync(credentials, clientId, id, cancellationToken).ConfigureAwait(false);
        if (accepted < id)
        {
            throw new PowerSyncClientException(ClientErrorCodes.ProtocolError,
                $"POST /sync/checkpoint-request answered {accepted?.ToString(CultureInfo.InvariantCulture)} for id {id.ToString(CultureInfo.InvariantCulture)}; a service answers the id it holds, never a smaller one.");
        }

        return accepted;
    }

    public void Dispose() => _lock.Dispose();
}

internal static partial class CheckpointRequestsLog
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning,
        Message = "The sync service at {Endpoint} does not serve POST /sync/checkpoint-request (a service before 1.24); this connection uses legacy write checkpoints (GET /write-checkpoint2.json). Upgrade the service, or set CheckpointMode = Legacy to skip the probe.")]
    public static partial void FellBackToLegacy(ILogger logger, Uri endpoint);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Debug, Message = "Checkpoint request {Id} accepted by the service")]
    public static partial void Requested(ILogger logger, long id);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Information, Message = "Checkpoint request {Id} was stale: the service holds {Stored} for this client; continuing from it")]
    public static partial void Stale(ILogger logger, long id, long stored);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Debug, Message = "Checkpoint request {Id} not acknowledged by the stream yet; posting it again")]
    public static partial void Reposted(ILogger logger, long id);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Warning, Message = "Posting checkpoint request {Id} again failed ({Code}: {Reason}); retrying in {Delay}")]
    public static partial void RepostFailed(ILogger logger, long id, string code, string reason, TimeSpan delay);
}
