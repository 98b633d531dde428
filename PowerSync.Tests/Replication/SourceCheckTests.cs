using Npgsql;
using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Replication;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Tests.Replication;

public sealed class SourceCheckTests
{
    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    private static async Task<SourceCheckResult> CheckAsync(TestDatabase db, CancellationToken ct, string? connectionString = null, string? publication = null)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString ?? db.ConnectionString);
        return await PostgresSourceChecker.CheckAsync(dataSource, publication ?? db.PublicationName, db.SlotName, ct);
    }

    /// <summary>A login role of this test's own, dropped (with what it owns) when disposed.</summary>
    private sealed class TestRole(TestDatabase db, string name) : IAsyncDisposable
    {
        public string Name => name;

        public string ConnectionString =>
            new NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = name, Password = "pw", Pooling = false }.ConnectionString;

        public static async Task<TestRole> CreateAsync(TestDatabase db, string attributes, CancellationToken ct)
        {
            var role = new TestRole(db, db.Name + "_role");
            await db.ExecuteAsync($"CREATE ROLE {role.Name} LOGIN PASSWORD 'pw' {attributes}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role.Name};", ct);
            return role;
        }

        public async ValueTask DisposeAsync()
        {
            await db.ExecuteAsync($"DROP OWNED BY {name}; DROP ROLE {name};");
        }
    }

    [Test]
    public async Task A_publication_of_tables_with_primary_keys_is_ready_without_warnings()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync($"CREATE TABLE todos (id text PRIMARY KEY, title text); CREATE PUBLICATION {db.PublicationName} FOR ALL TABLES;", ct);

        var result = await CheckAsync(db, ct);

        Assert.That(result.IsReady, Is.True, string.Join("; ", result.Errors));
        Assert.That(result.Warnings, Is.Empty);
        Assert.DoesNotThrow(result.ThrowIfNotReady);
    }

    [Test]
    public async Task A_missing_publication_is_an_error_that_says_how_to_create_it()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();

        var result = await CheckAsync(db, ct, publication: "powersync");

        Assert.That(result.Errors.Select(e => e.Code), Is.EqualTo(new[] { "PSYNC_S1141" }));
        Assert.That(result.Errors[0].Message, Does.Contain("CREATE PUBLICATION \"powersync\" FOR ALL TABLES"));
        var ex = Assert.Throws<PowerSyncException>(result.ThrowIfNotReady);
        Assert.That(ex!.Code, Is.EqualTo(ReplicationErrorCodes.SourceNotReady));
        Assert.That(ex.Message, Does.Contain("[PSYNC_S1141]"));
    }

    [Test]
    public async Task A_publication_without_truncate_is_an_error_naming_what_is_missing()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync($"CREATE TABLE t (id int PRIMARY KEY); CREATE PUBLICATION {db.PublicationName} FOR ALL TABLES WITH (publish = 'insert, update, delete');", ct);

        var result = await CheckAsync(db, ct);

        Assert.That(result.Errors.Select(e => e.Code), Is.EqualTo(new[] { "PSYNC_S1142" }));
        Assert.That(result.Errors[0].Message, Does.Contain("does not publish truncate"));
        Assert.That(result.Errors[0].Message, Does.Contain("SET (publish = 'insert, update, delete, truncate')"));
    }

    [Test]
    public async Task A_publication_via_partition_root_is_an_error()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync($"CREATE TABLE t (id int PRIMARY KEY); CREATE PUBLICATION {db.PublicationName} FOR ALL TABLES WITH (publish_via_partition_root = true);", ct);

        var result = await CheckAsync(db, ct);

        Assert.That(result.Errors.Select(e => e.Code), Is.EqualTo(new[] { "PSYNC_S1143" }));
        Assert.That(result.Errors[0].Message, Does.Contain("publish_via_partition_root = false"));
    }

    [Test]
    public async Task Tables_that_cannot_identify_their_rows_get_a_warning_each_and_others_none()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync($"""
            CREATE TABLE no_pk (id int, v text);
            CREATE TABLE nothing (id int PRIMARY KEY); ALTER TABLE nothing REPLICA IDENTITY NOTHING;
            CREATE TABLE full_identity (id int); ALTER TABLE full_identity REPLICA IDENTITY FULL;
            CREATE TABLE by_index (a int NOT NULL, b int); CREATE UNIQUE INDEX by_index_a ON by_index (a);
            ALTER TABLE by_index REPLICA IDENTITY USING INDEX by_index_a;
            CREATE TABLE with_pk (id int PRIMARY KEY);
            CREATE PUBLICATION {db.PublicationName} FOR ALL TABLES;
            """, ct);

        var result = await CheckAsync(db, ct);

        Assert.That(result.IsReady, Is.True);
        Assert.That(result.Warnings.Select(w => (w.Code, w.Table)), Is.EquivalentTo(new[]
        {
            (ReplicationErrorCodes.NoReplicaIdentity, "\"public\".\"no_pk\""),
            (ReplicationErrorCodes.NoReplicaIdentity, "\"public\".\"nothing\""),
        }));
        Assert.That(result.Warnings.Single(w => w.Table!.Contains("nothing")).Message, Does.Contain("REPLICA IDENTITY NOTHING"));
        Assert.That(result.Warnings.Single(w => w.Table!.Contains("no_pk")).Message, Does.Contain("REPLICA IDENTITY FULL"));
    }

    [Test]
    public async Task A_role_without_replication_and_a_missing_publication_are_reported_together()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE t (id int PRIMARY KEY);", ct);
        await using var role = await TestRole.CreateAsync(db, "NOREPLICATION", ct);

        var result = await CheckAsync(db, ct, role.ConnectionString);

        Assert.That(result.Errors.Select(e => e.Code), Is.EquivalentTo(new[] { ReplicationErrorCodes.RoleCannotReplicate, "PSYNC_S1141" }));
        Assert.That(result.Errors.Single(e => e.Code == ReplicationErrorCodes.RoleCannotReplicate).Message,
            Does.Contain($"ALTER ROLE \"{role.Name}\" WITH REPLICATION"));
        var ex = Assert.Throws<PowerSyncException>(result.ThrowIfNotReady);
        Assert.That(ex!.Message, Does.Contain(ReplicationErrorCodes.RoleCannotReplicate).And.Contain("PSYNC_S1141"));
    }

    [Test]
    public async Task Row_level_security_warns_unless_the_role_bypasses_it_and_unreadable_tables_are_errors()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync($"""
            CREATE TABLE secured (id int PRIMARY KEY); ALTER TABLE secured ENABLE ROW LEVEL SECURITY;
            CREATE PUBLICATION {db.PublicationName} FOR ALL TABLES;
            """, ct);
        await using var role = await TestRole.CreateAsync(db, "REPLICATION", ct);
        await db.ExecuteAsync("CREATE TABLE hidden (id int PRIMARY KEY);", ct); // created after the GRANT: not readable

        var asRole = await CheckAsync(db, ct, role.ConnectionString);
        var asSuperuser = await CheckAsync(db, ct);

        Assert.That(asRole.Warnings.Select(w => (w.Code, w.Table)), Is.EqualTo(new[] { ("PSYNC_S1145", "\"public\".\"secured\"") }));
        Assert.That(asRole.Warnings[0].Message, Does.Contain($"ALTER ROLE \"{role.Name}\" BYPASSRLS"));
        Assert.That(asRole.Errors.Select(e => (e.Code, e.Table)), Is.EqualTo(new[] { (ReplicationErrorCodes.SourceQueryFailed, "\"public\".\"hidden\"") }));
        Assert.That(asRole.Errors[0].Message, Does.Contain("GRANT SELECT ON \"public\".\"hidden\""));
        Assert.That(asSuperuser.Warnings, Is.Empty);
        Assert.That(asSuperuser.IsReady, Is.True);
    }

    [Test]
    public void Server_settings_that_prevent_replication_are_all_errors_with_the_setting_to_change()
    {
        var facts = new SourceFacts
        {
            ServerVersionNum = 130011,
            WalLevel = "replica",
            MaxReplicationSlots = 4,
            UsedReplicationSlots = 4,
            SlotExists = false,
            MaxWalSenders = 2,
            UsedWalSenders = 2,
            RoleName = "app",
            RoleCanReplicate = true,
            RoleBypassesRls = false,
            Publication = new PublicationFacts(true, true, true, true, false),
            Tables = [new PublishedTableFacts("public", "t", 'd', true, false, false, true)],
        };

        var result = PostgresSourceChecker.Evaluate(facts, "powersync");

        Assert.That(result.Errors.Select(e => e.Code), Is.EqualTo(new[]
        {
            ReplicationErrorCodes.ServerTooOld, ReplicationErrorCodes.WalLevelNotLogical,
            ReplicationErrorCodes.NoFreeReplicationSlot, ReplicationErrorCodes.NoFreeWalSender,
        }));
        Assert.That(result.Errors[1].Message, Does.Contain("ALTER SYSTEM SET wal_level = logical"));
        Assert.That(result.Errors[2].Message, Does.Contain("max_replication_slots = 4"));
        Assert.That(result.Errors[3].Message, Does.Contain("max_wal_senders = 2"));

        var withOwnSlot = PostgresSourceChecker.Evaluate(facts with { SlotExists = true }, "powersync");
        Assert.That(withOwnSlot.Errors.Select(e => e.Code), Does.Not.Contain(ReplicationErrorCodes.NoFreeReplicationSlot));
    }
}
