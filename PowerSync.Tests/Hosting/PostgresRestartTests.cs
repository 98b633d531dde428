using System.Diagnostics;
using Npgsql;
using NUnit.Framework;
using PowerSync.Tests.Infrastructure;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Tests.Hosting;

/// <summary>
/// A Postgres of its own (restarting the shared one would break every other test), restarted under an
/// app that replicates from it: Postgres must not wait for PowerSync to shut down, and replication
/// must come back without anyone's help.
/// </summary>
public sealed class PostgresRestartTests
{
    [Test]
    public async Task A_fast_restart_of_postgres_completes_while_replicating_and_replication_resumes_by_itself()
    {
        if (Environment.GetEnvironmentVariable(PostgresServer.ExternalServerVariable) is { Length: > 0 })
            Assert.Ignore("POWERSYNC_TEST_PG is set: this test restarts a private cluster, which this run does not use.");
        await using var cluster = await PrivatePostgresCluster.StartAsync();
        var source = cluster.AdminConnectionString; // pooled: connections Postgres closed in the restart are met again after it
        await ExecuteAsync(source, """
            CREATE TABLE items (id text PRIMARY KEY, name text);
            CREATE TABLE audit (id int, note text);
            INSERT INTO items VALUES ('i1', 'before the restart');
            CREATE PUBLICATION powersync FOR TABLE items;
            """);
        var lagThreshold = TimeSpan.FromSeconds(5);
        await using var app = await LoopbackHost.StartPowerSyncAsync(source, ReplicationHealthTests.Rules, configure: o => o.ReplicationLagThreshold = lagThreshold);
        var client = app.Client;
        using var response = await app.OpenAsync(app.StreamRequest("""{"raw_data":true}""", app.Token("u1")));
        using var lines = new LineReader(await response.Content.ReadAsStreamAsync());
        await LineContainingAsync(lines, "before the restart");
        await Eventually.HoldsAsync(() => ReplicationHealthTests.Health.ReadAsync(client), h => h.Status == "Healthy", TimeSpan.FromSeconds(60), "replication streams");

        // The app's other writes: WAL that the replication stream never sends a change for.
        await ExecuteAsync(source, "INSERT INTO audit SELECT g, 'not replicated' FROM generate_series(1, 1000) g");
        var clock = Stopwatch.StartNew();
        await cluster.RestartAsync("fast", TimeSpan.FromSeconds(30));
        var restart = clock.Elapsed;
        await ExecuteAsync(source, "INSERT INTO items VALUES ('i2', 'after the restart')");
        await LineContainingAsync(lines, "after the restart");
        var resumed = clock.Elapsed;

        // Nothing else writes to this server: idle for twice the lag threshold (the stimulus, not a wait for a
        // condition), health stays Healthy. Lag counts only what the source has and replication has not.
        var idle = Stopwatch.StartNew();
        var looks = new List<ReplicationHealthTests.Health>();
        while (idle.Elapsed < lagThreshold * 2)
        {
            looks.Add(await ReplicationHealthTests.Health.ReadAsync(client));
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        TestContext.Progress.WriteLine($"pg_ctl restart -m fast took {restart.TotalSeconds:0.0} s; a row written after it synced {resumed.TotalSeconds:0.0} s after the restart began");
        Assert.That(restart, Is.LessThanOrEqualTo(TimeSpan.FromSeconds(10)), "Postgres does not wait for the replication connection to shut down");
        Assert.That(looks.Where(h => h.Status != "Healthy"), Is.Empty, "an idle source is not lag");
        Assert.That(looks[^1].Data["retained_wal_bytes"].GetInt64(), Is.LessThan(1024 * 1024), "the slot keeps next to nothing on an idle source");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Reads sync lines until one contains <paramref name="text"/> (a minute at most).</summary>
    private static async Task LineContainingAsync(LineReader lines, string text)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var left = TimeSpan.FromSeconds(60) - deadline.Elapsed;
            if (left <= TimeSpan.Zero) Assert.Fail($"No sync line contained '{text}' within a minute.");
            var line = await lines.NextAsync((int)Math.Ceiling(left.TotalSeconds));
            if (line is null) Assert.Fail($"The sync stream ended before a line contained '{text}'.");
            if (line!.Contains(text, StringComparison.Ordinal)) return;
        }
    }
}
