using System.Diagnostics;
using PowerSync.Benchmarks.Micro;
using PowerSync.Core;
using PowerSync.Core.Storage;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>
/// Appends the storage benchmarks' rows (one item each, 100 buckets) into a store's one version, committed
/// as the replicator commits: the next source transaction is written while earlier commits are flushed
/// to disk, with at most four commits waiting for their flush. Rows can be appended a slice at a time.
/// </summary>
internal sealed class StoreAppender : IAsyncDisposable
{
    private readonly IBucketStorage _storage;
    private readonly IBucketStorageWriter _writer;
    private ulong _lsn = 16;

    private StoreAppender(IBucketStorage storage, IBucketStorageWriter writer)
    {
        _storage = storage;
        _writer = writer;
    }

    /// <summary>Deploys a version on <paramref name="opened"/> and opens its writer; the appender disposes the store.</summary>
    public static async Task<StoreAppender> OpenAsync(IBucketStorage opened, CancellationToken ct)
    {
        try
        {
            var version = await opened.Admin.DeployAsync("bucket_definitions: {}", ct);
            var writer = await opened.Admin.OpenWriterAsync(version, ct);
            await writer.MarkSnapshotDoneAsync(new Lsn(1), ct);
            return new StoreAppender(opened, writer);
        }
        catch
        {
            await opened.DisposeAsync();
            throw;
        }
    }

    /// <summary>Appends rows <paramref name="from"/> to <paramref name="from"/> + <paramref name="count"/> - 1 in commits of <paramref name="perCommit"/>; returns the seconds until the last commit is durable.</summary>
    public async Task<double> AppendAsync(int from, int count, int perCommit, CancellationToken ct)
    {
        var inFlight = new Queue<Task<Checkpoint?>>();
        var end = from + count;
        var clock = Stopwatch.StartNew();
        for (var i = from; i < end; i++)
        {
            await _writer.SaveAsync(StorageBenchmarkBase.Row(i, $"b[{i % 100}]", version: 0), ct);
            if ((i - from + 1) % perCommit != 0 && i != end - 1) continue;
            inFlight.Enqueue(_writer.StartCommit(new Lsn(_lsn += 16)));
            if (inFlight.Count >= 4) await inFlight.Dequeue();
        }
        while (inFlight.Count > 0) await inFlight.Dequeue();
        return clock.Elapsed.TotalSeconds;
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _storage.DisposeAsync();
    }
}
