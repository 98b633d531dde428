using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PowerSync.Client.Crud;
using PowerSync.Client.Status;
using PowerSync.Client.LocalDatabase;

namespace PowerSync.Client.Sync;

/// <summary>What the stream loop does after a line.</summary>
internal enum LineAction
{
    Continue,
    /// <summary>Close the stream and reconnect at once (token refresh).</summary>
    Reconnect,
    /// <summary>Close the stream and reconnect after the backoff delay (checksum failure).</summary>
    ReconnectAfterDelay,
}

/// <summary>Everything a sync session needs from its database.</summary>
internal sealed record SyncDependencies(
    PowerSyncDatabase Database,
    ConnectionPool Pool,
    LocalOplog Storage,
    CrudQueue Queue,
    SyncStatusTracker Status,
    ISyncTransport Transport,
    ILogger Logger,
    TimeProvider Time,
    ClientMetrics Metrics,
    StreamSubscriptions Streams);

/// <summary>
/// One <c>ConnectAsync</c> lifetime: the streaming loop (reconnecting with exponential backoff and
/// jitter), the upload loop (retrying with backoff, not waiting for a new local write) and, in
/// checkpoint-request mode, the loop that posts unacknowledged requests again, all in the background
/// until <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class SyncSession : IAsyncDisposable
{
    private readonly SyncDependencies _deps;
    private readonly IPowerSyncBackendConnector _connector;
    private readonly PowerSyncConnectionOptions _options;
    private readonly CancellationTokenSource _cts = new();
    private readonly SemaphoreSlim _stateLock = new(1, 1);
    private readonly SemaphoreSlim _credentialsLock = new(1, 1);
    private readonly Channel<bool> _uploadSignal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly IDisposable _crudSubscription;
    private readonly CheckpointState _state;
    private readonly CheckpointRequests _requests;
    private int _legacyFallback;
    /// <summary>Upload failures since the last upload that completed its entry (the upload loop's only).</summary>
    private int _uploadFailures;
    private PowerSyncCredentials? _credentials;
    /// <summary>The open stream's cancellation, cancelled to reopen it with other subscriptions (the stream loop's).</summary>
    private CancellationTokenSource? _openStream;
    /// <summary>1 while the open stream is being closed to reopen it at once with the subscriptions now wanted.</summary>
    private int _resubscribe;
    private Task _streamTask = Task.CompletedTask;
    private Task _uploadTask = Task.CompletedTask;
    private Task _repostTask = Task.CompletedTask;

    private SyncSession(SyncDependencies deps, IPowerSyncBackendConnector connector, PowerSyncConnectionOptions options)
    {
        _deps = deps;
        _connector = connector;
        _options = options;
        _state = new CheckpointState(deps.Storage, deps.Status, deps.Metrics, deps.Streams.Store);
        _requests = new CheckpointRequests(deps.Storage, deps.Transport, deps.Logger);
        Stopped = _cts.Token;
        _crudSubscription = deps.Pool.Changes.Subscribe(tables =>
        {
            if (tables.Contains("ps_crud")) _uploadSignal.Writer.TryWrite(true);
        });
    }

    public static SyncSession Start(SyncDependencies deps, IPowerSyncBackendConnector connector, PowerSyncConnectionOptions options)
    {
        var session = new SyncSession(deps, connector, options);
        var token = session._cts.Token;
        // Errors of an earlier connection end no wait of this one.
        deps.Status.Update(s => s with { Connecting = true, DownloadError = null, UploadError = null });
        session._uploadSignal.Writer.TryWrite(true);
        deps.Streams.Changed += session.OnSubscriptionsChanged;
        session._streamTask = Task.Run(() => session.StreamLoopAsync(token), CancellationToken.None);
        session._uploadTask = Task.Run(() => session.UploadLoopAsync(token), CancellationToken.None);
        if (options.CheckpointMode == CheckpointMode.Requests)
            session._repostTask = Task.Run(() => session.RepostLoopAsync(token), CancellationToken.None);
        return session;
    }

    private async Task<PowerSyncCredentials> GetCredentialsAsync(CancellationToken cancellationToken) =>
        (await FetchOrReuseCredentialsAsync(cancellationToken).ConfigureAwait(false)).Credentials;

    /// <summary>The cached credentials while they are valid, else new ones from the connector (<c>Fetched</c>).</summary>
    private async Task<(PowerSyncCredentials Credentials, bool Fetched)> FetchOrReuseCredentialsAsync(CancellationToken cancellationToken)
    {
        await _credentialsLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_credentials is { } cached && (cached.ExpiresAt is null || cached.ExpiresAt > DateTimeOffset.UtcNow.AddSeconds(30))) return (cached, false);
            var fetched = await _connector.FetchCredentialsAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new PowerSyncClientException(ClientErrorCodes.Unauthorized, "The connector returned no credentials (not signed in); sync retries with backoff until it returns some.");
            if (fetched.Endpoint is not { IsAbsoluteUri: true, Scheme: "http" or "https" })
            {
                throw new PowerSyncClientException(ClientErrorCodes.SyncRequestRejected,
                    $"The connector returned the endpoint '{fetched.Endpoint}', which is not an absolute http:// or https:// URL; return the sync service's address, e.g. https://host/powersync.");
            }

            _credentials = fetched;
            return (fetched, true);
        }
        finally
        {
            _credentialsLock.Release();
        }
    }

    private void InvalidateCredentials() => _credentials = null;

    private TimeSpan Backoff(int attempt)
    {
        var factor = Math.Pow(2, Math.Min(attempt, 20));
        var delay = Math.Min(_options.RetryDelay.TotalMilliseconds * factor, _options.MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(delay * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }

    private async Task StreamLoopAsync(CancellationToken cancellationToken)
    {
        var attempt = 0;
        var clientId = await _deps.Storage.GetClientIdAsync(cancellationToken).ConfigureAwait(false);
        var streamFailures = new FailureStreak();
        while (!cancellationToken.IsCancellationRequested)
        {
            var delay = true;
            TimeSpan? wait = null;
            var receivedLine = false;
            var reusedCredentials = false;
            try
            {
                var (credentials, fetched) = await FetchOrReuseCredentialsAsync(cancellationToken).ConfigureAwait(false);
                reusedCredentials = !fetched;
                // Each connection confirms the checkpoint-request counter first (the core's EstablishSyncStream.checkpoint_request).
                if (UsesRequests && !await _requests.SeedAsync(credentials, clientId, cancellationToken).ConfigureAwait(false))
                    FallBackToLegacy(credentials);
                Interlocked.Exchange(ref _resubscribe, 0);
                var streams = await _deps.Streams.Store.RequestAsync(_options.IncludeDefaultStreams, _deps.Streams.Active, cancellationToken).ConfigureAwait(false);
                var request = StreamingSyncRequest.For(_options, clientId, await _deps.Storage.GetBucketPositionsAsync(cancellationToken).ConfigureAwait(false), streams);
                using var streamCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                await _stateLock.WaitAsync(cancellationToken).ConfigureAwait(false);
                _state.Requested = streams;
                _stateLock.Release();
                Volatile.Write(ref _openStream, streamCts);
                streamCts.CancelAfter(_options.StreamIdleTimeout);
                // Reading runs ahead of applying, so data lines that queue up are saved in one transaction.
                var lines = Channel.CreateBounded<SyncLine>(new BoundedChannelOptions(32) { SingleReader = true, SingleWriter = true });
                var reading = ReadStreamAsync(credentials, request, lines.Writer, streamCts);
                try
                {
                    while (await lines.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        if (!lines.Reader.TryRead(out var line)) continue;
                        if (!receivedLine)
                        {
                            receivedLine = true;
                            // Repeated checksum failures keep growing the delay (the official core has a TODO here).
                            if (_state.ChecksumFailureStreak == 0) attempt = 0;
                            streamFailures.Reset();
                            _deps.Metrics.StreamsConnected.Add(1);
                            _deps.Status.Update(s => s with { Connected = true, Connecting = false, DownloadError = null });
                            _uploadSignal.Writer.TryWrite(true);
                        }

                        if (Volatile.Read(ref _resubscribe) == 1) throw new OperationCanceledException();
                        var action = line is DataLine data
                            ? await SaveDataAsync(data, lines.Reader, cancellationToken).ConfigureAwait(false)
                            : await HandleLineAsync(line, cancellationToken).ConfigureAwait(false);
                        if (action == LineAction.Continue) continue;
                        delay = action == LineAction.ReconnectAfterDelay;
                        break;
                    }
                }
                finally
                {
                    Volatile.Write(ref _openStream, null);
                    await streamCts.CancelAsync().ConfigureAwait(false);
                    await reading.ConfigureAwait(false); // never throws: a failure completes the channel
                }

                // A stream the service ended normally is reopened after the base delay (no tight loop).
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception) when (Interlocked.Exchange(ref _resubscribe, 0) == 1)
            {
                // The subscriptions changed: reopen at once with the new set (as the official clients do).
                delay = false;
            }
            catch (PowerSyncClientException e) when (e.Code == ClientErrorCodes.Unauthorized && reusedCredentials && !receivedLine)
            {
                // A token fetched earlier was refused (it expired, or was revoked): fetch a new one and reconnect at once.
                // Only a refused token fetched for the attempt is an error (it is published and ends waits).
                InvalidateCredentials();
                delay = false;
            }
            catch (Exception e)
            {
                if (e is PowerSyncClientException { Code: ClientErrorCodes.Unauthorized }) InvalidateCredentials();
                var error = e is OperationCanceledException
                    ? new PowerSyncClientException(ClientErrorCodes.SyncHttpError, $"No line arrived for {_options.StreamIdleTimeout}; the stream is considered dead and reopened.", e)
                    : e;
                _deps.Status.Update(s => s with { DownloadError = error });
                wait = Backoff(attempt++);
                var code = SyncSessionLog.CodeOf(error, syncService: true);
                _deps.Metrics.StreamFailures.Add(1, ClientMetrics.Code(code));
                LogFailure(streamFailures, error, code, wait.Value, attempt, SyncSessionLog.StreamFailed);
            }

            _deps.Status.Update(s => s with { Connected = false, Connecting = true, Downloading = false });
            if (!delay) continue;
            try
            {
                await Task.Delay(wait ?? Backoff(attempt++), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>One Warning line for a failed attempt that is retried; the exception behind it at Debug when it is a new failure.</summary>
    private void LogFailure(FailureStreak streak, Exception e, string code, TimeSpan delay, int attempt, Action<ILogger, string, string, TimeSpan, int> log)
    {
        log(_deps.Logger, code, e.Message, delay, attempt);
        if (streak.IsNew(code, e)) SyncSessionLog.FailureDetail(_deps.Logger, e, code);
    }

    private async Task ReadStreamAsync(PowerSyncCredentials credentials, StreamingSyncRequest request, ChannelWriter<SyncLine> writer, CancellationTokenSource streamCts)
    {
        try
        {
            await foreach (var line in _deps.Transport.StreamAsync(credentials, request, streamCts.Token).ConfigureAwait(false))
            {
                streamCts.CancelAfter(_options.StreamIdleTimeout);
                await writer.WriteAsync(line, streamCts.Token).ConfigureAwait(false);
            }

            writer.TryComplete();
        }
        catch (Exception e)
        {
            writer.TryComplete(e);
        }
    }

    private async Task<LineAction> SaveDataAsync(DataLine first, ChannelReader<SyncLine> reader, CancellationToken cancellationToken)
    {
        var batch = new List<DataLine> { first };
        var ops = first.Data.Count;
        while (ops < 10_000 && reader.TryPeek(out var next) && next is DataLine more && reader.TryRead(out _))
        {
            batch.Add(more);
            ops += more.Data.Count;
        }

        await _stateLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _state.SaveAsync(batch, cancellationToken).ConfigureAwait(false);
            return LineAction.Continue;
        }
        finally
        {
            _stateLock.Release();
        }
    }

    private async Task<LineAction> HandleLineAsync(SyncLine line, CancellationToken cancellationToken)
    {
        if (line is TokenExpiresInLine token)
        {
            // Each keepalive renews the subscriptions in use and drops expired ones: an expiry reopens the stream without it.
            if (token.Seconds > 30) return await SubscriptionsChangedAsync(cancellationToken).ConfigureAwait(false) ? LineAction.Reconnect : LineAction.Continue;
            InvalidateCredentials();
            if (token.Seconds > 0) await GetCredentialsAsync(cancellationToken).ConfigureAwait(false); // prefetch, then reopen with it
            return LineAction.Reconnect;
        }

        await _stateLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _state.HandleAsync(line, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _stateLock.Release();
        }
    }

    /// <summary>Whether the request would now ask for other subscriptions than the open stream's (renewing those in use).</summary>
    private async Task<bool> SubscriptionsChangedAsync(CancellationToken cancellationToken)
    {
        var wanted = await _deps.Streams.Store.RequestAsync(_options.IncludeDefaultStreams, _deps.Streams.Active, cancellationToken).ConfigureAwait(false);
        return wanted.Text != _state.Requested.Text;
    }

    /// <summary>A subscription was added, renewed or released: reopens the stream when the request changes.</summary>
    private void OnSubscriptionsChanged() => _ = Task.Run(async () =>
    {
        try
        {
            if (!await SubscriptionsChangedAsync(Stopped).ConfigureAwait(false)) return;
            // A stream not open yet sees the flag at its first line; an attempt that has not built its request yet clears it.
            Interlocked.Exchange(ref _resubscribe, 1);
            if (Volatile.Read(ref _openStream) is { } open) await open.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception) when (Stopped.IsCancellationRequested)
        {
            // Disconnected.
        }
        catch (ObjectDisposedException)
        {
            // The stream closed meanwhile; the next one reads the subscriptions.
        }
    }, CancellationToken.None);

    private async Task UploadLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Leading-edge throttle: a write after a quiet period uploads at once; writes during or right
            // after a round that uploaded wait until CrudUploadThrottle has passed since it began, then go together.
            long? lastRound = null;
            var uploadFailures = new FailureStreak();
            while (await _uploadSignal.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (lastRound is { } last && _options.CrudUploadThrottle - Stopwatch.GetElapsedTime(last) is { Ticks: > 0 } wait)
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                _uploadSignal.Reader.TryRead(out _);
                var started = Stopwatch.GetTimestamp();
                _uploadFailures = 0;
                while (true)
                {
                    try
                    {
                        if (await UploadAllAsync(cancellationToken).ConfigureAwait(false)) lastRound = started;
                        uploadFailures.Reset();
                        break;
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        if (e is PowerSyncClientException { Code: ClientErrorCodes.Unauthorized }) InvalidateCredentials();
                        _deps.Status.Update(s => s with { Uploading = false, UploadError = e });
                        var retryIn = Backoff(_uploadFailures++);
                        var code = SyncSessionLog.CodeOf(e);
                        _deps.Metrics.UploadFailures.Add(1, ClientMetrics.Code(code));
                        LogFailure(uploadFailures, e, code, retryIn, _uploadFailures, SyncSessionLog.UploadFailed);
                        await Task.Delay(retryIn, _deps.Time, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disconnected.
        }
    }

    /// <summary>
    /// Uploads until the queue is empty, then moves the write gate; false when there was nothing to upload.
    /// Every upload that completes its queue entry resets the retry delay: under steady writes the queue
    /// may never be empty, and failures far apart must not add up to the longest delay.
    /// </summary>
    private async Task<bool> UploadAllAsync(CancellationToken cancellationToken)
    {
        long? previousHead = null;
        while (await _deps.Queue.PeekHeadAsync(cancellationToken).ConfigureAwait(false) is { } head)
        {
            if (head == previousHead)
            {
                throw new PowerSyncClientException(ClientErrorCodes.UploadNotCompleted,
                    $"UploadDataAsync returned without completing upload queue entry {head}; call CompleteAsync on the transaction or batch once the backend accepted it. The upload is retried.");
            }
            if (previousHead is not null) _uploadFailures = 0;

            _deps.Status.Update(s => s with { Uploading = true });
            var started = Stopwatch.GetTimestamp();
            await _connector.UploadDataAsync(_deps.Database, cancellationToken).ConfigureAwait(false);
            _deps.Metrics.UploadDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            previousHead = head;
        }

        if (previousHead is not null) _uploadFailures = 0;
        _deps.Status.Update(s => s with { Uploading = false, UploadError = null });
        var clientId = await _deps.Storage.GetClientIdAsync(cancellationToken).ConfigureAwait(false);
        var updated = await _deps.Storage.UpdateLocalTargetAsync(ct => ObtainWriteCheckpointAsync(clientId, ct), cancellationToken).ConfigureAwait(false);
        if (!updated) return previousHead is not null;
        await _stateLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _state.RetryPendingAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _stateLock.Release();
        }

        return previousHead is not null;
    }

    /// <summary>Cancelled when the session stops (<see cref="DisposeAsync"/>).</summary>
    public CancellationToken Stopped { get; }

    /// <summary>
    /// A new write checkpoint from the service (a checkpoint request, or a legacy one): once a full checkpoint with this
    /// write checkpoint or a larger one is applied, the local tables hold the service's state as of now, this client's
    /// uploaded writes included.
    /// </summary>
    public async Task<long> RequestWriteCheckpointAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(Stopped, cancellationToken);
        var clientId = await _deps.Storage.GetClientIdAsync(linked.Token).ConfigureAwait(false);
        return await ObtainWriteCheckpointAsync(clientId, linked.Token).ConfigureAwait(false);
    }

    /// <summary>Checkpoint-request mode, unless the service turned out not to serve it.</summary>
    private bool UsesRequests => _options.CheckpointMode == CheckpointMode.Requests && Volatile.Read(ref _legacyFallback) == 0;

    private void FallBackToLegacy(PowerSyncCredentials credentials)
    {
        if (Interlocked.Exchange(ref _legacyFallback, 1) == 0) CheckpointRequestsLog.FellBackToLegacy(_deps.Logger, credentials.Endpoint);
    }

    /// <summary>The write checkpoint that covers everything uploaded so far: an accepted checkpoint request, or a legacy one.</summary>
    private async Task<long> ObtainWriteCheckpointAsync(string clientId, CancellationToken cancellationToken)
    {
        var credentials = await GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
        if (UsesRequests)
        {
            if (await _requests.RequestAsync(credentials, clientId, cancellationToken).ConfigureAwait(false) is { } accepted) return accepted;
            FallBackToLegacy(credentials);
        }

        return await _deps.Transport.GetWriteCheckpointAsync(credentials, clientId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Posts the gate's checkpoint request again when the stream has not acknowledged it for
    /// <see cref="PowerSyncConnectionOptions.CheckpointRequestRetryDelay"/> (e.g. the service lost its record);
    /// reconnecting posts it too (<see cref="CheckpointRequests.SeedAsync"/>).
    /// </summary>
    private async Task RepostLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            var clientId = await _deps.Storage.GetClientIdAsync(cancellationToken).ConfigureAwait(false);
            var repostFailures = new FailureStreak();
            while (UsesRequests)
            {
                var outstanding = await _deps.Storage.GetUnacknowledgedRequestAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(_options.CheckpointRequestRetryDelay, _deps.Time, cancellationToken).ConfigureAwait(false);
                if (outstanding is not { } id || !UsesRequests || !_deps.Status.Current.Connected) continue;
                if (await _deps.Storage.GetUnacknowledgedRequestAsync(cancellationToken).ConfigureAwait(false) != id) continue; // acknowledged, or a newer request
                try
                {
                    var credentials = await GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
                    await _requests.RepostAsync(credentials, clientId, id, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    var code = SyncSessionLog.CodeOf(e, syncService: true);
                    CheckpointRequestsLog.RepostFailed(_deps.Logger, id, code, e.Message, _options.CheckpointRequestRetryDelay);
                    if (repostFailures.IsNew(code, e)) SyncSessionLog.FailureDetail(_deps.Logger, e, code);
                    continue;
                }
                repostFailures.Reset();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disconnected.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _deps.Streams.Changed -= OnSubscriptionsChanged;
        _crudSubscription.Dispose();
        await _cts.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_streamTask, _uploadTask, _repostTask).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Expected on disconnect.
        }

        _deps.Status.Update(s => s with { Connected = false, Connecting = false, Downloading = false, Uploading = false, DownloadProgress = null });
        _cts.Dispose();
        _stateLock.Dispose();
        _credentialsLock.Dispose();
        _requests.Dispose();
    }
}
