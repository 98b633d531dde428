using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NUnit.Framework;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Tests.Infrastructure;

public sealed class PrivatePostgresTests
{
    private static CancellationToken Timeout(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    [Test]
    public async Task Server_runs_with_logical_wal_level_and_room_for_parallel_slots()
    {
        await using var db = await TestPostgres.CreateDatabaseAsync();

        Assert.That(await db.ScalarAsync<string>("SHOW wal_level"), Is.EqualTo("logical"));
        var slots = int.Parse(await db.ScalarAsync<string>("SHOW max_replication_slots"));
        var senders = int.Parse(await db.ScalarAsync<string>("SHOW max_wal_senders"));
        Assert.That(slots, Is.GreaterThanOrEqualTo(32));
        Assert.That(senders, Is.GreaterThanOrEqualTo(32));
    }

    [Test]
    public async Task Inserted_row_is_read_back_through_the_pgoutput_replication_stream()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync($"""
            CREATE TABLE todos (id text PRIMARY KEY, description text NOT NULL, done boolean NOT NULL);
            CREATE PUBLICATION {db.PublicationName} FOR TABLE todos;
            """, ct);

        await using var replication = new LogicalReplicationConnection(db.ConnectionString);
        await replication.Open(ct);
        var slot = await replication.CreatePgOutputReplicationSlot(
            db.SlotName, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.NoExport, cancellationToken: ct);

        await db.ExecuteAsync("INSERT INTO todos VALUES ('t1', 'buy milk', true)", ct);

        var seen = new List<string>();
        string? relation = null;
        var values = new List<string?>();
        await foreach (var message in replication.StartReplication(
            slot, new PgOutputReplicationOptions(db.PublicationName, PgOutputProtocolVersion.V1), ct))
        {
            seen.Add(message.GetType().Name);
            if (message is InsertMessage insert)
            {
                relation = insert.Relation.RelationName;
                await foreach (var value in insert.NewRow)
                    values.Add(value.IsDBNull ? null : await value.Get<string>(ct));
            }
            replication.SetReplicationStatus(message.WalEnd);
            if (message is CommitMessage) break;
        }

        Assert.That(seen, Is.EqualTo(new[] { nameof(BeginMessage), nameof(RelationMessage), nameof(InsertMessage), nameof(CommitMessage) }));
        Assert.That(relation, Is.EqualTo("todos"));
        Assert.That(values, Is.EqualTo(new[] { "t1", "buy milk", "t" }));
    }

    [Test]
    public async Task Databases_of_different_tests_do_not_see_each_other()
    {
        await using var first = await TestPostgres.CreateDatabaseAsync();
        await using var second = await TestPostgres.CreateDatabaseAsync();
        await first.ExecuteAsync("CREATE TABLE only_here (id int)");

        Assert.That(first.Name, Is.Not.EqualTo(second.Name));
        Assert.That(first.SlotName, Is.Not.EqualTo(second.SlotName));
        Assert.That(await second.ScalarAsync<bool>("SELECT to_regclass('only_here') IS NULL"), Is.True);
    }

    [Test]
    public async Task Disposing_a_database_drops_it_and_its_replication_slots()
    {
        var server = await TestPostgres.ServerAsync();
        var db = await server.CreateDatabaseAsync("dispose-me");
        await using (var replication = new LogicalReplicationConnection(db.ConnectionString))
        {
            await replication.Open();
            await replication.CreatePgOutputReplicationSlot(db.SlotName, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.NoExport);
        }

        await db.DisposeAsync();

        await using var admin = new NpgsqlConnection(server.AdminConnectionString);
        await admin.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM pg_database WHERE datname = $1) + (SELECT count(*) FROM pg_replication_slots WHERE slot_name = $2)", admin);
        cmd.Parameters.Add(new NpgsqlParameter { Value = db.Name });
        cmd.Parameters.Add(new NpgsqlParameter { Value = db.SlotName });
        Assert.That(await cmd.ExecuteScalarAsync(), Is.EqualTo(0L));
    }

    [Test]
    public async Task A_private_cluster_stops_and_leaves_no_folder_when_disposed()
    {
        if (Environment.GetEnvironmentVariable(PostgresServer.ExternalServerVariable) is { Length: > 0 })
            Assert.Ignore("POWERSYNC_TEST_PG is set: this run uses no private cluster.");

        var cluster = await PrivatePostgresCluster.StartAsync(Timeout());
        var pidFile = Path.Combine(cluster.DataDirectory, "postmaster.pid");
        var postmasterPid = int.Parse(File.ReadLines(pidFile).First());
        await using (var conn = new NpgsqlConnection(cluster.AdminConnectionString))
        {
            await conn.OpenAsync();
            Assert.That(conn.PostgreSqlVersion.Major, Is.GreaterThanOrEqualTo(14));
        }

        await cluster.DisposeAsync();

        Assert.That(Directory.Exists(cluster.RootDirectory), Is.False, "cluster folder removed");
        Assert.That(IsRunning(postmasterPid), Is.False, "postmaster stopped");
    }

    [Test]
    public async Task A_cluster_with_durable_commits_keeps_a_committed_row_across_an_immediate_stop_and_start()
    {
        if (Environment.GetEnvironmentVariable(PostgresServer.ExternalServerVariable) is { Length: > 0 })
            Assert.Ignore("POWERSYNC_TEST_PG is set: this run uses no private cluster.");

        await using var cluster = await PrivatePostgresCluster.StartAsync(["synchronous_commit = on"], Timeout());
        await using (var conn = new NpgsqlConnection(cluster.AdminConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SHOW synchronous_commit; ", conn);
            Assert.That(await cmd.ExecuteScalarAsync(), Is.EqualTo("on"), "the extra setting overrides the test default (off)");
            cmd.CommandText = "CREATE TABLE kept (id int); INSERT INTO kept VALUES (1)";
            await cmd.ExecuteNonQueryAsync();
        }

        Assert.That(await cluster.StopServerAsync("immediate", TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(await cluster.StopServerAsync("immediate", TimeSpan.FromSeconds(30)), Is.True, "stopping a stopped server is not an error");
        NpgsqlConnection.ClearAllPools();
        await cluster.StartServerAsync(Timeout());

        await using var again = new NpgsqlConnection(cluster.AdminConnectionString);
        await again.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM kept", again);
        Assert.That(await count.ExecuteScalarAsync(), Is.EqualTo(1L));
    }

    [Test]
    public void Missing_server_binaries_fail_with_the_package_to_install()
    {
        using var empty = new TempFolder("powersync-nobin-");
        var ex = Assert.Throws<InvalidOperationException>(() => PostgresBinaries.Locate(empty.Path, Path.Combine(empty.Path, "none")));
        Assert.That(ex!.Message, Does.Contain("apt-get install -y postgresql"));
        Assert.That(ex.Message, Does.Contain(PostgresServer.ExternalServerVariable));
    }

    [Test]
    public void Binaries_on_path_win_over_the_versioned_folders()
    {
        using var root = new TempFolder("powersync-bin-");
        var onPath = Directory.CreateDirectory(Path.Combine(root.Path, "path")).FullName;
        var versioned = Directory.CreateDirectory(Path.Combine(root.Path, "lib", "16", "bin")).FullName;
        foreach (var dir in new[] { onPath, versioned })
        {
            File.WriteAllText(Path.Combine(dir, "initdb"), "");
            File.WriteAllText(Path.Combine(dir, "pg_ctl"), "");
        }

        Assert.That(PostgresBinaries.Locate(onPath, Path.Combine(root.Path, "lib")).BinDirectory, Is.EqualTo(onPath));
        var fromLib = PostgresBinaries.Locate("", Path.Combine(root.Path, "lib"));
        Assert.That(fromLib, Is.EqualTo(new PostgresBinaries(versioned, 16)));
    }

    [Test]
    public void Generated_names_are_valid_identifiers_and_unique()
    {
        var a = PostgresServer.UniqueName("Some Test(With \"odd\" chars, and a very long name that keeps going)");
        var b = PostgresServer.UniqueName("Some Test(With \"odd\" chars, and a very long name that keeps going)");

        Assert.That(a, Does.Match("^[a-z0-9_]+$"));
        Assert.That((a + "_slot").Length, Is.LessThanOrEqualTo(63));
        Assert.That(a, Is.Not.EqualTo(b));
    }

    /// <summary>Alive and not a zombie: a stopped daemon stays a zombie until init reaps it.</summary>
    private static bool IsRunning(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat)) return false;
        try
        {
            var text = File.ReadAllText(stat);
            var state = text[(text.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (IOException)
        {
            return false;
        }
    }
}
