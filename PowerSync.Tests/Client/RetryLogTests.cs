using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Tests.Infrastructure;
using static PowerSync.Tests.Client.SyncLines;

namespace PowerSync.Tests.Client;

/// <summary>
/// A client that cannot reach its service or its backend says so in the app's log: one Warning line per
/// attempt with the code and the retry, the exception behind it once at Debug (not only in the status).
/// </summary>
public sealed class RetryLogTests
{
    private ClientTestContext _ctx = null!;
    private ListLogger _log = null!;

    [SetUp]
    public void SetUp()
    {
        _ctx = new ClientTestContext();
        _log = new ListLogger();
    }

    [TearDown]
    public async Task TearDown() => await _ctx.DisposeAsync();

    private Task<PowerSyncDatabase> OpenAsync() => PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions
    {
        DatabasePath = _ctx.DatabasePath,
        Schema = SyncHarness.TestSchema,
        Logger = _log,
    });

    [Test]
    public async Task A_service_that_cannot_be_reached_logs_a_warning_per_reconnect_and_the_exception_once_at_debug()
    {
        await using var db = await OpenAsync();
        var nothingListens = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}/");

        await db.ConnectAsync(new TestConnector(nothingListens), SyncHarness.Options);
        await Eventually.HoldsAsync(() => Task.FromResult(_log.Entries.Count(e => e.EventId == 9102)), n => n >= 3,
            TimeSpan.FromSeconds(30), "three reconnects were logged");
        await db.DisconnectAsync();

        var warnings = _log.Entries.Where(e => e.EventId == 9102).Take(3).ToList();
        Assert.That(warnings.Select(e => e.Level), Is.All.EqualTo(LogLevel.Warning));
        for (var attempt = 1; attempt <= 3; attempt++)
            Assert.That(warnings[attempt - 1].Message, Does.Match($@"^The sync stream failed \({ClientErrorCodes.SyncHttpError}: .+\); reconnecting in [0-9:.]+ \(attempt {attempt}\)$"));
        Assert.That(_log.Exceptions.Select(e => (e.Level, e.EventId)), Is.EqualTo(new[] { (LogLevel.Debug, 9104) }));
    }

    [Test]
    public async Task A_failing_upload_logs_a_warning_per_attempt_with_the_connectors_error_and_its_exception_once()
    {
        await using var server = new LoopbackSyncServer();
        await using var db = await OpenAsync();
        var connector = new TestConnector(server.Endpoint);
        var attempts = 0;
        connector.Upload = async (database, ct) =>
        {
            if (Interlocked.Increment(ref attempts) <= 3) throw new HttpRequestException("backend down");
            await connector.UploadNextAsync(database, ct);
        };
        await db.ConnectAsync(connector, SyncHarness.Options);
        var stream = await server.NextStreamAsync();
        stream.Send(Checkpoint(0, null, Bucket("a", 0, 0)), Complete(0));
        await Eventually.WithTimeout(db.WaitForFirstSyncAsync(), "the first sync");

        await db.ExecuteAsync("INSERT INTO test(id, description) VALUES('x', 'once')");
        await Eventually.UntilAsync(db, "SELECT count(*) FROM ps_crud", n => n == 0, "the retried upload to drain the queue");
        await db.DisconnectAsync();

        Assert.That(_log.Entries.Where(e => e.EventId == 9103).Select(e => (e.Level, e.Message)), Is.EqualTo(
            Enumerable.Range(1, 3).Select(attempt => (LogLevel.Warning, $"Uploading local changes failed (HttpRequestException: backend down); retrying in PLACEHOLDER (attempt {attempt})")))
            .Using<(LogLevel Level, string Message)>((a, b) => a.Level == b.Level && System.Text.RegularExpressions.Regex.Replace(a.Message, @"retrying in [0-9:.]+ ", "retrying in PLACEHOLDER ") == b.Message));
        Assert.That(_log.Exceptions.Select(e => (e.Level, e.EventId)), Is.EqualTo(new[] { (LogLevel.Debug, 9104) }));
    }
}
