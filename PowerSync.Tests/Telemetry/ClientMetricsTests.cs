using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Tests.Client;
using static PowerSync.Tests.Client.SyncLines;

namespace PowerSync.Tests.Telemetry;

/// <summary>
/// The client's instruments (<c>PowerSync.Client</c> meter), through a <see cref="System.Diagnostics.Metrics.MeterListener"/>
/// on the meter factory the database was opened with, against a scripted sync service over loopback HTTP.
/// </summary>
public sealed class ClientMetricsTests
{
    private ClientTestContext _context = null!;
    private LoopbackSyncServer _server = null!;
    private MetricRecorder _metrics = null!;
    private PowerSyncDatabase _db = null!;
    private TestConnector _connector = null!;

    [SetUp]
    public async Task OpenAsync()
    {
        _context = new ClientTestContext();
        _server = new LoopbackSyncServer();
        _metrics = new MetricRecorder();
        _db = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions
        {
            DatabasePath = _context.DatabasePath,
            Schema = SyncHarness.TestSchema,
            MeterFactory = _metrics.Factory,
        });
        _connector = new TestConnector(_server.Endpoint);
    }

    [TearDown]
    public async Task CloseAsync()
    {
        await _db.DisposeAsync();
        await _server.DisposeAsync();
        _metrics.Dispose();
        await _context.DisposeAsync();
    }

    [Test]
    public async Task A_connection_the_operations_it_downloads_and_the_checkpoints_it_applies_are_counted()
    {
        await _db.ConnectAsync(_connector, SyncHarness.Options);
        var stream = await _server.NextStreamAsync();
        Op[] ops = [Put(1, "t1", """{"description":"one"}"""), Put(2, "t2", """{"description":"two"}""")];
        stream.Send(Checkpoint(2, null, Bucket("b0[]", Sum(ops[0]), 1, priority: 0), Bucket("b1[]", Sum(ops[1]), 1)),
            Data("b0[]", ops[0]), Partial(2, 0), Data("b1[]", ops[1]), Complete(2));
        await Eventually.WithTimeout(_db.WaitForFirstSyncAsync(), "the first sync");

        Assert.That(_metrics.Sum("powersync.client.sync.connects"), Is.EqualTo(1));
        Assert.That(_metrics.Sum("powersync.client.operations_downloaded"), Is.EqualTo(2));
        var applied = _metrics.Of("powersync.client.checkpoints_applied");
        Assert.That(applied.Select(a => a.Tags["partial"]), Is.EqualTo(new object[] { true, false }), "priority 0 first, then the whole checkpoint");
        Assert.That(_metrics.Of("powersync.client.sync.failures"), Is.Empty);
    }

    [Test]
    public async Task Failed_streams_and_checksum_mismatches_are_counted_by_code()
    {
        _server.FailNextStreams(1);
        await _db.ConnectAsync(_connector, SyncHarness.Options);
        var stream = await _server.NextStreamAsync();
        Assert.That(_metrics.Of("powersync.client.sync.failures").Select(f => f.Tags["code"]), Is.EqualTo(new[] { ClientErrorCodes.SyncHttpError }),
            "the scripted HTTP 500, retried");

        var op = Put(1, "t1", """{"description":"one"}""");
        stream.Send(Checkpoint(1, null, Bucket("b[]", Sum(op) + 1, 1)), Data("b[]", op), Complete(1));
        await Eventually.WithTimeout(_server.NextStreamAsync(), "the client to reconnect after the checksum mismatch");

        Assert.That(_metrics.Of("powersync.client.sync.failures").Select(f => f.Tags["code"]),
            Is.EqualTo(new[] { ClientErrorCodes.SyncHttpError, ClientErrorCodes.ChecksumMismatch }));
        Assert.That(_metrics.Of("powersync.client.checkpoints_applied"), Is.Empty, "nothing was applied");
        Assert.That(_metrics.Sum("powersync.client.sync.connects"), Is.EqualTo(1), "the second stream sent no line yet");
    }

    [Test]
    public async Task Each_upload_is_timed_and_a_failed_one_is_counted_by_code()
    {
        var attempts = 0;
        _connector.Upload = async (db, ct) =>
        {
            if (Interlocked.Increment(ref attempts) == 1) throw new InvalidOperationException("backend down");
            await _connector.UploadNextAsync(db, ct);
        };
        await _db.ConnectAsync(_connector, SyncHarness.Options);
        await _db.ExecuteAsync("INSERT INTO test (id, description) VALUES ('t1', 'local')");
        await Eventually.UntilAsync(_db, "SELECT count(*) FROM ps_crud", n => n == 0, "the upload to go through after one failure");

        Assert.That(_metrics.Of("powersync.client.upload.failures").Select(f => f.Tags["code"]), Is.EqualTo(new[] { nameof(InvalidOperationException) }));
        var durations = _metrics.Of("powersync.client.upload.duration");
        Assert.That(durations, Has.Count.EqualTo(1), "only the call that returned is timed");
        Assert.That(durations[0].Value, Is.GreaterThan(0.0).And.LessThan(15.0));
    }

    [Test]
    public async Task Without_a_meter_factory_the_instruments_are_on_one_shared_meter()
    {
        await using var shared = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions
        {
            DatabasePath = Path.Combine(_context.Folder, "shared.db"),
            Schema = SyncHarness.TestSchema,
        });
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        var meters = new List<System.Diagnostics.Metrics.Meter>();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == PowerSyncClientTelemetry.MeterName && instrument.Meter.Scope is null) lock (meters) meters.Add(instrument.Meter);
        };
        listener.Start();
        Assert.That(meters.Distinct().Count(), Is.EqualTo(1), "one process-wide meter");
        Assert.That(meters, Has.Count.EqualTo(_metrics.Instruments.Count), "with the same instruments as a factory's");
    }
}
