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
/// defaults (it never fsyncs). Both grow side by side, 10,000 rows of one, then of the other, each slice
/// timed on its own; three such runs, each on fresh files: the rates are medians, the ratio the median of
/// the runs' ratios.
/// </summary>
public sealed class LiteDbAppendScenario : IScenario
{
    private const int PerCommit = 1_000;
    private const int Runs = 3;
    private const int Slice = 10 * PerCommit;

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
            // Each run's appends against its own raw inserts; the median of those is the ratio.
            var ratios = raw.Zip(appends, (r, a) => r / a).ToList();
            report.Add("ratio", RunFigures.Median(ratios, r => r));
            report.Add("run_ratios", string.Join(" ", ratios.Select(r => r.ToString("F3", CultureInfo.InvariantCulture))));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Raw inserts and appends into the store, each into a file of its own (deleted after), a slice at a
    /// time in turn: each slice is timed on its own, so a change in this machine's load weighs on both alike.
    /// </summary>
    private static async Task<(double Raw, double Append)> MeasureAsync(string folder, string name, int rows, CancellationToken ct)
    {
        double raw = 0, append = 0;
        using (var database = new LiteDatabase(new ConnectionString { Filename = Path.Combine(folder, $"{name}-raw.db"), Connection = ConnectionType.Direct }))
        await using (var appender = await StoreAppender.OpenAsync(LiteDbBucketStorage.Open(new LiteDbBucketStorageOptions(Path.Combine(folder, $"{name}-store.db"))), ct))
        {
            var ops = database.GetCollection("ops", BsonAutoId.Int64);
            for (var start = 0; start < rows; start += Slice)
            {
                var count = Math.Min(Slice, rows - start);
                raw += RawInsert(ops, start, count);
                append += await appender.AppendAsync(start, count, PerCommit, ct);
            }
        }
        foreach (var file in Directory.GetFiles(folder)) File.Delete(file);
        return (raw, append);
    }

    /// <summary>Inserts op documents <paramref name="from"/> to <paramref name="from"/> + <paramref name="count"/> - 1, 1000 a transaction; returns the seconds taken.</summary>
    private static double RawInsert(ILiteCollection<BsonDocument> ops, int from, int count)
    {
        var batch = new List<BsonDocument>(PerCommit);
        var clock = Stopwatch.StartNew();
        for (var start = from; start < from + count; start += PerCommit)
        {
            batch.Clear();
            for (var i = start; i < Math.Min(from + count, start + PerCommit); i++)
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
