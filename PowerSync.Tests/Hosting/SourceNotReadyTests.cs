using NUnit.Framework;
using PowerSync.Core.Replication;
using PowerSync.Tests.Infrastructure;

namespace PowerSync.Tests.Hosting;

/// <summary>
/// A source database that is not ready for replication when the app starts (docs/getting-started.md, "Start-up"):
/// the app still starts, health says why with the code, and replication begins by itself once the database is fixed.
/// </summary>
public sealed class SourceNotReadyTests
{
    [Test]
    public async Task A_missing_publication_at_start_is_degraded_health_with_its_code_and_replication_begins_once_it_exists_without_a_restart()
    {
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE items (id text PRIMARY KEY, name text); INSERT INTO items VALUES ('i1', 'first');");
        await using var app = await LoopbackHost.StartPowerSyncAsync(db.ConnectionString, ReplicationHealthTests.Rules);
        var client = app.Client;

        await Eventually.HoldsAsync(() => ReplicationHealthTests.Health.ReadAsync(client), h => h.Text("last_error_code") is not null,
            TimeSpan.FromSeconds(30), "replication fails");
        var failing = await ReplicationHealthTests.Health.ReadAsync(client);
        await db.ExecuteAsync("CREATE PUBLICATION powersync FOR TABLE items");
        var recovery = await Eventually.HoldsAsync(() => ReplicationHealthTests.Health.ReadAsync(client), h => h.Status == "Healthy",
            TimeSpan.FromSeconds(30), "replication starts once the publication exists");

        TestContext.Progress.WriteLine($"Healthy {recovery.TotalSeconds:0.0} s after the publication was created");
        Assert.That(failing.Status, Is.EqualTo("Degraded"));
        Assert.That(failing.Text("last_error_code"), Is.EqualTo(ReplicationErrorCodes.SourceNotReady));
        Assert.That(failing.Description, Does.Contain(ReplicationErrorCodes.PublicationMissing), "the summary lists each problem with its code");
    }
}
