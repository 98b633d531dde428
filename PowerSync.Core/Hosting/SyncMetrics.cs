using System.Diagnostics.Metrics;

namespace PowerSync.Core.Hosting;

/// <summary>The sync API's instruments, on the <c>PowerSync</c> meter (docs/operations.md, "Metrics").</summary>
internal sealed class SyncMetrics : IDisposable
{
    public const string MeterName = PowerSyncTelemetry.SyncMeterName;

    /// <summary>Bucket boundaries (bytes) for download sizes: a few control lines up to a gigabyte.</summary>
    private static readonly long[] SizeBuckets = [256, 1024, 4096, 16384, 65536, 262144, 1 << 20, 4 << 20, 16 << 20, 64 << 20, 256 << 20, 1 << 30];

    private readonly Meter _meter;

    public SyncMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        Connections = _meter.CreateUpDownCounter<long>("powersync.sync.connections", description: "Open sync streams.");
        OperationsSent = _meter.CreateCounter<long>("powersync.sync.operations_sent", description: "Bucket operations sent to clients.");
        BytesSent = _meter.CreateCounter<long>("powersync.sync.bytes_sent", "By", "Sync stream bytes before compression.");
        Rejected = _meter.CreateCounter<long>("powersync.sync.requests_rejected", description: "Sync requests refused, by error code.");
        SessionBytes = _meter.CreateHistogram("powersync.sync.session.bytes", "By",
            "Bytes one sync stream sent (before compression), recorded when it ends.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = SizeBuckets });
        CheckpointBytes = _meter.CreateHistogram("powersync.sync.checkpoint.bytes", "By",
            "Bytes sent for one checkpoint to one client (before compression): its checkpoint line, data and completion lines.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = SizeBuckets });
    }

    public UpDownCounter<long> Connections { get; }
    public Counter<long> OperationsSent { get; }
    public Counter<long> BytesSent { get; }
    public Counter<long> Rejected { get; }
    public Histogram<long> SessionBytes { get; }
    public Histogram<long> CheckpointBytes { get; }

    public void Dispose() => _meter.Dispose();
}
