using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using PowerSync.Core;
using PowerSync.Core.Replication;
using PowerSync.Core.Storage;
using PowerSync.Core.Storage.Sqlite;
using PowerSync.Core.SyncRules;
using PowerSync.Tests.Infrastructure.Postgres;
using PowerSync.Tests.Storage;

namespace PowerSync.Tests.Pipeline;

/// <summary>A crash the test injects into the write path: the "process" dies there.</summary>
internal sealed class InjectedCrash(string point) : Exception($"Injected crash at {point}");

/// <summary>
/// The whole replication pipeline — Postgres, pgoutput, sync rules, the SQLite bucket store — run the
/// way a host runs it, restarting after a crash: the failed run's store is closed (a dead process
/// releases its locks and loses its unfinished transaction) and a new one is opened on the same file.
/// </summary>
internal sealed class ReplicationRun : IAsyncDisposable
{
    private readonly TestDatabase _db;
    private readonly string _rules;
    private readonly string _path;
    private readonly Action<string>? _fault;
    private readonly int _flushOps;
    private readonly int _chunkSize;
    private readonly string _replicationConnectionString;
    private readonly CancellationTokenSource _stop = new();
    private readonly NpgsqlDataSource _source;
    private Task? _loop;
    private volatile SqliteBucketStorage? _storage;

    /// <summary>Cancelled (and replaced) whenever the store is reopened or replication fails: wakes waiters.</summary>
    private CancellationTokenSource _changed = new();

    public ReplicationRun(TestDatabase db, string rules, string folder, Action<string>? fault = null, int flushOps = 2000, int chunkSize = 1000,
        string? replicationConnectionString = null)
    {
        _replicationConnectionString = replicationConnectionString ?? db.ConnectionString;
        _db = db;
        _rules = rules;
        _path = Path.Combine(folder, "buckets.db");
        _fault = fault;
        _flushOps = flushOps;
        _chunkSize = chunkSize;
        _source = NpgsqlDataSource.Create(db.ConnectionString);
    }

    /// <summary>Crashes survived so far.</summary>
    public int Restarts { get; private set; }

    /// <summary>The last failure that was not an injected crash (then the loop stops).</summary>
    public Exception? Failure { get; private set; }

    public IBucketStorage Storage => _storage ?? throw new InvalidOperationException("Not started.");

    public void Start() => _loop = Task.Run(LoopAsync);

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var storage = SqliteBucketStorage.Open(new SqliteBucketStorageOptions(_path, FullSync: true, FlushOps: _flushOps) { FaultInjection = _fault });
            _storage = storage;
            SignalChange();
            try
            {
                var version = await storage.Admin.DeployAsync(_rules, _stop.Token);
                var rules = SyncRulesSet.Parse(version.Content, new SyncRulesParseOptions { SyncRulesVersion = version.Id });
                await using var writer = await storage.Admin.OpenWriterAsync(version, _stop.Token);
                var replicator = new BucketReplicator(_source, rules, writer,
                    new BucketReplicatorOptions(_replicationConnectionString, "powersync",
                        Reconnect: new ReconnectPolicy(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200)), SnapshotChunkSize: _chunkSize),
                    NullLogger.Instance);
                await replicator.RunAsync(_stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (IsInjected(e))
            {
                Restarts++;
                await storage.DisposeAsync();
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                continue;
            }
            catch (Exception e)
            {
                Failure = e;
                NUnit.Framework.TestContext.Progress.WriteLine($"replication failed: {e}");
                SignalChange();
                return;
            }
        }
    }

    private static bool IsInjected(Exception e) =>
        e is InjectedCrash || e.InnerException is InjectedCrash || (e is PowerSyncException { Code: StorageErrorCodes.WriterFailed });

    private void SignalChange() => Interlocked.Exchange(ref _changed, new CancellationTokenSource()).Cancel();

    /// <summary>Waits until the store serves a checkpoint at or past <paramref name="lsn"/>, following reopened stores.</summary>
    public async Task<Checkpoint> WaitForCheckpointAsync(Lsn lsn, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Token;
            if (Failure is { } failure) throw new InvalidOperationException("Replication failed", failure);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, changed);
            try
            {
                if (_storage is not { } storage)
                {
                    await Task.Delay(Timeout.Infinite, wait.Token);
                    continue;
                }
                await foreach (var cp in storage.Checkpoints.WatchAsync(wait.Token))
                {
                    if (cp.Lsn >= lsn) return cp;
                }
            }
            catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
            {
                // The store was reopened or replication failed: look again.
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No checkpoint at {lsn} within {timeout} (restarts: {Restarts}).");
            }
        }
    }

    /// <summary>
    /// The source's current WAL position, as a write checkpoint takes it (with a keepalive message after
    /// it, so replication reaches it): a checkpoint at or past it includes every change committed before.
    /// </summary>
    public Task<Lsn> SourcePositionAsync() => new global::PowerSync.Core.Replication.PostgresReplicationHead(_source).RecordAtHeadAsync(Task.FromResult, default);

    /// <summary>Each bucket's live rows and its checksum and op count at <paramref name="checkpoint"/>.</summary>
    public async Task<Dictionary<string, (BucketReducer.State State, BucketChecksum Checksum)>> BucketsAsync(Checkpoint checkpoint, IEnumerable<string> buckets)
    {
        var names = buckets.ToList();
        var checksums = await Storage.Reader.GetChecksumsAsync(checkpoint, names, default);
        var result = new Dictionary<string, (BucketReducer.State, BucketChecksum)>();
        foreach (var bucket in names)
        {
            var ops = new List<OplogEntry>();
            var position = new BucketPosition(bucket, OpId.Zero);
            while (true)
            {
                var page = await Storage.Reader.ReadBucketPageAsync(checkpoint, position, 10_000, int.MaxValue, default);
                ops.AddRange(page.Ops);
                if (!page.HasMore) break;
                position = position with { After = page.NextAfter };
            }
            result[bucket] = (BucketReducer.Reduce(ops), checksums.Single(c => c.Bucket == bucket));
        }
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        if (_storage is { } storage) await storage.DisposeAsync();
        await _source.DisposeAsync();
        _stop.Dispose();
        _changed.Dispose();
    }
}
