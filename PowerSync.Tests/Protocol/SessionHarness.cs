using System.Text;
using System.Text.Json;
using PowerSync.Core.Auth;
using PowerSync.Core.Protocol;
using PowerSync.Core.Storage;
using PowerSync.Core.Storage.Sqlite;
using PowerSync.Tests.Storage;

namespace PowerSync.Tests.Protocol;

/// <summary>Stands in for sync rules: each user gets the buckets the test gives it.</summary>
internal sealed class FixedBucketResolver : IBucketResolver
{
    private volatile IReadOnlyList<SessionBucket> _buckets = [];

    public static SessionBucket Bucket(string name, int priority = 3) => new(name, priority, [new BucketSubscription(true, 0)]);

    private readonly object _gate = new();
    private readonly List<(OpId At, TaskCompletionSource Seen)> _waiters = [];
    private OpId _resolvedUpTo = OpId.Zero;

    public void Set(params SessionBucket[] buckets) => _buckets = buckets;

    /// <summary>Completes once a session has evaluated a checkpoint at or after <paramref name="opId"/>.</summary>
    public Task EvaluatedAsync(OpId opId)
    {
        lock (_gate)
        {
            if (_resolvedUpTo >= opId) return Task.CompletedTask;
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((opId, tcs));
            return Eventually.WithTimeout(tcs.Task, $"a session to evaluate a checkpoint at op {opId}", TimeSpan.FromSeconds(30));
        }
    }

    private int _evaluations;
    private readonly List<(int Count, TaskCompletionSource Seen)> _countWaiters = [];

    /// <summary>Completes once checkpoints have been evaluated <paramref name="count"/> times in all (for checkpoints with the same op id).</summary>
    public Task EvaluatedCountAsync(int count)
    {
        lock (_gate)
        {
            if (_evaluations >= count) return Task.CompletedTask;
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _countWaiters.Add((count, tcs));
            return Eventually.WithTimeout(tcs.Task, $"{count} checkpoint evaluations", TimeSpan.FromSeconds(30));
        }
    }

    public Task<SessionBuckets> ResolveAsync(SyncUser user, SyncRequest request, Checkpoint checkpoint, CancellationToken ct)
    {
        lock (_gate)
        {
            _evaluations++;
            foreach (var w in _countWaiters.Where(w => w.Count <= _evaluations).ToList())
            {
                w.Seen.TrySetResult();
                _countWaiters.Remove(w);
            }
            _resolvedUpTo = OpId.Max(_resolvedUpTo, checkpoint.OpId);
            foreach (var w in _waiters.Where(w => w.At <= checkpoint.OpId).ToList())
            {
                w.Seen.TrySetResult();
                _waiters.Remove(w);
            }
        }
        var buckets = _buckets;
        var streams = buckets.Select(b => b.Name[..b.Name.IndexOf('[', StringComparison.Ordinal)]).Distinct()
            .Select(n => new StreamDescription(n, true, [])).ToList();
        return Task.FromResult(new SessionBuckets(buckets, streams));
    }
}

/// <summary>A store, a session over it, and a reader of the session's lines as protocol JSON.</summary>
internal sealed class SessionHarness : IAsyncDisposable
{
    private readonly TempFolder _folder;
    private IAsyncEnumerator<SyncLine>? _lines;
    private readonly CancellationTokenSource _stop = new();

    private SessionHarness(TempFolder folder, StorageScope scope)
    {
        _folder = folder;
        Scope = scope;
    }

    public StorageScope Scope { get; }
    public FixedBucketResolver Resolver { get; } = new();

    public static async Task<SessionHarness> StartAsync()
    {
        var folder = new TempFolder("powersync-session-");
        var storage = SqliteBucketStorage.Open(new SqliteBucketStorageOptions(Path.Combine(folder.Path, "store.db"), FullSync: false));
        return new SessionHarness(folder, await StorageScope.StartAsync(storage));
    }

    public static SyncUser User(TimeSpan? lifetime = null, string id = "user-1", DateTimeOffset? now = null) =>
        new(id, JsonDocument.Parse($"{{\"sub\":\"{id}\"}}").RootElement.Clone(), (now ?? DateTimeOffset.UtcNow) + (lifetime ?? TimeSpan.FromHours(1)));

    public static SyncRequest Request(string json = "{\"raw_data\":true}") => SyncRequest.Parse(Encoding.UTF8.GetBytes(json), 1000);

    public void Connect(SyncUser? user = null, SyncRequest? request = null, SyncSessionOptions? options = null, TimeProvider? time = null)
    {
        var services = new SyncSessionServices(Scope.Storage.Reader, Scope.Storage.Checkpoints, Scope.Storage.WriteCheckpoints, Resolver, time ?? TimeProvider.System);
        var session = new SyncSession(services, user ?? User(), request ?? Request(), options ?? new SyncSessionOptions());
        _lines = session.RunAsync(_stop.Token).GetAsyncEnumerator(_stop.Token);
    }

    /// <summary>The next line as JSON (without the newline), or null when the stream ended.</summary>
    public async Task<string?> NextAsync(int timeoutSeconds = 30)
    {
        if (!await Eventually.WithTimeout(_lines!.MoveNextAsync().AsTask(), "the session to produce a line", TimeSpan.FromSeconds(timeoutSeconds))) return null;
        return Encoding.UTF8.GetString(SyncLineWriter.ToBytes(_lines.Current, rawData: true)).TrimEnd('\n');
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_lines is not null)
        {
            try { await _lines.DisposeAsync(); }
            catch (OperationCanceledException) { }
        }
        await Scope.DisposeAsync();
        _folder.Dispose();
        _stop.Dispose();
    }
}
