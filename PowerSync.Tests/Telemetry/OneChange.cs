using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Client.Tables;
using PowerSync.Tests.Hosting;

namespace PowerSync.Tests.Telemetry;

/// <summary>
/// One change end to end, for the telemetry tests: a host embedding PowerSync over a real Postgres, one client
/// (PowerSync.Client over loopback HTTP) that syncs alice's items; a row inserted in Postgres is replicated,
/// committed and sent, and the client shows it. Then the client disconnects, which ends its sync stream.
/// </summary>
internal static class OneChange
{
    public const string Rules = """
        bucket_definitions:
          by_owner:
            parameters: SELECT request.user_id() AS owner
            data:
              - SELECT id, name FROM items WHERE owner = bucket.owner
        """;

    public const string Bucket = "by_owner[\"alice\"]";

    private static readonly Schema ClientSchema = new(new Table("items", [Column.Text("name")]));

    private sealed class Connector(Uri endpoint, string token) : IPowerSyncBackendConnector
    {
        public Task<PowerSyncCredentials?> FetchCredentialsAsync(CancellationToken cancellationToken) =>
            Task.FromResult<PowerSyncCredentials?>(new PowerSyncCredentials(endpoint, token));

        public Task UploadDataAsync(PowerSyncDatabase database, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>What the run left to look at: the client's id and the token it used.</summary>
    public sealed record Run(string ClientId, string Token);

    /// <summary>
    /// Runs the change against <paramref name="app"/> (whose database has the <c>items</c> table, published).
    /// <paramref name="beforeChange"/> runs once the client's first sync is done, before the row is inserted.
    /// </summary>
    public static async Task<Run> RunAsync(LoopbackHost app, Infrastructure.Postgres.TestDatabase pgdb, Action? beforeChange = null)
    {
        var token = app.Token("alice");
        var db = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions { DatabasePath = Path.Combine(app.Folder, "client.db"), Schema = ClientSchema });
        try
        {
            await db.ConnectAsync(new Connector(app.Address, token));
            using (var first = new CancellationTokenSource(TimeSpan.FromSeconds(60))) await db.WaitForFirstSyncAsync(cancellationToken: first.Token);
            beforeChange?.Invoke();
            await pgdb.ExecuteAsync("INSERT INTO items (id, owner, name) VALUES ('i1', 'alice', 'first')");
            using var arrived = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await foreach (var names in db.WatchAsync<string>("SELECT name FROM items WHERE id = 'i1'", null, arrived.Token))
            {
                if (names.Count == 1) break;
            }
            Assert.That(await db.GetAllAsync<string>("SELECT name FROM items"), Is.EqualTo(new[] { "first" }));
            return new Run(await db.GetClientIdAsync(), token);
        }
        finally
        {
            await db.DisposeAsync();
        }
    }

    public const string SourceSchema = """
        CREATE TABLE items (id text PRIMARY KEY, owner text NOT NULL, name text);
        CREATE PUBLICATION powersync FOR ALL TABLES;
        """;
}
