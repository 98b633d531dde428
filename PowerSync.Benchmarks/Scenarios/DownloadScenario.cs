using System.Globalization;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using PowerSync.Core;
using PowerSync.Core.Storage;
using PowerSync.Core.SyncRules;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>
/// A fresh client's full download over HTTP from the host: N rows in 10 buckets, read as NDJSON
/// until <c>checkpoint_complete</c>. Comparison in the same run: reading the same ops straight from
/// the bucket store (no protocol, no HTTP), the ceiling of what serving can reach. The store is SQLite, LiteDB or
/// Postgres (<c>--storage</c>; Postgres: a private server of its own).
/// </summary>
public sealed class DownloadScenario : IScenario
{
    /// <summary>Ten buckets of <c>items</c>, by <c>grp</c> (0-9): every user syncs them all.</summary>
    internal const string Rules = """
        bucket_definitions:
          by_group:
            parameters: SELECT value AS grp FROM json_each('[0,1,2,3,4,5,6,7,8,9]')
            data:
              - SELECT * FROM items WHERE grp = bucket.grp
        """;

    public string Name => "download";

    public string Description => "full download of N rows over HTTP vs reading them from the store directly";

    public bool TakesStorage => true;

    public async Task RunAsync(ScenarioOptions options, ScenarioReport report, CancellationToken ct)
    {
        var rows = options.Rows ?? 200_000;
        await using var host = await BenchmarkHost.CreateAsync(Rules, ct, options.Storage);
        for (var i = 0; i < rows; i++)
        {
            await host.SaveItemAsync($"t{i}", new Dictionary<string, SqliteValue>
            {
                ["id"] = SqliteValue.FromText($"item-{i}"),
                ["grp"] = SqliteValue.FromInteger(i % 10),
                ["name"] = SqliteValue.FromText($"item number {i}"),
                ["price"] = SqliteValue.FromReal(i * 0.25),
            }, ct);
        }
        var checkpoint = await host.CommitAsync(ct);

        // A serving instance runs warm code, and the first pass through a path runs at the JIT's first tier:
        // the first download is kept as cold_rows_per_s, and the figures are medians of three more. Before
        // each, one more row makes a new checkpoint, so it finds nothing in the page cache from the one before.
        await host.StartHttpAsync(maxConnections: 100, ct);
        using var client = new HttpClient { BaseAddress = host.Address };
        var cold = await TimedDownloadAsync(client, host.Token("u1"), rows, ct);
        await ReadDirectAsync(host, checkpoint, rows, ct);

        var runs = new List<WarmRun>();
        for (var run = 0; run < 3; run++)
        {
            await host.SaveItemAsync($"t-extra{run}", new Dictionary<string, SqliteValue>
            {
                ["id"] = SqliteValue.FromText($"item-extra{run}"),
                ["grp"] = SqliteValue.FromInteger(run),
            }, ct);
            checkpoint = await host.CommitAsync(ct);
            var total = rows + run + 1;
            // The store read twice, the second measured: as warm as the download that follows it.
            await ReadDirectAsync(host, checkpoint, total, ct);
            var direct = await ReadDirectAsync(host, checkpoint, total, ct);
            var gcBefore = GcUsage.Now();
            var cpuBefore = Environment.CpuUsage.TotalTime;
            var (overHttp, bytes) = await TimedDownloadAsync(client, host.Token("u1"), total, ct);
            var cpu = Environment.CpuUsage.TotalTime - cpuBefore;
            runs.Add(new WarmRun(total / overHttp.TotalSeconds, total / direct.TotalSeconds, cpu.TotalMicroseconds / total, GcUsage.Since(gcBefore), bytes));
        }

        double Median(Func<WarmRun, double> figure) => RunFigures.Median([.. runs.Select(figure)], x => x);
        report.Add("storage", host.StorageEngine);
        report.Add("rows", rows);
        report.Add("rows_per_s", Median(r => r.RowsPerS), "rows/s");
        report.Add("run_rows_per_s", string.Join(' ', runs.Select(r => r.RowsPerS.ToString("F0", CultureInfo.InvariantCulture))));
        report.Add("store_read_rows_per_s", Median(r => r.StoreRowsPerS), "rows/s");
        report.Add("ratio_to_store_read", Median(r => r.RowsPerS / r.StoreRowsPerS));
        report.Add("cold_rows_per_s", rows / cold.Elapsed.TotalSeconds, "rows/s");
        report.Add("bytes", runs[^1].Bytes, "B");
        // Server and the reading client together (the client only counts ops in the bytes).
        report.Add("cpu_us_per_row", Median(r => r.CpuPerRow), "µs");
        report.Add("allocated_bytes_per_row", Median(r => r.Gc.AllocatedBytes / (double)rows), "B");
        report.Add("full_gcs", runs.Sum(r => r.Gc.FullCollections));
        report.Add("gc_pause_ms", Median(r => r.Gc.Paused.TotalMilliseconds), "ms");
    }

    private readonly record struct WarmRun(double RowsPerS, double StoreRowsPerS, double CpuPerRow, GcUsage Gc, long Bytes);

    /// <summary>Reads every bucket straight from the store, page by page as serving does: the ceiling.</summary>
    private static async Task<TimeSpan> ReadDirectAsync(BenchmarkHost host, Checkpoint checkpoint, int rows, CancellationToken ct)
    {
        var direct = Stopwatch.StartNew();
        long ops = 0;
        foreach (var bucket in host.Rules.ResolveRequest(new RequestParameters("{\"sub\":\"u\"}")).StaticBuckets)
        {
            var position = new BucketPosition(bucket.Bucket, OpId.Zero);
            while (true)
            {
                var page = await host.Storage.Reader.ReadBucketPageAsync(checkpoint, position, 1000, 1 << 20, ct);
                ops += page.Ops.Count;
                if (!page.HasMore) break;
                position = position with { After = page.NextAfter };
            }
        }
        if (ops != rows) throw new InvalidOperationException($"Read {ops} ops from the store, expected {rows}.");
        return direct.Elapsed;
    }

    private static async Task<(TimeSpan Elapsed, long Bytes)> TimedDownloadAsync(HttpClient client, string token, int rows, CancellationToken ct)
    {
        var overHttp = Stopwatch.StartNew();
        var (received, bytes) = await DownloadAsync(client, token, ct);
        if (received != rows) throw new InvalidOperationException($"Downloaded {received} ops, expected {rows}.");
        return (overHttp.Elapsed, bytes);
    }

    /// <summary>Opens a sync stream (NDJSON, raw data) as a fresh client of <paramref name="token"/>'s user; the body is read as it comes.</summary>
    internal static async Task<HttpResponseMessage> OpenStreamAsync(HttpClient client, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sync/stream") { Content = new StringContent("""{"raw_data":true}""", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        try
        {
            response.EnsureSuccessStatusCode();
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static async Task<(long Ops, long Bytes)> DownloadAsync(HttpClient client, string token, CancellationToken ct)
    {
        using var response = await OpenStreamAsync(client, token, ct);
        // Counts ops in the raw bytes, without decoding lines into strings: the figure is the server's.
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[1 << 20];
        long ops = 0, bytes = 0;
        var carry = 0;
        int read;
        while ((read = await body.ReadAsync(buffer.AsMemory(carry), ct)) > 0)
        {
            bytes += read;
            var span = buffer.AsSpan(0, carry + read);
            // The carried tail was scanned already: only a match that ends past it is new.
            ops += CountEndingAfter(span, "\"op_id\":"u8, carry);
            if (span.IndexOf("{\"checkpoint_complete\""u8) >= 0) return (ops, bytes);
            carry = Math.Min(span.Length, 32);
            span[^carry..].CopyTo(buffer);
        }

        throw new InvalidOperationException("The stream ended before checkpoint_complete.");
    }

    private static int CountEndingAfter(ReadOnlySpan<byte> text, ReadOnlySpan<byte> pattern, int end)
    {
        var count = 0;
        var offset = 0;
        while (text[offset..].IndexOf(pattern) is var i and >= 0)
        {
            if (offset + i + pattern.Length > end) count++;
            offset += i + pattern.Length;
        }

        return count;
    }
}
