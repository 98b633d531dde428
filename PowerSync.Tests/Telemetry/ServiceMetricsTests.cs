using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using PowerSync.Tests.Hosting;

namespace PowerSync.Tests.Telemetry;

/// <summary>The service's histograms, recorded through a <see cref="MeterListener"/> on the app's meter factory while one change syncs.</summary>
public sealed class ServiceMetricsTests
{
    [Test]
    public async Task Commit_latency_checkpoint_delay_and_bytes_per_checkpoint_and_per_session_are_recorded_while_a_change_syncs()
    {
        await using var pgdb = await TestPostgres.CreateDatabaseAsync();
        await pgdb.ExecuteAsync(OneChange.SourceSchema);
        await using var app = await LoopbackHost.StartPowerSyncAsync(pgdb.ConnectionString, OneChange.Rules);
        using var metrics = new MetricRecorder(app.App.Services.GetRequiredService<IMeterFactory>());
        Assert.That(metrics.Instruments.Keys, Does.Contain("powersync.replication.commit.duration").And.Contain("powersync.sync.session.bytes"),
            "the service's instruments are on the app's meter factory");

        var commitsBefore = 0;
        await OneChange.RunAsync(app, pgdb, beforeChange: () => commitsBefore = metrics.Of("powersync.replication.commit.duration").Count);
        // The client is gone: once its stream ended, its bytes are recorded.
        await Eventually.HoldsAsync(() => Task.FromResult(metrics.Of("powersync.sync.session.bytes").Count), n => n > 0,
            TimeSpan.FromSeconds(30), "the client's stream ended and its bytes were recorded");

        var durations = metrics.Of("powersync.replication.commit.duration");
        var delays = metrics.Of("powersync.replication.checkpoint.delay");
        Assert.That(durations, Has.Count.GreaterThan(commitsBefore), "the change's storage commit was timed");
        Assert.That(durations.Select(d => d.Value), Has.All.GreaterThan(0.0).And.All.LessThan(30.0));
        Assert.That(delays, Is.Not.Empty, "checkpoints were broadcast");
        Assert.That(delays.Select(d => d.Value), Has.All.GreaterThan(0.0).And.All.LessThan(30.0));
        Assert.That(delays.Max(d => d.Value), Is.GreaterThanOrEqualTo(durations.Min(d => d.Value)), "a checkpoint is broadcast only after its commit is durable");

        // One stream: its bytes are everything sent; each checkpoint's bytes are a part of it.
        var sessions = metrics.Of("powersync.sync.session.bytes");
        Assert.That(sessions, Has.Count.EqualTo(1));
        Assert.That(sessions[0].Value, Is.EqualTo(metrics.Sum("powersync.sync.bytes_sent")).And.GreaterThan(0));
        var checkpoints = metrics.Of("powersync.sync.checkpoint.bytes");
        Assert.That(checkpoints, Has.Count.GreaterThanOrEqualTo(2), "the first checkpoint and the one with the row");
        Assert.That(checkpoints.Select(c => c.Value), Has.All.GreaterThan(0.0));
        Assert.That(checkpoints.Sum(c => c.Value), Is.LessThanOrEqualTo(sessions[0].Value));

        metrics.Observe();
        Assert.That(metrics.Of("powersync.replication.storage_commits")[^1].Value, Is.GreaterThanOrEqualTo(durations.Count),
            "every timed commit is counted");
    }
}
