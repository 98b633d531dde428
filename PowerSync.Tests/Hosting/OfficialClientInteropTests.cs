using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using NUnit.Framework;
using TodoBackend;

namespace PowerSync.Tests.Hosting;

/// <summary>
/// The official PowerSync Node SDK (npm <c>@powersync/node</c>, installed in <c>interop/</c>) against the sample backend
/// (samples/TodoBackend, PowerSync embedded) on each transport: HTTP with NDJSON lines, HTTP with BSON lines (the SDK's
/// default), and RSocket over WebSocket. It syncs, sees a live change, and uploads a write through its connector to the
/// backend's upload endpoint, then waits for the write checkpoint that brings the server's version back. Needs node and
/// <c>npm ci</c> in <c>interop/</c>: run with <c>dotnet cake --target=Interop</c>, never in the default test run.
/// </summary>
[Explicit("Needs the npm packages in interop/: dotnet cake --target=Interop")]
[Category("Interop")]
public sealed class OfficialClientInteropTests
{
    private static string InteropFolder()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "interop");
            if (File.Exists(Path.Combine(candidate, "sync-client.mjs"))) return candidate;
        }
        throw new InvalidOperationException("interop/sync-client.mjs not found above the test directory.");
    }

    [TestCase("http-ndjson", "application/x-ndjson")]
    [TestCase("http-bson", "application/vnd.powersync.bson-stream")]
    [TestCase("websocket", null)]
    public async Task The_official_node_client_syncs_sees_live_changes_and_uploads_through_its_connector(string transport, string? contentType)
    {
        var interop = InteropFolder();
        if (!Directory.Exists(Path.Combine(interop, "node_modules", "@powersync", "node")))
            Assert.Fail("Run `npm ci` in interop/ first (dotnet cake --target=Interop does).");

        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync(File.ReadAllText(TodoBackendApp.InAppFolder("schema.sql")) + File.ReadAllText(TodoBackendApp.InAppFolder("seed.sql")) + """
            INSERT INTO todos (id, list_id, description, completed, created_by)
            SELECT 'g' || i, 'groceries', 'item ' || i, i % 2, 'alice' FROM generate_series(1, 2500) i;
            """);
        await using var app = await StartBackendAsync(db.ConnectionString, rules: null);
        using var node = await StartNodeAsync(interop, app, transport);
        var stderr = node.StandardError.ReadToEndAsync();
        try
        {
            // alice owns groceries and trip; bob's work list is not hers.
            var synced = await NextEventAsync(node, "synced", stderr);
            Assert.That(synced.GetProperty("lists").GetArrayLength(), Is.EqualTo(2));
            Assert.That(synced.GetProperty("todos").GetArrayLength(), Is.EqualTo(2504));
            Assert.That(synced.GetProperty("todos").EnumerateArray().Any(t => t.GetProperty("id").GetString() == "report"), Is.False);
            Assert.That(synced.GetProperty("stream_content_type").GetString(), Is.EqualTo(contentType), "the transport in use");

            await db.ExecuteAsync("INSERT INTO todos (id, list_id, description, created_by) VALUES ('live', 'trip', 'arrived live', 'bob')");
            JsonElement rows;
            do rows = await NextEventAsync(node, "rows", stderr);
            while (!rows.GetProperty("todos").EnumerateArray().Any(t => t.GetProperty("id").GetString() == "live"));

            // Uploaded through the SDK's connector to POST /api/data; confirmed once the SDK has the server's version.
            await node.StandardInput.WriteLineAsync("""{"cmd":"insert","id":"from-node","list_id":"trip","description":"written by the official client"}""");
            var confirmed = (await NextEventAsync(node, "confirmed", stderr)).GetProperty("todo");
            Assert.That(confirmed.GetProperty("created_by").GetString(), Is.EqualTo("alice"), "the backend's version of the row, synced back");
            Assert.That(await db.ScalarAsync<string>("SELECT description FROM todos WHERE id = 'from-node' AND created_by = 'alice'"),
                Is.EqualTo("written by the official client"));
        }
        finally
        {
            node.StandardInput.Close();
            if (!node.WaitForExit(TimeSpan.FromSeconds(10))) node.Kill(entireProcessTree: true);
        }
    }

    /// <summary>The sample backend over <paramref name="source"/>, with its own sync rules or <paramref name="rules"/>.</summary>
    private static Task<LoopbackHost> StartBackendAsync(string source, string? rules) =>
        LoopbackHost.StartProgramAsync((folder, prepare) => TodoBackendApp.Build(["--environment", "Development"], builder =>
        {
            prepare(builder);
            builder.Configuration["ConnectionStrings:Postgres"] = source;
            builder.Configuration["PowerSync:StoragePath"] = Path.Combine(folder, "buckets.db");
            builder.Configuration["Auth:DevSigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            if (rules is null) return;
            File.WriteAllText(Path.Combine(folder, "streams.yaml"), rules);
            builder.Configuration["PowerSync:SyncRulesPath"] = Path.Combine(folder, "streams.yaml");
        }));

    /// <summary>interop/sync-client.mjs as alice (a token from the backend's dev endpoint) on <paramref name="transport"/>.</summary>
    private static async Task<Process> StartNodeAsync(string interop, LoopbackHost app, string transport)
    {
        using var tokenResponse = await app.Client.PostAsJsonAsync("/api/auth/token", new { user_id = "alice" });
        tokenResponse.EnsureSuccessStatusCode();
        var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
        return Process.Start(new ProcessStartInfo("node", ["sync-client.mjs", app.Address.ToString().TrimEnd('/'), token, Path.Combine(app.Folder, "client.db"), transport])
        {
            WorkingDirectory = interop,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
    }

    /// <summary>Edition-3 streams over the sample's tables: alice's lists by default, a list's todos on subscription.</summary>
    private const string StreamRules = """
        config:
          edition: 3
        streams:
          owned_lists:
            auto_subscribe: true
            query: SELECT * FROM lists WHERE owner_id = auth.user_id()
          list_todos:
            query: SELECT * FROM todos WHERE list_id = subscription.parameter('list')
        """;

    [Test]
    public async Task The_official_node_client_subscribes_to_a_stream_syncs_its_rows_and_unsubscribes()
    {
        var interop = InteropFolder();
        if (!Directory.Exists(Path.Combine(interop, "node_modules", "@powersync", "node")))
            Assert.Fail("Run `npm ci` in interop/ first (dotnet cake --target=Interop does).");

        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync(File.ReadAllText(TodoBackendApp.InAppFolder("schema.sql")) + File.ReadAllText(TodoBackendApp.InAppFolder("seed.sql")));
        await using var app = await StartBackendAsync(db.ConnectionString, StreamRules);
        var trip = await db.ScalarAsync<long>("SELECT count(*) FROM todos WHERE list_id = 'trip'");
        using var node = await StartNodeAsync(interop, app, "http-ndjson");
        var stderr = node.StandardError.ReadToEndAsync();
        try
        {
            var synced = await NextEventAsync(node, "synced", stderr);
            Assert.That(synced.GetProperty("lists").GetArrayLength(), Is.EqualTo(2), "the default stream: alice's lists");
            Assert.That(synced.GetProperty("todos").GetArrayLength(), Is.Zero, "no todos before a subscription");

            await node.StandardInput.WriteLineAsync("""{"cmd":"subscribe","stream":"list_todos","params":{"list":"trip"}}""");
            var subscribed = await NextEventAsync(node, "subscribed", stderr);
            var todos = subscribed.GetProperty("todos").EnumerateArray().Select(t => t.GetProperty("list_id").GetString()).ToList();
            Assert.That(todos, Has.Count.EqualTo(trip).And.All.EqualTo("trip"), "the subscribed list's todos, after the subscription's first sync");
            Assert.That(subscribed.GetProperty("status").GetRawText(), Is.EqualTo("""{"active":true,"hasSynced":true,"isDefault":false,"priority":3}"""));

            await node.StandardInput.WriteLineAsync("""{"cmd":"unsubscribe","stream":"list_todos","params":{"list":"trip"},"list_id":"trip"}""");
            var unsubscribed = await NextEventAsync(node, "unsubscribed", stderr);
            Assert.That(unsubscribed.GetProperty("todos").GetArrayLength(), Is.Zero, "the stream's rows left with the subscription");
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
            // The SDK logs to the console as well (warnings, upload retries): those lines are shown, not parsed.
            if (!line.StartsWith('{'))
            {
                TestContext.Progress.WriteLine("node: " + line);
                continue;
            }
            var message = JsonDocument.Parse(line).RootElement.Clone();
            var type = message.GetProperty("event").GetString();
            if (type == "status" && message.GetProperty("error").GetString() is { } error)
                Assert.Fail($"The official client reported a sync error: {error}");
            if (type == kind) return message;
        }
    }
}
