namespace PowerSync.Client;

/// <summary>
/// The meter to subscribe to for the client's metrics, e.g. with OpenTelemetry:
/// <c>.WithMetrics(m =&gt; m.AddMeter(PowerSyncClientTelemetry.MeterName))</c>. docs/client.md lists every instrument.
/// The meter comes from <see cref="PowerSyncDatabaseOptions.MeterFactory"/> when one is set, else it is one meter
/// shared by every database of the process.
/// </summary>
public static class PowerSyncClientTelemetry
{
    /// <summary>The name of the client's meter.</summary>
    public const string MeterName = "PowerSync.Client";
}
