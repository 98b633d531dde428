using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Client.Status;
using static PowerSync.Tests.Client.SyncLines;

namespace PowerSync.Tests.Client;

/// <summary>
/// The sync API the official SDKs have too, against the scripted service: "sync now" (RequestCheckpointAsync), the
/// app's metadata in the request, progress per priority, waits that end on errors waiting cannot fix, and rows of a
/// table the schema lacks.
/// </summary>
[TestFixture]
public sealed class SyncApiTests : ScriptedServiceTests
{
    private async Task<ScriptedStream> SyncedEmptyAsync(PowerSyncConnectionOptions? options = null)
    {
        var stream = await Harness.ConnectAsync(options);
        stream.Send(Checkpoint(0, null, Bucket("a", 0, 0)), Complete(0));
        await Eventually.WithTimeout(Harness.Db.WaitForFirstSyncAsync(), "the first sync");
        return stream;
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    [Test]
    public async Task RequestCheckpointAsync_completes_once_a_checkpoint_with_its_request_is_applied_not_before()
    {
        Harness.Server.ServeCheckpointRequests = true;
        var stream = await Harness.ConnectAsync();
        var seeded = await Harness.Server.NextCheckpointRequestAsync();   // the connection confirms its counter
        stream.Send(Checkpoint(0, null, Bucket("a", 0, 0)), Complete(0));
        await Eventually.WithTimeout(Harness.Db.WaitForFirstSyncAsync(), "the first sync");

        var requesting = Harness.Db.RequestCheckpointAsync();
        var (clientId, id) = await Harness.Server.NextCheckpointRequestAsync();
        Assert.That(clientId, Is.EqualTo(await Harness.Db.GetClientIdAsync()));
        Assert.That(id, Is.GreaterThan(seeded.Id), "a new request id");

        var t1 = Put(1, "t1", """{"id":"t1","description":"before the request"}""");
        stream.Send(Diff(1, Id(id - 1), [Bucket("a", Sum(t1), 1)]), Data("a", t1), Complete(1));
        await Eventually.UntilAsync(Harness.Db, "SELECT count(*) FROM test", n => n == 1, "the earlier checkpoint to apply");
        Assert.That(requesting.IsCompleted, Is.False, "a checkpoint before the request does not complete it");

        var t2 = Put(2, "t2", """{"id":"t2","description":"as of the request"}""");
        stream.Send(Diff(2, Id(id), [Bucket("a", Sum(t1, t2), 2)]), Data("a", t2), Complete(2));
        await Eventually.WithTimeout(requesting, "the requested checkpoint");
        Assert.That(await Harness.RowsAsync(), Is.EqualTo(new[] { ("t1", (string?)"before the request"), ("t2", "as of the request") }), "applied when it completes");
    }

    [Test]
    public async Task RequestCheckpointAsync_after_an_upload_completes_with_the_services_version_of_the_write()
    {
        var stream = await SyncedEmptyAsync();   // legacy write checkpoints: the scripted service has no checkpoint requests
        Harness.Server.WriteCheckpoint = 5;
        await Harness.Db.ExecuteAsync("INSERT INTO test(id, description) VALUES('mine', 'local')");
        await Eventually.UntilAsync(Harness.Db, "SELECT count(*) FROM ps_crud", n => n == 0, "the upload");
        Assert.That(Harness.Connector.Uploaded.Single().Entries.Single().Id, Is.EqualTo("mine"));

        Harness.Server.WriteCheckpoint = 6;
        var requesting = Harness.Db.RequestCheckpointAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(Harness.Server.WriteCheckpointRequests.Count), n => n == 2, Eventually.Timeout, "the request's write checkpoint to be fetched");
        var mine = Put(1, "mine", """{"id":"mine","description":"as the backend stored it"}""");
        stream.Send(Diff(1, "6", [Bucket("a", Sum(mine), 1)]), Data("a", mine), Complete(1));

        await Eventually.WithTimeout(requesting, "the requested checkpoint");
        Assert.That(await Harness.RowsAsync(), Is.EqualTo(new[] { ("mine", (string?)"as the backend stored it") }));
    }

    [Test]
    public async Task RequestCheckpointAsync_needs_a_connection_and_fails_when_disconnected_before_the_checkpoint()
    {
        var unconnected = Assert.ThrowsAsync<PowerSyncClientException>(() => Harness.Db.RequestCheckpointAsync());
        Assert.That(unconnected!.Code, Is.EqualTo(ClientErrorCodes.InvalidState));
        Assert.That(unconnected.Message, Does.Contain("ConnectAsync"));

        await SyncedEmptyAsync();
        Harness.Server.WriteCheckpoint = 3;
        var requesting = Harness.Db.RequestCheckpointAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(Harness.Server.WriteCheckpointRequests.Count), n => n == 1, Eventually.Timeout, "the write checkpoint to be fetched");
        await Harness.Db.DisconnectAsync();

        var disconnected = Assert.ThrowsAsync<PowerSyncClientException>(() => Eventually.WithTimeout(requesting, "the request to end"));
        Assert.That(disconnected!.Code, Is.EqualTo(ClientErrorCodes.InvalidState));
        Assert.That(disconnected.Message, Does.StartWith("Disconnected before").And.EndWith("connect again and request a new checkpoint."));
    }

    [Test]
    public async Task The_sync_request_carries_the_apps_metadata_when_given()
    {
        var stream = await Harness.ConnectAsync(SyncHarness.Options with { AppMetadata = new Dictionary<string, string> { ["app_version"] = "1.4.2", ["platform"] = "maui" } });

        var metadata = stream.Request.GetProperty("app_metadata");
        Assert.That(metadata.GetProperty("app_version").GetString(), Is.EqualTo("1.4.2"));
        Assert.That(metadata.GetProperty("platform").GetString(), Is.EqualTo("maui"));

        await Harness.Db.ConnectAsync(Harness.Connector, SyncHarness.Options);
        var without = await Harness.Server.NextStreamAsync();
        Assert.That(without.Request.TryGetProperty("app_metadata", out _), Is.False);

        var invalid = Assert.ThrowsAsync<PowerSyncClientException>(() => Harness.Db.ConnectAsync(Harness.Connector, SyncHarness.Options with { AppMetadata = new Dictionary<string, string> { [" "] = "x" } }));
        Assert.That(invalid!.Code, Is.EqualTo(ClientErrorCodes.InvalidOptions));
        Assert.That(invalid.Message, Does.Contain("AppMetadata has an empty key"));
    }

    [Test]
    public async Task Download_progress_is_reported_per_priority()
    {
        var stream = await Harness.ConnectAsync();
        var h1 = Put(1, "h1", """{"id":"h1","description":"high"}""");
        var h2 = Put(2, "h2", """{"id":"h2","description":"high"}""");
        var l1 = Put(3, "l1", """{"id":"l1","description":"low"}""");
        stream.Send(
            Checkpoint(5, null, Bucket("high", Sum(h1, h2), 2, priority: 1), Bucket("low", Sum(l1), 3, priority: 3)),
            Data("high", h1, h2), Data("low", l1));

        var status = await Eventually.WithTimeout(Harness.Db.WaitForStatusAsync(s => s.DownloadProgress is { DownloadedOperations: 3 }), "three ops downloaded");
        var progress = status.DownloadProgress!;
        Assert.That((progress.DownloadedOperations, progress.TotalOperations), Is.EqualTo((3, 5)));
        Assert.That((progress.UntilPriority(1).DownloadedOperations, progress.UntilPriority(1).TotalOperations), Is.EqualTo((2, 2)));
        Assert.That(progress.UntilPriority(1).DownloadedFraction, Is.EqualTo(1.0), "priority 1 is downloaded");
        Assert.That((progress.UntilPriority(0).DownloadedOperations, progress.UntilPriority(0).TotalOperations), Is.EqualTo((0, 0)));
        Assert.That((progress.UntilPriority(3).DownloadedOperations, progress.UntilPriority(3).TotalOperations), Is.EqualTo((3, 5)));
    }

    [Test]
    public async Task WaitForFirstSyncAsync_fails_when_the_service_refuses_a_token_just_fetched_and_sync_goes_on_retrying()
    {
        Harness.Server.RefuseStream = _ => 401;
        await Harness.Db.ConnectAsync(Harness.Connector, SyncHarness.Options);

        var error = Assert.ThrowsAsync<PowerSyncClientException>(() => Eventually.WithTimeout(Harness.Db.WaitForFirstSyncAsync(), "the wait to fail"));
        Assert.That(error!.Code, Is.EqualTo(ClientErrorCodes.Unauthorized));
        Assert.That(error.Message, Does.StartWith("WaitForFirstSyncAsync stopped waiting: The sync service answered 401"));
        Assert.That(error.InnerException, Is.TypeOf<PowerSyncClientException>().With.Property("Code").EqualTo(ClientErrorCodes.Unauthorized), "the status's error");

        Harness.Server.RefuseStream = null;
        var stream = await Harness.Server.NextStreamAsync();
        stream.Send(Checkpoint(0, null, Bucket("a", 0, 0)), Complete(0));
        var synced = await Eventually.WithTimeout(Harness.Db.WaitForStatusAsync(s => s.HasSynced == true), "the first sync once a token is accepted");
        Assert.That(synced.DownloadError, Is.Null, "cleared by the connection");
    }

    [Test]
    public async Task A_refused_token_fetched_earlier_is_fetched_again_at_once_without_an_error()
    {
        var stream = await SyncedEmptyAsync();
        var statuses = new ConcurrentQueue<SyncStatus>();
        Harness.Db.StatusChanged += (_, e) => statuses.Enqueue(e.Status);
        Harness.Server.RefuseStream = authorization => authorization == "Token token-1" ? 401 : null;

        stream.End();
        var next = await Harness.Server.NextStreamAsync();
        next.Send(Checkpoint(0, null, Bucket("a", 0, 0)), Complete(0));
        await Eventually.WithTimeout(Harness.Db.WaitForStatusAsync(s => s.Connected), "the reconnection");

        Assert.That(Harness.Connector.CredentialFetches, Is.EqualTo(2), "token-1 was refused, token-2 fetched");
        Assert.That(Harness.Server.AuthorizationHeaders, Does.Contain("Token token-2"));
        Assert.That(statuses.Select(s => s.DownloadError).OfType<Exception>(), Is.Empty, "an expired token is no error");
    }

    [Test]
    public async Task WaitForFirstSyncAsync_fails_when_the_connector_returns_no_credentials()
    {
        Harness.Connector.SignedIn = false;
        await Harness.Db.ConnectAsync(Harness.Connector, SyncHarness.Options);

        var error = Assert.ThrowsAsync<PowerSyncClientException>(() => Eventually.WithTimeout(Harness.Db.WaitForFirstSyncAsync(), "the wait to fail"));
        Assert.That(error!.Code, Is.EqualTo(ClientErrorCodes.Unauthorized));
        Assert.That(error.Message, Does.Contain("not signed in"));
    }

    [TestCase(404)]
    [TestCase(400)]
    [TestCase(403)]
    public async Task WaitForFirstSyncAsync_fails_when_the_service_rejects_the_request(int status)
    {
        Harness.Server.RefuseStream = _ => status;
        await Harness.Db.ConnectAsync(Harness.Connector, SyncHarness.Options);

        var error = Assert.ThrowsAsync<PowerSyncClientException>(() => Eventually.WithTimeout(Harness.Db.WaitForFirstSyncAsync(), "the wait to fail"));
        Assert.That(error!.Code, Is.EqualTo(ClientErrorCodes.SyncRequestRejected));
        Assert.That(error.Message, Does.Contain($"answered {status}"));
    }

    [Test]
    public async Task WaitForFirstSyncAsync_fails_when_the_endpoint_is_not_an_http_url()
    {
        Harness.Connector.Endpoint = new Uri("ftp://sync.example/powersync");
        await Harness.Db.ConnectAsync(Harness.Connector, SyncHarness.Options);

        var error = Assert.ThrowsAsync<PowerSyncClientException>(() => Eventually.WithTimeout(Harness.Db.WaitForFirstSyncAsync(), "the wait to fail"));
        Assert.That(error!.Code, Is.EqualTo(ClientErrorCodes.SyncRequestRejected));
        Assert.That(error.Message, Does.Contain("'ftp://sync.example/powersync', which is not an absolute http:// or https:// URL"));
    }

    [Test]
    public async Task WaitForFirstSyncAsync_waits_through_failures_that_retrying_fixes()
    {
        Harness.Server.FailNextStreams(2);
        await Harness.Db.ConnectAsync(Harness.Connector, SyncHarness.Options);
        var waiting = Harness.Db.WaitForFirstSyncAsync();

        var stream = await Harness.Server.NextStreamAsync();   // the third attempt
        Assert.That(Harness.Db.CurrentStatus.DownloadError, Is.TypeOf<PowerSyncClientException>().With.Property("Code").EqualTo(ClientErrorCodes.SyncHttpError));
        Assert.That(waiting.IsFaulted, Is.False, "HTTP 500 is transient");
        stream.Send(Checkpoint(0, null, Bucket("a", 0, 0)), Complete(0));
        await Eventually.WithTimeout(waiting, "the first sync");
    }

    [Test]
    public async Task Rows_of_a_table_the_schema_lacks_are_kept_aside_and_reported_once_as_a_warning()
    {
        var stream = await Harness.ConnectAsync();
        var n1 = Put(1, "n1", """{"id":"n1","body":"a"}""", type: "notes");
        stream.Send(Checkpoint(1, null, Bucket("a", Sum(n1), 1)), Data("a", n1), Complete(1));
        await Eventually.WithTimeout(Harness.Db.WaitForFirstSyncAsync(), "the first sync");
        var n2 = Put(2, "n2", """{"id":"n2","body":"b"}""", type: "notes");
        stream.Send(Diff(2, null, [Bucket("a", Sum(n1, n2), 2)]), Data("a", n2), Complete(2));
        await Eventually.UntilAsync(Harness.Db, "SELECT count(*) FROM ps_untyped WHERE type = 'notes'", n => n == 2, "the second row to be kept aside");

        var warnings = Log.Entries.Where(e => e.EventId == 9106).ToList();
        Assert.That(warnings, Has.Count.EqualTo(1), "once per table");
        Assert.That(warnings[0].Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(warnings[0].Message, Does.StartWith("The sync service sends rows of table 'notes', which the client schema has no synced table for"));
    }
}
