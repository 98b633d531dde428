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
/// the bucket store (no protocol, no HTTP), the ceiling of what serving can reach.
/// </summary>
public sealed class DownloadScenario : IScenario
{
    private const string Rules = """
        bucket_definitions:
          by_group:
            parameters: SELECT value AS grp FROM json_each('[0,1,2,3,4,5,6,7,8,9]')
            data:
              - SELECT * FROM items WHERE grp = bucket.grp
        """;

    public string Name => "download";

    public string Description => "full download of N rows over HTTP vs reading them from the store directly";

    public async Task RunAsync(ScenarioOptions options, ScenarioReport report, CancellationToken ct)
    {
        var rows = options.Rows ?? 200_000;
        await using var host = await BenchmarkHost.CreateAsync(Rules, ct);
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
        // the figures are of second runs, the first download is kept as cold_rows_per_s. One more row then
        // makes a new checkpoint, so the measured download finds nothing in the page cache from the first.
        await host.StartHttpAsync(maxConnections: 100, ct);
        using var client = new HttpClient { BaseAddress = host.Address };
        var cold = await TimedDownloadAsync(client, host.Token("u1"), rows, ct);
        await host.SaveItemAsync("t-extra", new Dictionary<string, SqliteValue>
        {
            ["id"] = SqliteValue.FromText("item-extra"),
            ["grp"] = SqliteValue.FromInteger(0),
        }, ct);
        checkpoint = await host.CommitAsync(ct);
        rows++;

        TimeSpan direct = default;
        for (var pass = 0; pass < 2; pass++) direct = await ReadDirectAsync(host, checkpoint, rows, ct);
        var gcBefore = GcUsage.Now();
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var (overHttp, bytes) = await TimedDownloadAsync(client, host.Token("u1"), rows, ct);
        var cpu = Environment.CpuUsage.TotalTime - cpuBefore;
        var gc = GcUsage.Since(gcBefore);

        report.Add("rows", rows);
        report.Add("rows_per_s", rows / overHttp.TotalSeconds, "rows/s");
        report.Add("store_read_rows_per_s", rows / direct.TotalSeconds, "rows/s");
        report.Add("ratio_to_store_read", direct.TotalSeconds / overHttp.TotalSeconds);
        report.Add("cold_rows_per_s", (rows - 1) / cold.Elapsed.TotalSeconds, "rows/s");
        report.Add("seconds", overHttp.TotalSeconds, "s");
        report.Add("bytes", bytes, "B");
        // Server and the reading client together (the client only counts ops in the bytes).
        report.Add("cpu_us_per_row", cpu.TotalMicroseconds / rows, "µs");
        report.Add("allocated_bytes_per_row", gc.AllocatedBytes / rows, "B");
    }

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

    private static async Task<(long Ops, long Bytes)> DownloadAsync(HttpClient client, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sync/stream") { Content = new StringContent("""{"raw_data":true}""", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
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
