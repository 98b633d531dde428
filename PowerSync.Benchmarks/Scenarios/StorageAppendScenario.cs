using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using PowerSync.Benchmarks.Micro;
using PowerSync.Core;
using PowerSync.Core.Storage;
using PowerSync.Core.Storage.Sqlite;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>
/// Steady-state appends: N ops (default 1M) into one growing store (fsync on), 100 buckets, committed
/// as the replicator commits (pipelined), once in 1000-row and once in 10,000-row source transactions.
/// The micro-benchmark starts each iteration on an empty store; this one includes B-tree growth and
/// WAL checkpoints. Comparison, same run: raw SQLite inserts of the same op rows into one plain table
/// (prepared statement, 1000 rows a transaction, WAL, full sync).
/// </summary>
public sealed class StorageAppendScenario : IScenario
{
    public string Name => "storage-append";

    public string Description => "steady-state appends into one bucket store (1000- and 10,000-row commits) vs raw SQLite inserts of the same rows";

    public async Task RunAsync(ScenarioOptions options, ScenarioReport report, CancellationToken ct)
    {
        var rows = options.Rows ?? 1_000_000;
        var folder = Directory.CreateTempSubdirectory("powersync-bench-append-").FullName;
        try
        {
            report.Add("rows", rows);
            foreach (var perCommit in new[] { 1_000, 10_000 })
            {
                var seconds = await AppendAsync(Path.Combine(folder, $"store-{perCommit}.db"), rows, perCommit, ct);
                report.Add($"ops_per_s_{perCommit}_row_commits", rows / seconds, "ops/s");
            }
            report.Add("raw_sqlite_rows_per_s", rows / RawInsert(Path.Combine(folder, "raw.db"), rows), "rows/s");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Task<double> AppendAsync(string path, int rows, int perCommit, CancellationToken ct) =>
        AppendAsync(SqliteBucketStorage.Open(new SqliteBucketStorageOptions(path)), rows, perCommit, ct);

    /// <summary>Appends <paramref name="rows"/> rows into <paramref name="opened"/> (disposed at the end); returns the seconds taken.</summary>
    private static async Task<double> AppendAsync(IBucketStorage opened, int rows, int perCommit, CancellationToken ct)
    {
        await using var appender = await StoreAppender.OpenAsync(opened, ct);
        return await appender.AppendAsync(0, rows, perCommit, ct);
    }

    private static double RawInsert(string path, int rows)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE ops (id INTEGER PRIMARY KEY, bucket TEXT, object_id TEXT, data TEXT)";
            pragma.ExecuteNonQuery();
        }
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO ops (bucket, object_id, data) VALUES ($b, $o, $d)";
        var bucket = insert.Parameters.Add("$b", Microsoft.Data.Sqlite.SqliteType.Text);
        var objectId = insert.Parameters.Add("$o", Microsoft.Data.Sqlite.SqliteType.Text);
        var data = insert.Parameters.Add("$d", Microsoft.Data.Sqlite.SqliteType.Text);
        insert.Prepare();
        var clock = Stopwatch.StartNew();
        for (var start = 0; start < rows; start += 1000)
        {
            using var tx = connection.BeginTransaction();
            insert.Transaction = tx;
            for (var i = start; i < Math.Min(rows, start + 1000); i++)
            {
                bucket.Value = $"b[{i % 100}]";
                objectId.Value = i.ToString(CultureInfo.InvariantCulture);
                data.Value = StorageBenchmarkBase.RowData(i, version: 0);
                insert.ExecuteNonQuery();
            }
            tx.Commit();
        }
        return clock.Elapsed.TotalSeconds;
    }
}
