using System.Diagnostics;
using System.Globalization;
using LiteDB;
using PowerSync.Benchmarks.Micro;
using PowerSync.Core.Storage;
using PowerSync.Core.Storage.LiteDb;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>
/// The storage-append workload on the LiteDB store: N ops (default 100,000) into one growing store (fsync
/// on), 100 buckets, committed as the replicator commits (pipelined) in 1000-row source transactions.
/// Comparison, same run: LiteDB's own insert rate of the same ops as plain documents (the fields an op
/// has, auto-numbered ids) into one collection of a fresh file, 1000 documents a transaction, LiteDB's
/// defaults (it never fsyncs). Raw inserts and appends alternate three times: the rates are medians, the
/// ratio is the median of each append run against the raw run just before it.
/// </summary>
public sealed class LiteDbAppendScenario : IScenario
{
    private const int PerCommit = 1_000;
    private const int Runs = 3;

    public string Name => "storage-append-litedb";

    public string Description => "steady-state appends into one LiteDB bucket store (1000-row commits) vs LiteDB's own inserts of the same ops";

    public async Task RunAsync(ScenarioOptions options, ScenarioReport report, CancellationToken ct)
    {
        var rows = options.Rows ?? 100_000;
        var folder = Directory.CreateTempSubdirectory("powersync-bench-litedb-").FullName;
        try
        {
            // Untimed first: both paths through LiteDB are compiled before either is measured.
            await MeasureAsync(folder, "warm-up", Math.Min(rows, 5 * PerCommit), ct);
            var raw = new List<double>();
            var appends = new List<double>();
            for (var run = 0; run < Runs; run++)
            {
                var (rawSeconds, appendSeconds) = await MeasureAsync(folder, $"run-{run}", rows, ct);
                raw.Add(rawSeconds);
                appends.Add(appendSeconds);
            }
            report.Add("rows", rows);
            report.Add("runs", (long)Runs);
            report.Add("ops_per_s_1000_row_commits", rows / RunFigures.Median(appends, s => s), "ops/s");
            report.Add("raw_litedb_inserts_per_s", rows / RunFigures.Median(raw, s => s), "docs/s");
            // Each append run against the raw run just before it; the median of those pairs is the ratio.
            var ratios = raw.Zip(appends, (r, a) => r / a).ToList();
            report.Add("ratio", RunFigures.Median(ratios, r => r));
            report.Add("run_ratios", string.Join(" ", ratios.Select(r => r.ToString("F3", CultureInfo.InvariantCulture))));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Raw inserts, then appends into the store, each into a file of its own (deleted after).</summary>
    private static async Task<(double Raw, double Append)> MeasureAsync(string folder, string name, int rows, CancellationToken ct)
    {
        var raw = RawInsert(Path.Combine(folder, $"{name}-raw.db"), rows);
        var storage = LiteDbBucketStorage.Open(new LiteDbBucketStorageOptions(Path.Combine(folder, $"{name}-store.db")));
        var append = await StorageAppendScenario.AppendAsync(storage, rows, PerCommit, ct);
        foreach (var file in Directory.GetFiles(folder)) File.Delete(file);
        return (raw, append);
    }

    /// <summary>Inserts <paramref name="rows"/> op documents into a fresh LiteDB file, 1000 a transaction; returns the seconds taken.</summary>
    private static double RawInsert(string path, int rows)
    {
        using var database = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        var ops = database.GetCollection("ops", BsonAutoId.Int64);
        var batch = new List<BsonDocument>(PerCommit);
        var clock = Stopwatch.StartNew();
        for (var start = 0; start < rows; start += PerCommit)
        {
            batch.Clear();
            for (var i = start; i < Math.Min(rows, start + PerCommit); i++)
            {
                var id = i.ToString(CultureInfo.InvariantCulture);
                var data = StorageBenchmarkBase.RowData(i, version: 0);
                batch.Add(new BsonDocument
                {
                    ["b"] = $"b[{i % 100}]",
                    ["op"] = (long)(i + 1),
                    ["o"] = (int)OpType.Put,
                    ["ot"] = "items",
                    ["oi"] = id,
                    ["sk"] = SourceRowIdentity.Subkey("public.items", id),
                    ["cs"] = (long)OpChecksum.ForPut("items", id, data),
                    ["d"] = data,
                });
            }
            // One call, one transaction.
            ops.InsertBulk(batch);
        }
        return clock.Elapsed.TotalSeconds;
    }
}
