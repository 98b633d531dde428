using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using PowerSync.Core.Hosting;
using PowerSync.Tests.Chaos;
using PowerSync.Tests.Infrastructure;
using PowerSync.Tests.Infrastructure.Postgres;
using TodoBackend;

namespace PowerSync.Tests.ScaleOut;

/// <summary>
/// samples/TodoBackend running as several processes over one Postgres bucket store (schema <c>powersync</c> of the
/// source database), sharing a signing key so a token from one is good at all; and beside them, in this process, a
/// reference instance with a SQLite store of its own on its own slot, replicating the same source uninterrupted.
/// Every process's lines go to one journal (<see cref="JournalPath"/>), named <c>i0</c>, <c>i1</c>...
/// </summary>
internal sealed class ScaleOutCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly TempFolder _work = new("powersync-scale-out-");
    private readonly string _signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly List<BackendProcess> _instances = [];

    private ScaleOutCluster(TestDatabase source, TimeSpan lease)
    {
        Source = source;
        Lease = lease;
        Tokens = new DevTokens(_signingKey, "powersync");
        Journal = new ChaosJournal(JournalPath);
    }

    public TestDatabase Source { get; }

    public TimeSpan Lease { get; }

    public DevTokens Tokens { get; }

    public ChaosJournal Journal { get; }

    public string JournalPath => Path.Combine(_work.Path, "journal.log");

    /// <summary>The in-process instance with a store of its own, for the op counts and checksums of an uninterrupted run.</summary>
    public LoopbackHost Reference { get; private set; } = null!;

    public IReadOnlyList<BackendProcess> Instances => _instances;

    /// <summary>The instances that run now.</summary>
    public IReadOnlyList<BackendProcess> Alive => [.. _instances.Where(i => i.Id is not null)];

    public string Folder => _work.Path;

    /// <summary>
    /// A source database with the sample's schema and lists (<see cref="ChaosRows.SeedSql"/>), the reference instance,
    /// and <paramref name="instances"/> backend processes with replication lease <paramref name="lease"/>, each listening.
    /// </summary>
    public static async Task<ScaleOutCluster> StartAsync(int instances, TimeSpan lease)
    {
        var source = await TestPostgres.CreateDatabaseAsync();
        var cluster = new ScaleOutCluster(source, lease);
        try
        {
            await source.ExecuteAsync(await File.ReadAllTextAsync(TodoBackendApp.InAppFolder("schema.sql")) + ChaosRows.SeedSql());
            var rules = await File.ReadAllTextAsync(TodoBackendApp.InAppFolder("sync-rules.yaml"));
            cluster.Reference = await LoopbackHost.StartPowerSyncAsync(source.ConnectionString, rules, BucketStorageEngine.Sqlite);
            for (var i = 0; i < instances; i++) cluster._instances.Add(cluster.NewInstance(i));
            var started = await Task.WhenAll(cluster._instances.Select(instance => instance.StartAsync(StartTimeout)));
            if (started.Contains(false)) throw new InvalidOperationException($"An instance did not start; see {cluster.JournalPath}.");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private BackendProcess NewInstance(int index) =>
        new(ChaosSettings.BackendDll(), LoopbackPorts.Free(), new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = Source.ConnectionString,
            ["PowerSync__StorageEngine"] = "Postgres",
            ["PowerSync__ReplicationLeaseDuration"] = Lease.ToString("c", CultureInfo.InvariantCulture),
            ["PowerSync__StoragePath"] = Path.Combine(_work.Path, $"unused-{index}.db"),
            ["Auth__DevSigningKey"] = _signingKey,
        }, Journal, "i" + index.ToString(CultureInfo.InvariantCulture));

    /// <summary>The instance that holds the live replication lease now, if any.</summary>
    public async Task<BackendProcess?> ReplicatingAsync()
    {
        await using var connection = await Source.OpenConnectionAsync();
        await using var query = new NpgsqlCommand(
            "SELECT owner FROM powersync.replication_leases WHERE expires_at > now() ORDER BY rules_id DESC LIMIT 1", connection);
        if (await query.ExecuteScalarAsync() is not string owner) return null;
        // The owner is "machine/process id/random".
        var pid = int.Parse(owner.Split('/')[^2], CultureInfo.InvariantCulture);
        return _instances.FirstOrDefault(i => i.Id == pid);
    }

    /// <summary>Waits until an instance other than <paramref name="not"/> holds the lease, and returns it.</summary>
    public async Task<BackendProcess> ReplicatingAsync(BackendProcess? not, TimeSpan timeout)
    {
        BackendProcess? found = null;
        await Eventually.HoldsAsync(async () => found = await ReplicatingAsync(), i => i is not null && i != not, timeout,
            not is null ? "an instance replicates" : $"an instance other than {not.Source} replicates");
        return found!;
    }

    /// <summary>
    /// Each bucket's op count and checksum in the first checkpoint line a sync stream of <paramref name="user"/> gets
    /// from <paramref name="address"/> with <paramref name="token"/>, and that checkpoint's op id.
    /// </summary>
    public static async Task<BucketTotals> CheckpointAsync(Uri address, string token, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sync/stream") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            using var json = JsonDocument.Parse(line);
            if (!json.RootElement.TryGetProperty("checkpoint", out var checkpoint)) continue;
            var buckets = new SortedDictionary<string, (long Count, long Checksum)>(StringComparer.Ordinal);
            foreach (var bucket in checkpoint.GetProperty("buckets").EnumerateArray())
                buckets[bucket.GetProperty("bucket").GetString()!] = (bucket.GetProperty("count").GetInt64(), bucket.GetProperty("checksum").GetInt64());
            return new BucketTotals(buckets);
        }
        throw new InvalidOperationException($"The stream from {address} ended without a checkpoint line.");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances) await instance.DisposeAsync();
        if (Reference is not null) await Reference.DisposeAsync();
        Journal.Dispose();
        await Source.DisposeAsync();
        _work.Dispose();
    }
}

/// <summary>A checkpoint's buckets: op count and checksum of each, by name, printed one per line for a readable diff.</summary>
internal sealed record BucketTotals(SortedDictionary<string, (long Count, long Checksum)> Buckets)
{
    public bool SameAs(BucketTotals other) => Buckets.Count == other.Buckets.Count && Buckets.All(b => other.Buckets.TryGetValue(b.Key, out var o) && o == b.Value);

    public override string ToString() => string.Join("\n", Buckets.Select(b => $"{b.Key}: {b.Value.Count} ops, checksum {b.Value.Checksum}"));
}
