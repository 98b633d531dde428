using System.Diagnostics;
using System.Text.Json;
using NUnit.Framework;

namespace PowerSync.Tests.Hosting;

/// <summary>
/// The official PowerSync Node SDK (npm <c>@powersync/node</c>, installed in <c>interop/</c>) syncing
/// from our host. Needs node and <c>npm ci</c> in <c>interop/</c>: run with
/// <c>dotnet cake --target=Interop</c>, never in the default test run.
/// </summary>
[Explicit("Needs the npm packages in interop/: dotnet cake --target=Interop")]
[Category("Interop")]
public sealed class OfficialClientInteropTests
{
    private const string Rules = """
        bucket_definitions:
          user_lists:
            parameters: SELECT id AS list_id FROM lists WHERE owner_id = request.user_id()
            data:
              - SELECT * FROM lists WHERE id = bucket.list_id
              - SELECT id, list_id, description, done FROM todos WHERE list_id = bucket.list_id
        """;

    private static string InteropFolder()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "interop");
            if (File.Exists(Path.Combine(candidate, "sync-client.mjs"))) return candidate;
        }
        throw new InvalidOperationException("interop/sync-client.mjs not found above the test directory.");
    }

    [Test]
    public async Task The_official_node_client_syncs_rows_and_live_changes_with_valid_checksums()
    {
        var interop = InteropFolder();
        if (!Directory.Exists(Path.Combine(interop, "node_modules", "@powersync", "node")))
            Assert.Fail("Run `npm ci` in interop/ first (dotnet cake --target=Interop does).");

        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("""
            CREATE TABLE lists (id text PRIMARY KEY, owner_id text NOT NULL, name text);
            CREATE TABLE todos (id text PRIMARY KEY, list_id text NOT NULL, description text, done integer NOT NULL DEFAULT 0);
            INSERT INTO lists VALUES ('l1', 'alice', 'Groceries'), ('l2', 'bob', 'Work');
            INSERT INTO todos SELECT 't' || i, 'l1', 'item ' || i, i % 2 FROM generate_series(1, 2500) i;
            INSERT INTO todos VALUES ('b1', 'l2', 'not for alice', 0);
            CREATE PUBLICATION powersync FOR ALL TABLES;
            """);
        await using var app = await LoopbackHost.StartPowerSyncAsync(db.ConnectionString, Rules);
        using var node = Process.Start(new ProcessStartInfo("node", ["sync-client.mjs", app.Address.ToString().TrimEnd('/'), app.Token("alice"), Path.Combine(app.Folder, "client.db")])
        {
            WorkingDirectory = interop,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stderr = node.StandardError.ReadToEndAsync();
        try
        {
            var synced = await NextEventAsync(node, "synced", stderr);
            Assert.That(synced.GetProperty("lists").GetArrayLength(), Is.EqualTo(1));
            Assert.That(synced.GetProperty("todos").GetArrayLength(), Is.EqualTo(2500));
            Assert.That(synced.GetProperty("todos").EnumerateArray().Any(t => t.GetProperty("id").GetString() == "b1"), Is.False);

            await db.ExecuteAsync("INSERT INTO todos VALUES ('t9999', 'l1', 'arrived live', 1)");
            JsonElement rows;
            do rows = await NextEventAsync(node, "rows", stderr);
            while (!rows.GetProperty("todos").EnumerateArray().Any(t => t.GetProperty("id").GetString() == "t9999"));
            Assert.That(rows.GetProperty("todos").GetArrayLength(), Is.EqualTo(2501));
        }
        finally
        {
            node.StandardInput.Close();
            if (!node.WaitForExit(TimeSpan.FromSeconds(10))) node.Kill(entireProcessTree: true);
        }
    }

    /// <summary>The next stdout event of that kind; a status event with an error fails the test (checksum failures show up there).</summary>
    private static async Task<JsonElement> NextEventAsync(Process node, string kind, Task<string> stderr)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            var line = await node.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new AssertionException($"The node client exited: {await stderr}");
            var message = JsonDocument.Parse(line).RootElement.Clone();
            var type = message.GetProperty("event").GetString();
            if (type == "status" && message.GetProperty("error").GetString() is { } error)
                Assert.Fail($"The official client reported a sync error: {error}");
            if (type == kind) return message;
        }
    }
}
