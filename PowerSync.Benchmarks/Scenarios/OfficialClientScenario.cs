using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using PowerSync.Core;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>
/// The official Node SDK (<c>@powersync/node</c>, installed by npm in <c>interop/</c>) doing its first sync of N rows
/// from the host, on every transport with and without compression, beside the same run's uncompressed NDJSON
/// (the baseline). For each: the client's time from <c>connect</c> to synced, its CPU seconds and the host's, and
/// the bytes on the wire. For comparison, the bytes the official service would send for the same lines with the
/// SDK's default request (gzip at its default level, flushed after every line), computed from the lines.
/// </summary>
public sealed class OfficialClientScenario : IScenario
{
    /// <summary>Transport and compression, as interop/first-sync.mjs takes them; the first is the baseline.</summary>
    private static readonly (string Transport, string Compression)[] Configurations =
    [
        ("http-ndjson", "off"),
        ("http-ndjson", "on"),
        ("http-bson", "off"),
        ("http-bson", "on"),
        ("websocket", "off"),
        ("websocket", "on"),
    ];

    private static readonly string[] Words =
    [
        "order", "shipped", "customer", "invoice", "pending", "warehouse", "north", "south", "express", "standard",
        "returned", "fragile", "priority", "backorder", "paid", "refund", "address", "changed", "delivery", "window",
        "morning", "evening", "signature", "required", "gift", "wrap", "note", "called", "support", "twice",
    ];

    public string Name => "official-client";

    public string Description => "official Node SDK first sync of N rows per transport and compression vs uncompressed NDJSON";

    public async Task RunAsync(ScenarioOptions options, ScenarioReport report, CancellationToken ct)
    {
        var rows = options.Rows ?? 100_000;
        var runs = options.Runs ?? 1;
        var interop = InteropFolder();
        await using var host = await BenchmarkHost.CreateAsync(DownloadScenario.Rules, ct);
        var random = new Random(17);
        for (var i = 0; i < rows; i++)
        {
            var note = string.Join(' ', Enumerable.Range(0, 10).Select(_ => Words[random.Next(Words.Length)]));
            await host.SaveItemAsync($"t{i}", new Dictionary<string, SqliteValue>
            {
                ["id"] = SqliteValue.FromText($"item-{i}"),
                ["grp"] = SqliteValue.FromInteger(i % 10),
                ["name"] = SqliteValue.FromText($"item number {i}"),
                ["price"] = SqliteValue.FromReal(random.Next(100_000) / 100.0),
                ["note"] = SqliteValue.FromText(note),
            }, ct);
        }
        await host.CommitAsync(ct);
        await host.StartHttpAsync(maxConnections: 100, ct, countWireBytes: true);
        var token = host.Token("u1");

        var folder = Directory.CreateTempSubdirectory("powersync-bench-official-").FullName;
        try
        {
            // The host's code paths warm up once (a serving instance runs warm code); every client is a new process.
            await RunClientAsync(host, interop, folder, token, Configurations[0], rows, ct);
            var results = Configurations.ToDictionary(c => c, _ => new List<ClientRun>());
            for (var run = 0; run < runs; run++)
            {
                foreach (var configuration in Configurations)
                    results[configuration].Add(await RunClientAsync(host, interop, folder, token, configuration, rows, ct));
            }

            report.Add("rows", rows);
            report.Add("runs", runs);
            var baseline = RunFigures.Median(results[Configurations[0]], r => r.Seconds).Seconds;
            var medians = new Dictionary<(string Transport, string Compression), ClientRun>();
            foreach (var configuration in Configurations)
            {
                var key = $"{configuration.Transport.Replace('-', '_')}_{(configuration.Compression == "on" ? "compressed" : "plain")}";
                var median = medians[configuration] = RunFigures.Median(results[configuration], r => r.Seconds);
                report.Add($"{key}_s", median.Seconds, "s");
                report.Add($"{key}_ratio_to_baseline", median.Seconds / baseline);
                report.Add($"{key}_client_cpu_s", median.ClientCpuSeconds, "s");
                report.Add($"{key}_host_cpu_s", median.HostCpuSeconds, "s");
                report.Add($"{key}_wire_bytes", median.WireBytes, "B");
            }

            using var http = new HttpClient { BaseAddress = host.Address };
            var ndjson = await LinesAsync(http, token, bson: false, ct);
            var bsonLines = await LinesAsync(http, token, bson: true, ct);
            report.Add("ndjson_line_bytes", ndjson.Sum(l => (long)l.Length), "B");
            report.Add("bson_line_bytes", bsonLines.Sum(l => (long)l.Length), "B");
            // What the official service sends for the SDK's default request: BSON lines, gzip at its default level (6),
            // a sync flush after each line. NDJSON the same way for clients that ask for it, in its lines of up to 1000 ops.
            report.Add("official_gzip_bson_bytes_estimate", GzipFlushedPerLine(bsonLines), "B");
            report.Add("official_gzip_ndjson_bytes_estimate", GzipFlushedPerLine(AsOfficialLines(ndjson)), "B");
            // What the official Node SDK spends per compressed MB (its CPU compressed minus plain), and what .NET's gzip
            // (PowerSync.Client's HttpClient, were it to ask for gzip) spends decoding the same bytes.
            foreach (var transport in new[] { "http-ndjson", "http-bson", "websocket" })
            {
                var (plain, compressed) = (medians[(transport, "off")], medians[(transport, "on")]);
                report.Add($"{transport.Replace('-', '_')}_client_cpu_s_per_compressed_mb",
                    (compressed.ClientCpuSeconds - plain.ClientCpuSeconds) / (compressed.WireBytes / 1e6), "s");
            }
            report.Add("dotnet_gunzip_cpu_s_per_compressed_mb", DotNetGunzipSecondsPerMegabyte(ndjson), "s");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private readonly record struct ClientRun(double Seconds, double ClientCpuSeconds, double HostCpuSeconds, long WireBytes);

    private static async Task<ClientRun> RunClientAsync(BenchmarkHost host, string interop, string folder, string token,
        (string Transport, string Compression) configuration, int rows, CancellationToken ct)
    {
        var database = Path.Combine(folder, $"client-{Guid.NewGuid():N}.db");
        var wireBefore = host.WireBytes;
        var cpuBefore = Environment.CpuUsage.TotalTime;
        using var node = Process.Start(new ProcessStartInfo("node",
            ["first-sync.mjs", host.Address.ToString().TrimEnd('/'), token, database, configuration.Transport, configuration.Compression])
        {
            WorkingDirectory = interop,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("Could not start node.");
        var stderr = node.StandardError.ReadToEndAsync(ct);
        var line = await node.StandardOutput.ReadLineAsync(ct);
        await node.WaitForExitAsync(ct);
        var hostCpu = Environment.CpuUsage.TotalTime - cpuBefore;
        foreach (var file in Directory.EnumerateFiles(folder)) File.Delete(file);
        if (line is null)
            throw new InvalidOperationException($"The official client ({configuration}) exited with {node.ExitCode} before syncing: {await stderr}");
        using var result = JsonDocument.Parse(line);
        var root = result.RootElement;
        if (root.GetProperty("error").ValueKind != JsonValueKind.Null || root.GetProperty("rows").GetInt64() != rows)
            throw new InvalidOperationException($"The official client ({configuration}) synced {root.GetProperty("rows")} rows, expected {rows}: {line} {await stderr}");
        return new ClientRun(root.GetProperty("ms").GetDouble() / 1000, root.GetProperty("cpu_ms").GetDouble() / 1000, hostCpu.TotalSeconds,
            host.WireBytes - wireBefore);
    }

    /// <summary>The first checkpoint's lines, uncompressed, as NDJSON lines (newline included) or BSON documents.</summary>
    private static async Task<List<byte[]>> LinesAsync(HttpClient http, string token, bool bson, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sync/stream") { Content = new StringContent("""{"raw_data":true}""", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        request.Headers.Accept.ParseAdd(bson ? "application/vnd.powersync.bson-stream" : "application/x-ndjson");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var lines = new List<byte[]>();
        var pending = new MemoryStream();
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            pending.Write(buffer, 0, read);
            var bytes = pending.GetBuffer().AsSpan(0, (int)pending.Length);
            var used = 0;
            while (NextLineLength(bytes[used..], bson) is var length and > 0)
            {
                var line = bytes.Slice(used, length).ToArray();
                lines.Add(line);
                used += length;
                if (line.AsSpan().IndexOf("checkpoint_complete"u8) >= 0) return lines;
            }
            var rest = bytes[used..].ToArray();
            pending.SetLength(0);
            pending.Write(rest);
        }
        throw new InvalidOperationException("The stream ended before checkpoint_complete.");
    }

    private static int NextLineLength(ReadOnlySpan<byte> bytes, bool bson)
    {
        if (!bson) return bytes.IndexOf((byte)'\n') + 1;
        if (bytes.Length < 4) return 0;
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        return bytes.Length >= length ? length : 0;
    }

    /// <summary>
    /// The NDJSON lines as the official service sends them: a page of up to 1000 ops of a bucket is one line there,
    /// while the host splits it into lines of at most <see cref="Core.Protocol.SyncLineWriter.MaxDataLineBytes"/>. Data
    /// lines that continue one another (the same bucket, the first with <c>has_more: true</c>) are joined back, up to
    /// 1000 ops: the first one's opening and <c>after</c>, every op, the last one's <c>has_more</c> and <c>next_after</c>.
    /// </summary>
    internal static List<byte[]> AsOfficialLines(List<byte[]> lines)
    {
        var joined = new List<byte[]>();
        foreach (var line in lines)
        {
            if (joined.Count > 0 && DataLineParts.Of(joined[^1]) is { } first && DataLineParts.Of(line) is { } next
                && first.HasMore && first.Opening.SequenceEqual(next.Opening) && first.Ops + next.Ops <= 1000)
            {
                joined[^1] = [.. first.Line[..first.OpsEnd], (byte)',', .. next.Line[next.Opening.Length..next.OpsEnd],
                    .. next.Line[next.OpsEnd..next.AfterStart], .. first.Line[first.AfterStart..first.AfterEnd], .. next.Line[next.AfterEnd..]];
            }
            else
            {
                joined.Add(line);
            }
        }
        return joined;
    }

    /// <summary>
    /// Where the parts of an NDJSON <c>data</c> line are: <c>{"data":{"bucket":…,"data":[</c> (its opening), the ops,
    /// <c>],"has_more":…</c>, the value of <c>after</c> (<see cref="AfterStart"/> to <see cref="AfterEnd"/>), the rest.
    /// </summary>
    private sealed record DataLineParts(byte[] Line, byte[] Opening, int OpsEnd, int AfterStart, int AfterEnd, bool HasMore, int Ops)
    {
        public static DataLineParts? Of(byte[] line)
        {
            var span = line.AsSpan();
            if (!span.StartsWith("{\"data\":{\"bucket\":"u8)) return null;
            var opening = span.IndexOf(",\"data\":["u8) + ",\"data\":["u8.Length;
            var opsEnd = span.LastIndexOf("],\"has_more\":"u8);
            var afterStart = span.LastIndexOf(",\"after\":\""u8) + ",\"after\":\""u8.Length;
            var afterEnd = afterStart + span[afterStart..].IndexOf((byte)'"');
            var ops = 0;
            for (var rest = span[opening..opsEnd]; rest.IndexOf("{\"op_id\":\""u8) is var at and >= 0; rest = rest[(at + 1)..]) ops++;
            return new DataLineParts(line, span[..opening].ToArray(), opsEnd, afterStart, afterEnd, span[opsEnd..].StartsWith("],\"has_more\":true"u8), ops);
        }
    }

    private static long GzipFlushedPerLine(List<byte[]> lines) => GzipLines(lines).Length;

    private static double DotNetGunzipSecondsPerMegabyte(List<byte[]> lines)
    {
        var compressed = GzipLines(lines);
        var buffer = new byte[64 * 1024];
        var cpuBefore = Environment.CpuUsage.TotalTime;
        for (var pass = 0; pass < 3; pass++)
        {
            using var gunzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
            while (gunzip.Read(buffer) > 0)
            {
            }
        }
        return (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds / 3 / (compressed.Length / 1e6);
    }

    private static byte[] GzipLines(List<byte[]> lines)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            foreach (var line in lines)
            {
                gzip.Write(line);
                gzip.Flush();
            }
        }
        return output.ToArray();
    }

    private static string InteropFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "interop");
            if (File.Exists(Path.Combine(candidate, "first-sync.mjs")))
            {
                return Directory.Exists(Path.Combine(candidate, "node_modules", "@powersync", "node"))
                    ? candidate
                    : throw new InvalidOperationException($"Run `npm ci` in {candidate} first (dotnet cake --target=Interop does).");
            }
        }
        throw new InvalidOperationException("interop/first-sync.mjs not found above the benchmark's folder.");
    }
}
