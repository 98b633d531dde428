using System.Diagnostics.Metrics;

namespace PowerSync.Core.Hosting;

/// <summary>The sync API's instruments, on the <c>PowerSync</c> meter.</summary>
internal sealed class SyncMetrics : IDisposable
{
    public const string MeterName = "PowerSync";

    private readonly Meter _meter;

    public SyncMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        Connections = _meter.CreateUpDownCounter<long>("powersync.sync.connections", description: "Open sync streams.");
        OperationsSent = _meter.CreateCounter<long>("powersync.sync.operations_sent", description: "Bucket operations sent to clients.");
        BytesSent = _meter.CreateCounter<long>("powersync.sync.bytes_sent", "By", "Sync stream bytes before compression.");
        Rejected = _meter.CreateCounter<long>("powersync.sync.requests_rejected", description: "Sync requests refused, by error code.");
    }

    public UpDownCounter<long> Connections { get; }
    public Counter<long> OperationsSent { get; }
    public Counter<long> BytesSent { get; }
    public Counter<long> Rejected { get; }

    public void Dispose() => _meter.Dispose();
}
