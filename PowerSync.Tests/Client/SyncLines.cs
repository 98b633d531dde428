using System.Text.Json;
using PowerSync.Core.Storage;

namespace PowerSync.Tests.Client;

/// <summary>Builds protocol lines in the service's exact JSON shapes, with real op checksums.</summary>
internal static class SyncLines
{
    public sealed record Op(long OpId, string Type, string Id, string? Data)
    {
        public uint Checksum => Data is null ? OpChecksum.ForRemove($"{Type}/{Id}") : OpChecksum.ForPut(Type, Id, Data);
    }

    public static Op Put(long opId, string id, string data, string type = "test") => new(opId, type, id, data);

    public static Op Remove(long opId, string id, string type = "test") => new(opId, type, id, null);

    public static int Sum(params Op[] ops) => unchecked((int)ops.Aggregate(0u, (a, o) => a + o.Checksum));

    private static string Q(string s) => JsonSerializer.Serialize(s);

    private static string Wc(string? wc) => wc is null ? "null" : Q(wc);

    public static string Bucket(string name, int checksum, int count, int priority = 3) =>
        "{\"bucket\":" + Q(name) + ",\"checksum\":" + checksum + ",\"count\":" + count + ",\"priority\":" + priority + ",\"subscriptions\":[{\"default\":0}]}";

    public static string Checkpoint(long lastOpId, string? writeCheckpoint, params string[] buckets) =>
        "{\"checkpoint\":{\"buckets\":[" + string.Join(",", buckets) + "],\"last_op_id\":" + Q(lastOpId.ToString()) + ",\"streams\":[],\"write_checkpoint\":" + Wc(writeCheckpoint) + "}}";

    public static string Diff(long lastOpId, string? writeCheckpoint, string[] updated, params string[] removed) =>
        "{\"checkpoint_diff\":{\"last_op_id\":" + Q(lastOpId.ToString()) + ",\"removed_buckets\":" + JsonSerializer.Serialize(removed) + ",\"updated_buckets\":[" + string.Join(",", updated) + "],\"write_checkpoint\":" + Wc(writeCheckpoint) + "}}";

    public static string Data(string bucket, params Op[] ops) =>
        "{\"data\":{\"after\":\"0\",\"bucket\":" + Q(bucket) + ",\"data\":[" + string.Join(",", ops.Select(OpJson)) + "],\"has_more\":false,\"next_after\":" + Q(ops[^1].OpId.ToString()) + "}}";

    public static string Complete(long lastOpId) => "{\"checkpoint_complete\":{\"last_op_id\":" + Q(lastOpId.ToString()) + "}}";

    public static string Partial(long lastOpId, int priority) => "{\"partial_checkpoint_complete\":{\"last_op_id\":" + Q(lastOpId.ToString()) + ",\"priority\":" + priority + "}}";

    /// <summary>One op as the service writes it inside a data line.</summary>
    public static string OpJson(Op op) =>
        "{\"checksum\":" + op.Checksum + (op.Data is null ? "" : ",\"data\":" + Q(op.Data)) + ",\"object_id\":" + Q(op.Id) + ",\"object_type\":" + Q(op.Type)
        + ",\"op\":" + (op.Data is null ? "\"REMOVE\"" : "\"PUT\"") + ",\"op_id\":" + Q(op.OpId.ToString()) + ",\"subkey\":" + Q(op.Type + "/" + op.Id) + "}";
}

/// <summary>A client database, a loopback sync server and a connector, wired for one test.</summary>
internal sealed class SyncHarness : IAsyncDisposable
{
    public static readonly PowerSync.Client.Tables.Schema TestSchema = new(
        new PowerSync.Client.Tables.Table("test", [PowerSync.Client.Tables.Column.Text("description")]),
        new PowerSync.Client.Tables.Table("lists", [PowerSync.Client.Tables.Column.Text("name")]));

    private SyncHarness(ClientTestContext ctx, LoopbackSyncServer server, PowerSync.Client.PowerSyncDatabase db)
    {
        Context = ctx;
        Server = server;
        Db = db;
        Connector = new TestConnector(server.Endpoint);
    }

    public ClientTestContext Context { get; }

    public LoopbackSyncServer Server { get; }

    public PowerSync.Client.PowerSyncDatabase Db { get; }

    public TestConnector Connector { get; }

    public static readonly PowerSync.Client.PowerSyncConnectionOptions Options = new()
    {
        RetryDelay = TimeSpan.FromMilliseconds(20),
        MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        CrudUploadThrottle = TimeSpan.Zero,
    };

    public static async Task<SyncHarness> StartAsync(PowerSync.Client.Tables.Schema? schema = null, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        var ctx = new ClientTestContext();
        var server = new LoopbackSyncServer();
        var db = await ctx.OpenAsync(schema ?? TestSchema, logger: logger);
        return new SyncHarness(ctx, server, db);
    }

    public async Task<ScriptedStream> ConnectAsync(PowerSync.Client.PowerSyncConnectionOptions? options = null)
    {
        await Db.ConnectAsync(Connector, options ?? Options);
        return await Server.NextStreamAsync();
    }

    public Task<IReadOnlyList<(string Id, string? Description)>> RowsAsync() => RowsAsync(Db);

    public static async Task<IReadOnlyList<(string Id, string? Description)>> RowsAsync(PowerSync.Client.PowerSyncDatabase db) =>
        (await db.GetAllAsync<TestRow>("SELECT id, description FROM test ORDER BY id")).Select(r => (r.Id, r.Description)).ToList();

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        await Server.DisposeAsync();
        await Context.DisposeAsync();
    }
}

public sealed record TestRow(string Id, string? Description);
