using PowerSync.Core.Storage.LiteDb;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>
/// The storage-append workload on the LiteDB store: N ops (default 100,000) into one growing store (fsync
/// on), 100 buckets, committed as the replicator commits (pipelined) in 1000-row source transactions.
/// </summary>
public sealed class LiteDbAppendScenario : IScenario
{
    public string Name => "storage-append-litedb";

    public string Description => "steady-state appends into one LiteDB bucket store (1000-row commits)";

    public async Task RunAsync(ScenarioOptions options, ScenarioReport report, CancellationToken ct)
    {
        var rows = options.Rows ?? 100_000;
        var folder = Directory.CreateTempSubdirectory("powersync-bench-litedb-").FullName;
        try
        {
            report.Add("rows", rows);
            var storage = LiteDbBucketStorage.Open(new LiteDbBucketStorageOptions(Path.Combine(folder, "store.db")));
            var seconds = await StorageAppendScenario.AppendAsync(storage, rows, 1_000, ct);
            report.Add("ops_per_s_1000_row_commits", rows / seconds, "ops/s");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
