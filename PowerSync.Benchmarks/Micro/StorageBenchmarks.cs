using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using PowerSync.Core;
using PowerSync.Core.Storage;
using PowerSync.Core.Storage.Sqlite;

namespace PowerSync.Benchmarks.Micro;

/// <summary>Shared set-up: a store in a temp folder with one active version and its writer.</summary>
public abstract class StorageBenchmarkBase
{
    private protected static readonly SourceTable Table = new("public", "items");
    private string _folder = "";
    private int _generation;
    private protected SqliteBucketStorage Storage = null!;
    private protected IBucketStorageWriter Writer = null!;
    private protected long NextLsn = 16;

    private protected async Task OpenFreshAsync()
    {
        if (_folder.Length == 0) _folder = Directory.CreateTempSubdirectory("powersync-bench-").FullName;
        await CloseAsync();
        // FullSync stays on: the figure includes the fsync a production commit pays.
        Storage = SqliteBucketStorage.Open(new SqliteBucketStorageOptions(Path.Combine(_folder, $"store{++_generation}.db")));
        var version = await Storage.Admin.DeployAsync("bucket_definitions: {}", default);
        Writer = await Storage.Admin.OpenWriterAsync(version, default);
        await Writer.MarkSnapshotDoneAsync(new Lsn(1), default);
    }

    /// <summary>The benchmarks' row: one item in one bucket (also used by the storage-append scenario).</summary>
    internal static SourceRowChange Row(int id, string bucket, int version) =>
        new(Table, id.ToString(System.Globalization.CultureInfo.InvariantCulture), RowChangeKind.Upsert,
            [new BucketRow(bucket, "items", id.ToString(System.Globalization.CultureInfo.InvariantCulture), RowData(id, version))],
            [], ReadOnlyMemory<byte>.Empty);

    internal static string RowData(int id, int version) =>
        $"{{\"id\":\"{id}\",\"name\":\"item number {id}\",\"price\":{id % 1000}.5,\"version\":{version}}}";

    /// <summary>
    /// Writes rows in source transactions of <paramref name="rowsPerCommit"/> rows, committing the way
    /// the replicator does: the next transaction is written while earlier commits are flushed to disk,
    /// with at most four commits waiting for their flush.
    /// </summary>
    private protected async Task<Checkpoint> WriteAsync(int rows, int rowsPerCommit, Func<int, string> bucket, int version = 0)
    {
        var inFlight = new Queue<Task<Checkpoint?>>();
        Checkpoint? cp = null;
        for (var i = 0; i < rows; i++)
        {
            await Writer.SaveAsync(Row(i, bucket(i), version), default);
            if ((i + 1) % rowsPerCommit == 0 || i == rows - 1)
            {
                inFlight.Enqueue(Writer.StartCommit(new Lsn((ulong)(NextLsn += 16))));
                if (inFlight.Count >= 4) cp = await inFlight.Dequeue();
            }
        }
        while (inFlight.Count > 0) cp = await inFlight.Dequeue();
        return cp!.Value;
    }

    private protected async Task CloseAsync()
    {
        if (Writer is not null) await Writer.DisposeAsync();
        if (Storage is not null) await Storage.DisposeAsync();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await CloseAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_folder.Length > 0) Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>Replication's write path: rows evaluated into buckets, committed 1000 rows a source transaction.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class StorageAppendBenchmarks : StorageBenchmarkBase
{
    private const int Rows = 100_000;

    // BenchmarkDotNet 0.14 only runs synchronous [IterationSetup] methods; the SQLite store's
    // tasks complete synchronously, so waiting here blocks nothing.
    [IterationSetup]
    public void Setup() => OpenFreshAsync().GetAwaiter().GetResult();

    /// <summary>Rows per source transaction: 1000 (every transaction its own commit) and 10,000 (commits grouped under load).</summary>
    [Params(1_000, 10_000)]
    public int RowsPerCommit { get; set; }

    [Benchmark(OperationsPerInvoke = Rows, Description = "append ops (100 buckets, pipelined commits)")]
    public async Task<long> Append() => (await WriteAsync(Rows, RowsPerCommit, i => $"b[{i % 100}]")).OpId.Value;
}

/// <summary>Sessions' read path: a 1M-op bucket streamed in pages of 1000 ops.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class StorageReadBenchmarks : StorageBenchmarkBase
{
    private const int Ops = 1_000_000;
    private Checkpoint _checkpoint;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        await OpenFreshAsync();
        _checkpoint = await WriteAsync(Ops, 10_000, _ => "big[]");
    }

    [Benchmark(OperationsPerInvoke = Ops, Description = "read 1M-op bucket in 1000-op pages")]
    public async Task<long> ReadAll()
    {
        var position = new BucketPosition("big[]", OpId.Zero);
        long read = 0;
        while (true)
        {
            var page = await Storage.Reader.ReadBucketPageAsync(_checkpoint, position, 1000, 1 << 20, default);
            read += page.Ops.Count;
            if (!page.HasMore) return read;
            position = position with { After = page.NextAfter };
        }
    }
}

/// <summary>Checksums of 1000 buckets at the latest checkpoint: shared cache hit, and cold (from storage).</summary>
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class StorageChecksumBenchmarks : StorageBenchmarkBase
{
    private Checkpoint _checkpoint;
    private string[] _buckets = [];

    [GlobalSetup]
    public async Task SetupAsync()
    {
        await OpenFreshAsync();
        _checkpoint = await WriteAsync(10_000, 1000, i => $"user[\"u{i % 1000}\"]");
        _buckets = Enumerable.Range(0, 1000).Select(i => $"user[\"u{i}\"]").ToArray();
        await Storage.Reader.GetChecksumsAsync(_checkpoint, _buckets, default);
    }

    [Benchmark(Description = "checksums of 1000 buckets, cached")]
    public async Task<int> Cached() => (await Storage.Reader.GetChecksumsAsync(_checkpoint, _buckets, default)).Count;

    [Benchmark(Description = "checksums of 1000 buckets, from storage")]
    public async Task<int> Cold()
    {
        Storage.Checksums.InvalidateAll();
        return (await Storage.Reader.GetChecksumsAsync(_checkpoint, _buckets, default)).Count;
    }
}

/// <summary>Compaction of 200k ops where every row was written four times (three of four ops become MOVE, then CLEAR).</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class StorageCompactionBenchmarks : StorageBenchmarkBase
{
    private const int Ops = 200_000;

    // Synchronous: see StorageAppendBenchmarks.Setup.
    [IterationSetup]
    public void Setup() => FillAsync().GetAwaiter().GetResult();

    private async Task FillAsync()
    {
        await OpenFreshAsync();
        for (var version = 0; version < 4; version++)
            await WriteAsync(Ops / 4, 5000, i => $"b[{i % 10}]", version);
    }

    [Benchmark(OperationsPerInvoke = Ops, Description = "compact 200k ops (10 buckets)")]
    public async Task<long> Compact() => (await Storage.Compactor.CompactAsync(new CompactionOptions(), default)).OpsMoved;
}
