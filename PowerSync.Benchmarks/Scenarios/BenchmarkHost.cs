using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.Tokens;
using PowerSync.Core.Replication;
using PowerSync.Core;
using PowerSync.Core.Auth;
using PowerSync.Core.Hosting;
using PowerSync.Core.Protocol;
using PowerSync.Core.Storage;
using PowerSync.Core.SyncRules;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>A bucket store with deployed rules and the sync endpoints on Kestrel at 127.0.0.1, for scenarios.</summary>
internal sealed class BenchmarkHost : IAsyncDisposable
{
    private readonly BenchmarkStore _store;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private WebApplication? _app;

    private BenchmarkHost(BenchmarkStore store, SyncRulesVersion version, SyncRulesSet rules, IBucketStorageWriter writer)
    {
        _store = store;
        Version = version;
        Rules = rules;
        Writer = writer;
    }

    public IBucketStorage Storage => _store.Storage;
    public string StorageEngine => _store.Engine;
    public SyncRulesVersion Version { get; }
    public SyncRulesSet Rules { get; }
    public IBucketStorageWriter Writer { get; }
    public SyncEndpoints? Endpoints { get; private set; }
    public Uri Address => new(_app!.Urls.First());
    private long _lsn = 16;

    /// <summary>Deploys the rules in a new store of <paramref name="storage"/> (see <see cref="BenchmarkStore"/>; default SQLite).</summary>
    public static async Task<BenchmarkHost> CreateAsync(string rulesYaml, CancellationToken ct, string? storage = null)
    {
        var store = await BenchmarkStore.OpenAsync(storage, null, ct);
        var version = await store.Storage.Admin.DeployAsync(rulesYaml, ct);
        var rules = SyncRulesSet.Parse(rulesYaml, new SyncRulesParseOptions { SyncRulesVersion = version.Id });
        var writer = await store.Storage.Admin.OpenWriterAsync(version, ct);
        await writer.MarkSnapshotDoneAsync(new Lsn(1), ct);
        return new BenchmarkHost(store, version, rules, writer);
    }

    /// <summary>Evaluates a row of <c>public.items</c> with the rules and saves it (not committed).</summary>
    public ValueTask SaveItemAsync(string replicaId, Dictionary<string, SqliteValue> row, CancellationToken ct)
    {
        var evaluated = Rules.EvaluateRow("public", "items", row);
        return Writer.SaveAsync(new SourceRowChange(new SourceTable("public", "items"), replicaId, RowChangeKind.Upsert,
            [.. evaluated.Rows.Select(r => new BucketRow(r.Bucket, r.ObjectType, r.ObjectId, r.Data))], [], ReadOnlyMemory<byte>.Empty), ct);
    }

    public async Task<Checkpoint> CommitAsync(CancellationToken ct) =>
        await Writer.CommitAsync(new Lsn((ulong)Interlocked.Add(ref _lsn, 16)), ct) ?? throw new InvalidOperationException("No checkpoint.");

    /// <summary>Bytes the server has written to its connections (response framing included), when started with <c>countWireBytes</c>.</summary>
    public long WireBytes => Interlocked.Read(ref _wireBytes.Value);

    private readonly System.Runtime.CompilerServices.StrongBox<long> _wireBytes = new();

    public async Task StartHttpAsync(int maxConnections, CancellationToken ct, bool countWireBytes = false)
    {
        var auth = new PowerSyncAuthOptions { Jwks = $$"""{"keys":[{"kty":"oct","k":"{{Base64UrlEncoder.Encode(_key)}}"}]}""" };
        auth.Audiences.Add("powersync");
        Endpoints = new SyncEndpoints(new JwtAuthenticator(auth, new JwksKeySource(auth, null, TimeProvider.System), TimeProvider.System),
            Storage, new SyncRulesBucketResolver(_ => Rules, Storage.Reader), new FixedHead(new Lsn(16)), new SyncSessionOptions(),
            new SyncEndpointLimits(maxConnections, 1 << 20), new SyncMetrics(), NullLogger.Instance, TimeProvider.System);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxConcurrentConnections = null;
            k.Listen(System.Net.IPAddress.Loopback, 0, listen =>
            {
                if (countWireBytes) listen.Use(next => connection => next(WireByteCounter.Wrap(connection, _wireBytes)));
            });
        });
        builder.Logging.ClearProviders();
        _app = builder.Build();
        SyncEndpointRoutes.Map(_app, Endpoints);
        await _app.StartAsync(ct);
    }

    public string Token(string user) => ScaleOutHost.Token(_key, user);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await Writer.DisposeAsync();
        await _store.DisposeAsync();
    }

    private sealed class FixedHead(Lsn lsn) : IReplicationHead
    {
        public Task<T> RecordAtHeadAsync<T>(Func<Lsn, Task<T>> record, CancellationToken ct) => record(lsn);
    }
}
