using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using PowerSync.Core;
using PowerSync.Core.Hosting;
using PowerSync.Core.Protocol;
using PowerSync.Core.Replication;
using PowerSync.Core.Storage;

namespace PowerSync.Benchmarks.Micro;

/// <summary>
/// What tracing and the histograms cost per storage commit, per checkpoint sent and per line sent, with nobody
/// listening (the default: it should be a few nanoseconds and no allocation) and with a listener sampling every
/// activity and recording every instrument.
/// </summary>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private static readonly Checkpoint Checkpoint = new(1, new OpId(1000), new Lsn(0x16_B374D848UL));
    private static readonly SyncLine Data = new DataLine(new BucketDataPage("global[]", new OpId(999), [], HasMore: false));
    private static readonly SyncLine Complete = new CheckpointCompleteLine(new OpId(1000));

    private ActivityListener? _activities;
    private MeterListener? _meters;
    private ReplicationMetrics _replication = null!;
    private SyncMetrics _sync = null!;
    private CommitTelemetry _commits = null!;
    private SyncStreamBytes _streamBytes = null!;
    private SyncSessionTrace? _stream;

    [Params(false, true)]
    public bool Listening { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _replication = new ReplicationMetrics(null, () => null, () => 0);
        _sync = new SyncMetrics();
        _commits = new CommitTelemetry(_replication, 1, "powersync_1_abcd");
        _streamBytes = new SyncStreamBytes(_sync);
        if (!Listening) return;
        _activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == PowerSyncTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener { InstrumentPublished = (i, l) => { if (i.Meter.Name.StartsWith("PowerSync", StringComparison.Ordinal)) l.EnableMeasurementEvents(i); } };
        _meters.SetMeasurementEventCallback<long>((_, _, _, _) => { });
        _meters.SetMeasurementEventCallback<double>((_, _, _, _) => { });
        _meters.Start();
        _stream = SyncSessionTrace.Start("user-1", "client-1");
        _stream?.CheckpointStarted(Checkpoint, default, "checkpoint", 1, 1, DateTimeOffset.UtcNow);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stream?.Dispose();
        _activities?.Dispose();
        _meters?.Dispose();
        _replication.Dispose();
        _sync.Dispose();
    }

    /// <summary>One storage commit as replication reports it: started, made, durable, visible.</summary>
    [Benchmark]
    public void StorageCommit()
    {
        var commit = _commits.StartCommit(Checkpoint.Lsn, TimeSpan.FromMilliseconds(5), 3, 12);
        if (commit is null) return;
        commit.Made(12, 2, Checkpoint);
        commit.Durable();
        commit.Visible();
    }

    /// <summary>
    /// One data line of a long download: the byte counts, and the trace of an open checkpoint (none while nobody
    /// listens; past its first data lines, which are events, only counted).
    /// </summary>
    [Benchmark]
    public void DataLineSent()
    {
        _streamBytes.LineSent(Data, 240);
        _stream?.LineSent(Data, 240);
    }

    /// <summary>One stream sending one checkpoint of a data line: the session and checkpoint activities, the byte histograms.</summary>
    [Benchmark]
    public void CheckpointSent()
    {
        var bytes = new SyncStreamBytes(_sync);
        using var trace = SyncSessionTrace.Start("user-1", "client-1");
        trace?.CheckpointStarted(Checkpoint, default, "checkpoint_diff", 3, 1, DateTimeOffset.UtcNow);
        bytes.LineSent(Data, 240);
        trace?.LineSent(Data, 240);
        bytes.LineSent(Complete, 40);
        trace?.LineSent(Complete, 40);
        trace?.CheckpointEnded(complete: true);
        bytes.Ended();
    }
}
