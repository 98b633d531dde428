using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PowerSync.Core;
using PowerSync.Core.Auth;
using PowerSync.Core.Hosting;
using PowerSync.Core.Protocol;
using PowerSync.Core.Storage;
using PowerSync.Core.Storage.Sqlite;
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
        var folder = Directory.CreateTempSubdirectory("powersync-bench-download-").FullName;
        try
        {
            await using var storage = SqliteBucketStorage.Open(new SqliteBucketStorageOptions(Path.Combine(folder, "buckets.db")));
            var version = await storage.Admin.DeployAsync(Rules, ct);
            var rules = SyncRulesSet.Parse(Rules, new SyncRulesParseOptions { SyncRulesVersion = version.Id });
            var checkpoint = await FillAsync(storage, version, rules, rows, ct);

            var direct = Stopwatch.StartNew();
            long directOps = 0;
            foreach (var bucket in rules.ResolveRequest(new RequestParameters("{\"sub\":\"u\"}")).StaticBuckets)
            {
                var position = new BucketPosition(bucket.Bucket, OpId.Zero);
                while (true)
                {
                    var page = await storage.Reader.ReadBucketPageAsync(checkpoint, position, 1000, 1 << 20, ct);
                    directOps += page.Ops.Count;
                    if (!page.HasMore) break;
                    position = position with { After = page.NextAfter };
                }
            }
            direct.Stop();

            var keyBytes = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
            var secret = new SymmetricSecurityKey(keyBytes);
            var auth = new PowerSyncAuthOptions { Jwks = $$"""{"keys":[{"kty":"oct","k":"{{Base64UrlEncoder.Encode(keyBytes)}}"}]}""" };
            auth.Audiences.Add("powersync");
            var endpoints = new SyncEndpoints(new JwtAuthenticator(auth, new JwksKeySource(auth, null, TimeProvider.System), TimeProvider.System),
                storage, new SyncRulesBucketResolver(_ => rules, storage.Reader), new FixedHead(checkpoint.Lsn), new SyncSessionOptions(),
                new SyncEndpointLimits(100, 1 << 20), new SyncMetrics(), NullLogger.Instance, TimeProvider.System);
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            await using var app = builder.Build();
            SyncEndpointRoutes.Map(app, endpoints);
            await app.StartAsync(ct);

            var now = DateTimeOffset.UtcNow;
            var token = new JsonWebTokenHandler().CreateToken(
                $$"""{"sub":"u1","aud":"powersync","iat":{{now.ToUnixTimeSeconds()}},"exp":{{now.AddHours(1).ToUnixTimeSeconds()}}}""",
                new SigningCredentials(secret, SecurityAlgorithms.HmacSha256));
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            var overHttp = Stopwatch.StartNew();
            var (received, bytes) = await DownloadAsync(client, token, ct);
            overHttp.Stop();
            if (received != rows) throw new InvalidOperationException($"Downloaded {received} ops, expected {rows}.");

            report.Add("rows", rows);
            report.Add("rows_per_s", rows / overHttp.Elapsed.TotalSeconds, "rows/s");
            report.Add("store_read_rows_per_s", directOps / direct.Elapsed.TotalSeconds, "rows/s");
            report.Add("ratio_to_store_read", direct.Elapsed.TotalSeconds / overHttp.Elapsed.TotalSeconds);
            report.Add("seconds", overHttp.Elapsed.TotalSeconds, "s");
            report.Add("bytes", bytes, "B");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<Checkpoint> FillAsync(SqliteBucketStorage storage, SyncRulesVersion version, SyncRulesSet rules, int rows, CancellationToken ct)
    {
        await using var writer = await storage.Admin.OpenWriterAsync(version, ct);
        await writer.MarkSnapshotDoneAsync(new Lsn(1), ct);
        var table = new SourceTable("public", "items");
        for (var i = 0; i < rows; i++)
        {
            var row = new Dictionary<string, SqliteValue>
            {
                ["id"] = SqliteValue.FromText($"item-{i}"),
                ["grp"] = SqliteValue.FromInteger(i % 10),
                ["name"] = SqliteValue.FromText($"item number {i}"),
                ["price"] = SqliteValue.FromReal(i * 0.25),
            };
            var evaluated = rules.EvaluateRow("public", "items", row);
            await writer.SaveAsync(new SourceRowChange(table, $"t{i}", RowChangeKind.Upsert,
                [.. evaluated.Rows.Select(r => new BucketRow(r.Bucket, r.ObjectType, r.ObjectId, r.Data))], [], ReadOnlyMemory<byte>.Empty), ct);
        }
        return await writer.CommitAsync(new Lsn(16), ct) ?? throw new InvalidOperationException("No checkpoint.");
    }

    private static async Task<(long Ops, long Bytes)> DownloadAsync(HttpClient client, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sync/stream") { Content = new StringContent("""{"raw_data":true}""", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        long ops = 0, bytes = 0;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            bytes += line.Length + 1;
            if (line.StartsWith("{\"data\":", StringComparison.Ordinal))
                ops += CountOps(line);
            else if (line.StartsWith("{\"checkpoint_complete\"", StringComparison.Ordinal))
                return (ops, bytes);
        }
        throw new InvalidOperationException("The stream ended before checkpoint_complete.");
    }

    private static int CountOps(string line)
    {
        var count = 0;
        for (var i = line.IndexOf("\"op_id\":", StringComparison.Ordinal); i >= 0; i = line.IndexOf("\"op_id\":", i + 8, StringComparison.Ordinal)) count++;
        return count;
    }

    private sealed class FixedHead(Lsn lsn) : IReplicationHead
    {
        public Task<Lsn> CurrentAsync(CancellationToken ct) => Task.FromResult(lsn);
    }
}
