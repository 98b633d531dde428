namespace PowerSync.Core.Hosting;

/// <summary>What one app instance does (see <see cref="PowerSyncOptions.Role"/>).</summary>
public enum PowerSyncInstanceRole
{
    /// <summary>Serves sync clients and replicates the source (with a shared store: stands by while another instance replicates).</summary>
    ServeAndReplicate,

    /// <summary>Serves sync clients from the shared store; never replicates.</summary>
    ServeOnly,

    /// <summary>Replicates the source into the shared store (or stands by to); its sync endpoints refuse clients (HTTP 503, PSYNC_N2405).</summary>
    ReplicateOnly,
}
