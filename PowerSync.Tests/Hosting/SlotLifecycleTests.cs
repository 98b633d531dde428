using NUnit.Framework;
using PowerSync.Tests.Infrastructure;
using PowerSync.Core;
using PowerSync.Core.Hosting;
using PowerSync.Core.Storage;
using PowerSync.Tests.Auth;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Tests.Hosting;

/// <summary>
/// Replication slots over a service's life: a lost slot is replaced by a fresh snapshot while the old
/// data keeps serving, and slots of versions that no longer replicate are dropped at the source.
/// </summary>
public sealed class SlotLifecycleTests
{
    private const string Rules = """
        bucket_definitions:
          global:
            data:
              - SELECT id, name FROM items
        """;

    private TempFolder _temp = null!;

    [SetUp]
    public void CreateFolder() => _temp = new TempFolder("powersync-slots-");

    [TearDown]
    public void DeleteFolder() => _temp.Dispose();

    private PowerSyncService Start(TestDatabase db, string rules)
    {
        var options = new PowerSyncOptions
        {
            SourceConnectionString = db.ConnectionString,
            SyncRules = rules,
            StoragePath = Path.Combine(_temp.Path, "buckets.db"),
        };
        options.Auth.Jwks = TestKey.Set(TestKey.Hmac(null));
        options.Auth.Audiences.Add("powersync");
        return new PowerSyncService(options);
    }

    private static async Task<TestDatabase> CreateSourceAsync()
    {
        var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("""
            CREATE TABLE items (id text PRIMARY KEY, name text);
            INSERT INTO items VALUES ('i1', 'first'), ('i2', 'second');
            CREATE PUBLICATION powersync FOR ALL TABLES;
            """);
        return db;
    }

    /// <summary>Awaits a condition (a minute at most), checking <paramref name="invariant"/> at every look.</summary>
    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what, Action? invariant = null) =>
        await Eventually.HoldsAsync(async () =>
        {
            invariant?.Invoke();
            return await condition();
        }, holds => holds, TimeSpan.FromSeconds(60), what);

    private static async Task<List<string>> SlotsAsync(TestDatabase db)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT slot_name FROM pg_replication_slots WHERE database = current_database() ORDER BY 1", connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var slots = new List<string>();
        while (await reader.ReadAsync()) slots.Add(reader.GetString(0));
        return slots;
    }

    private static async Task<List<string>> RowsAsync(PowerSyncService service)
    {
        var checkpoint = (await service.Storage.Reader.GetCheckpointAsync(default))!.Value;
        var page = await service.Storage.Reader.ReadBucketPageAsync(checkpoint, new BucketPosition("global[]", OpId.Zero), 10_000, int.MaxValue, default);
        var live = new Dictionary<string, string?>();
        foreach (var op in page.Ops)
        {
            if (op.Op == OpType.Put) live[op.ObjectIdText!] = op.DataText;
            else if (op.Op == OpType.Remove) live.Remove(op.ObjectIdText!);
        }
        return [.. live.Keys.Order()];
    }

    [Test]
    public async Task A_lost_slot_is_replaced_by_a_fresh_snapshot_while_the_old_data_keeps_serving_and_the_old_slot_is_dropped()
    {
        await using var db = await CreateSourceAsync();
        await using var service = Start(db, Rules);
        await service.StartAsync(default);
        await EventuallyAsync(() => Task.FromResult(service.HasCheckpoint), "the first checkpoint is served");
        var original = (await service.Storage.Admin.GetActiveAsync(default))!;
        Assert.That(await RowsAsync(service), Is.EqualTo(new[] { "i1", "i2" }));

        // Lose the slot: end its walsender and drop it before the replicator reconnects.
        await EventuallyAsync(async () =>
        {
            try
            {
                await db.ExecuteAsync($"""
                    SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '{original.SlotName}' AND active_pid IS NOT NULL;
                    SELECT pg_drop_replication_slot('{original.SlotName}');
                    """);
                return true;
            }
            catch (Npgsql.PostgresException e) when (e.SqlState == "55006")
            {
                return false; // reconnected in between: try again
            }
        }, "the slot is dropped");
        await db.ExecuteAsync("INSERT INTO items VALUES ('i3', 'written while the slot was gone')");

        await EventuallyAsync(async () => (await service.Storage.Reader.GetCheckpointAsync(default))!.Value.RulesVersion != original.Id,
            "a replacement version serves",
            invariant: () => Assert.That(service.HasCheckpoint, Is.True, "clients are served throughout"));

        var replacement = (await service.Storage.Admin.GetActiveAsync(default))!;
        Assert.That(replacement.Content, Is.EqualTo(original.Content));
        Assert.That(replacement.SlotName, Is.Not.EqualTo(original.SlotName));
        Assert.That(await RowsAsync(service), Is.EqualTo(new[] { "i1", "i2", "i3" }), "the fresh snapshot has the row written while the slot was gone");
        await EventuallyAsync(async () => (await SlotsAsync(db)).SequenceEqual([replacement.SlotName]), "only the replacement's slot is left");

        await db.ExecuteAsync("UPDATE items SET name = 'streamed' WHERE id = 'i1'");
        await EventuallyAsync(async () =>
        {
            var checkpoint = (await service.Storage.Reader.GetCheckpointAsync(default))!.Value;
            var page = await service.Storage.Reader.ReadBucketPageAsync(checkpoint, new BucketPosition("global[]", OpId.Zero), 10_000, int.MaxValue, default);
            return page.Ops.Any(o => o.DataText?.Contains("streamed", StringComparison.Ordinal) == true);
        }, "the replacement streams new changes");
    }

    [Test]
    public async Task Deploying_new_rules_drops_the_replaced_versions_slot_once_the_new_version_is_active()
    {
        await using var db = await CreateSourceAsync();
        string firstSlot;
        await using (var first = Start(db, Rules))
        {
            await first.StartAsync(default);
            await EventuallyAsync(() => Task.FromResult(first.HasCheckpoint), "the first checkpoint is served");
            firstSlot = (await first.Storage.Admin.GetActiveAsync(default))!.SlotName;
        }
        Assert.That(await SlotsAsync(db), Is.EqualTo(new[] { firstSlot }), "stopping the service keeps its slot to resume from");

        await using var second = Start(db, Rules.Replace("SELECT id, name FROM items", "SELECT id, upper(name) AS name FROM items", StringComparison.Ordinal));
        await second.StartAsync(default);
        var replaced = (await second.Storage.Admin.GetActiveAsync(default))!;
        await EventuallyAsync(async () => (await second.Storage.Reader.GetCheckpointAsync(default))?.RulesVersion is { } v && v != replaced.Id,
            "the new rules serve");
        var active = (await second.Storage.Admin.GetActiveAsync(default))!;
        await EventuallyAsync(async () => (await SlotsAsync(db)).SequenceEqual([active.SlotName]), "the replaced version's slot is dropped");
        Assert.That(await RowsAsync(second), Is.EqualTo(new[] { "i1", "i2" }));
    }
}
