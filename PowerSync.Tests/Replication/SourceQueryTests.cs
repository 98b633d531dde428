using Npgsql;
using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Replication;
using PowerSync.Tests.Infrastructure;

namespace PowerSync.Tests.Replication;

public sealed class SourceQueryTests
{
    private static Task<int> OneAsync(NpgsqlDataSource source, CancellationToken ct) =>
        SourceQuery.RunAsync(source, async connection =>
        {
            using var command = new NpgsqlCommand("SELECT 1", connection);
            return (int)(await command.ExecuteScalarAsync(ct))!;
        }, cause => "unreachable: " + cause.Message, ct);

    [Test]
    public async Task A_pooled_connection_closed_by_the_server_is_replaced_once_and_the_query_answers()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await using var source = NpgsqlDataSource.Create(db.ConnectionString);
        Assert.That(await OneAsync(source, ct), Is.EqualTo(1), "the pool now holds an idle connection");

        // As a Postgres restart does to every session.
        await db.ExecuteAsync("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
            """, ct);

        Assert.That(await OneAsync(source, ct), Is.EqualTo(1));
    }

    [Test]
    public void A_source_that_cannot_be_reached_is_source_query_failed_worded_by_the_caller()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        using var source = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={port};Username=x;Password=y;Timeout=1;Pooling=false");

        var ex = Assert.ThrowsAsync<PowerSyncException>(() => OneAsync(source, CancellationToken.None));

        Assert.That(ex!.Code, Is.EqualTo(ReplicationErrorCodes.SourceQueryFailed));
        Assert.That(ex.Message, Does.StartWith("unreachable: "));
    }

    [Test]
    public async Task A_refused_login_or_unknown_database_points_at_the_connection_string_and_a_down_server_says_it_is_retried()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var db = await TestPostgres.CreateDatabaseAsync();
        var builder = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Pooling = false, Timeout = 5 };

        async Task<string> CheckMessageAsync(NpgsqlConnectionStringBuilder settings)
        {
            await using var source = NpgsqlDataSource.Create(settings.ConnectionString);
            var ex = Assert.ThrowsAsync<PowerSyncException>(() => PostgresSourceChecker.CheckAsync(source, "powersync", "slot", ct));
            Assert.That(ex!.Code, Is.EqualTo(ReplicationErrorCodes.SourceQueryFailed));
            return ex.Message;
        }

        var unknownRole = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Username = "no_such_role" };
        var unknownDatabase = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Database = "no_such_database" };
        var down = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Port = LoopbackPorts.Free() };

        Assert.That(await CheckMessageAsync(unknownRole), Does.EndWith("Check the user name and password in the connection string, and that pg_hba.conf lets this role connect."));
        Assert.That(await CheckMessageAsync(unknownDatabase), Does.EndWith("Check the database name in the connection string."));
        var downMessage = await CheckMessageAsync(down);
        Assert.That(downMessage, Does.EndWith("The server is down, restarting or unreachable; this is retried until it answers."));
        Assert.That(downMessage, Does.Not.Contain("connection string"));
    }
}
