using System.Diagnostics.Metrics;

namespace PowerSync.Client.Sync;

/// <summary>The client's instruments, on the <c>PowerSync.Client</c> meter (docs/client.md, "Metrics").</summary>
internal sealed class ClientMetrics
{
    /// <summary>Bucket boundaries (seconds) for upload latencies: a fast backend to a slow one.</summary>
    private static readonly double[] LatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    /// <summary>The instruments on the process-wide meter, for databases opened without a meter factory.</summary>
    private static readonly Lazy<ClientMetrics> Shared = new(() => new ClientMetrics(new Meter(PowerSyncClientTelemetry.MeterName)));

    private ClientMetrics(Meter meter)
    {
        StreamsConnected = meter.CreateCounter<long>("powersync.client.sync.connects",
            description: "Sync streams that connected (the service sent their first line).");
        StreamFailures = meter.CreateCounter<long>("powersync.client.sync.failures",
            description: "Sync streams that failed, and checkpoints whose checksums did not match, by error code; each is retried.");
        CheckpointsApplied = meter.CreateCounter<long>("powersync.client.checkpoints_applied",
            description: "Checkpoints applied to the local tables (tag partial: a priority's partial checkpoint).");
        OperationsDownloaded = meter.CreateCounter<long>("powersync.client.operations_downloaded",
            description: "Bucket operations received and saved to the local op log.");
        UploadDuration = meter.CreateHistogram("powersync.client.upload.duration", "s",
            "Calls of the connector's UploadDataAsync that returned (each uploads one transaction or batch).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        UploadFailures = meter.CreateCounter<long>("powersync.client.upload.failures",
            description: "Upload attempts that failed, by error code; each is retried after the backoff delay.");
    }

    /// <summary>
    /// The instruments on <paramref name="factory"/>'s <c>PowerSync.Client</c> meter (which the factory owns and
    /// disposes), or on the process-wide meter without one.
    /// </summary>
    public static ClientMetrics For(IMeterFactory? factory) =>
        factory is null ? Shared.Value : new ClientMetrics(factory.Create(PowerSyncClientTelemetry.MeterName));

    public Counter<long> StreamsConnected { get; }
    public Counter<long> StreamFailures { get; }
    public Counter<long> CheckpointsApplied { get; }
    public Counter<long> OperationsDownloaded { get; }
    public Histogram<double> UploadDuration { get; }
    public Counter<long> UploadFailures { get; }

    /// <summary>A failure with its code as the <c>code</c> tag.</summary>
    public static KeyValuePair<string, object?> Code(string code) => new("code", code);
}
