using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Demo;
using PowerSync.Tests.Infrastructure.Postgres;
using TodoBackend;
using TodoClient;

// The one-command demo: private Postgres, the sample backend embedding PowerSync, three users'
// clients, changes made on both sides, and how long each took to show up.
var interactive = args.Contains("--interactive");
using var cancel = new CancellationTokenSource(interactive ? Timeout.InfiniteTimeSpan : TimeSpan.FromMinutes(2));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var ct = cancel.Token;
var timings = new Timings();
using var workspace = new TempFolder("powersync-demo-"); // deleted at exit, whatever happens
var folder = workspace.Path;

Console.WriteLine("Starting a private Postgres (wal_level=logical) ...");
await using var postgres = await timings.MeasureAsync("start Postgres", () => PostgresServer.StartAsync(ct));
await using var db = await postgres.CreateDatabaseAsync("todo-demo", ct);
await db.ExecuteAsync(File.ReadAllText(TodoBackendApp.InAppFolder("schema.sql")) + File.ReadAllText(TodoBackendApp.InAppFolder("seed.sql")), ct);

Console.WriteLine("Starting the todo backend with PowerSync embedded ...");
// Development: the sample's token endpoint, which signs a token for any user, exists only there.
var app = TodoBackendApp.Build(["--environment", "Development"], builder =>
{
    builder.WebHost.UseUrls(interactive ? "http://127.0.0.1:5080" : "http://127.0.0.1:0");
    builder.Configuration["ConnectionStrings:Postgres"] = db.ConnectionString;
    builder.Configuration["PowerSync:StoragePath"] = Path.Combine(folder, "buckets.db");
    builder.Configuration["Auth:DevSigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    builder.Logging.ClearProviders();
});
// SIGTERM (docker stop, kill) stops the web host; end the demo with it, cleaning up as on Ctrl+C.
app.Lifetime.ApplicationStopping.Register(cancel.Cancel);
await timings.MeasureAsync("start backend", () => app.StartAsync(ct));
var backend = new Uri(app.Urls.First());
Console.WriteLine($"Backend at {backend} (sync API: POST /sync/stream; uploads: POST /api/data)");

var exitCode = 0;
try
{
    await using var alice = await TodoSession.OpenAsync(backend, "alice", Path.Combine(folder, "alice.db"), ct);
    await using var bob = await TodoSession.OpenAsync(backend, "bob", Path.Combine(folder, "bob.db"), ct);
    await using var carol = await TodoSession.OpenAsync(backend, "carol", Path.Combine(folder, "carol.db"), ct);
    foreach (var user in new[] { alice, bob, carol })
    {
        await user.ConnectAsync(ct);
        await timings.MeasureAsync($"first sync ({user.UserId})", () => user.Database.WaitForFirstSyncAsync(cancellationToken: ct));
    }
    await Scenario.PrintAsync("After the first sync", [alice, bob, carol], ct);

    // 1. A change made directly in Postgres reaches everyone who shares the list.
    var changed = Stopwatch.StartNew();
    await db.ExecuteAsync("UPDATE todos SET completed = 1, updated_at = now() WHERE id = 'tickets'", ct);
    await Task.WhenAll(
        timings.MeasureAsync("Postgres UPDATE -> alice", () => Scenario.UntilAsync(alice, t => t.Any(x => x.Id == "tickets" && x.Completed == 1), ct), changed),
        timings.MeasureAsync("Postgres UPDATE -> bob", () => Scenario.UntilAsync(bob, t => t.Any(x => x.Id == "tickets" && x.Completed == 1), ct), changed));

    // 2. Alice works offline, then reconnects: her write is uploaded and reaches bob.
    await alice.DisconnectAsync(ct);
    var sunscreen = await alice.AddTodoAsync("trip", "Pack sunscreen", ct);
    await alice.CompleteAsync("hotel", ct);
    var reconnected = Stopwatch.StartNew();
    await alice.ConnectAsync(ct);
    await timings.MeasureAsync("offline writes -> uploaded (alice)", () => Scenario.UploadedAsync(alice, ct), reconnected);
    await timings.MeasureAsync("offline writes -> bob", () => Scenario.UntilAsync(bob, t => t.Any(x => x.Id == sunscreen) && t.Any(x => x.Id == "hotel" && x.Completed == 1), ct), reconnected);

    // 3. Bob completes a todo on the shared list: alice sees it.
    var shared = Stopwatch.StartNew();
    await bob.CompleteAsync(sunscreen, ct);
    await timings.MeasureAsync("bob's write -> alice", () => Scenario.UntilAsync(alice, t => t.Any(x => x.Id == sunscreen && x.Completed == 1), ct), shared);

    // 4. Bob writes to a list that is not his: the backend rejects it (2xx), the server's state wins.
    var rejected = Stopwatch.StartNew();
    var sneaky = await bob.AddTodoAsync("groceries", "Eat alice's cake", ct);
    await timings.MeasureAsync("rejected write reverted (bob)", async () =>
    {
        await Scenario.UploadedAsync(bob, ct);
        await Scenario.UntilAsync(bob, t => t.All(x => x.Id != sneaky), ct);
    }, rejected);
    Console.WriteLine($"Backend rejections seen by bob: {string.Join("; ", bob.Rejections)}");

    await Scenario.PrintAsync("At the end", [alice, bob, carol], ct);
    var pg = await db.ScalarAsync<long>("SELECT count(*) FROM todos", ct);
    var aliceTodos = (await alice.TodosAsync(ct)).Count;
    Console.WriteLine($"Postgres has {pg} todos; alice sees {aliceTodos} (her lists and the shared one), carol sees {(await carol.TodosAsync(ct)).Count}.");
    foreach (var user in new[] { alice, bob, carol })
    {
        if (await Scenario.ConvergedAsync(db, user, ct) is { } difference)
        {
            Console.Error.WriteLine($"{user.UserId}'s client differs from Postgres: {difference}");
            exitCode = 1;
        }
    }
    if (exitCode == 0) Console.WriteLine("Every client holds exactly the todos Postgres and the sync rules give its user.");

    if (interactive)
    {
        Console.WriteLine($"Backend keeps running at {backend} — try: dotnet run --project samples/TodoClient -- {backend} alice   (Ctrl+C to stop)");
        await Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
catch (OperationCanceledException) when (!interactive)
{
    Console.Error.WriteLine(app.Lifetime.ApplicationStopping.IsCancellationRequested ? "The demo was stopped." : "The demo did not finish within two minutes.");
    exitCode = 1;
}
finally
{
    await app.StopAsync(CancellationToken.None);
    await app.DisposeAsync();
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
}

timings.Print();
return exitCode;
