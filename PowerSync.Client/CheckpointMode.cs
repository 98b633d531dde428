namespace PowerSync.Client;

/// <summary>
/// How the client learns that the service has its uploaded writes, so downloaded checkpoints can be
/// applied again (see <see cref="PowerSyncConnectionOptions.CheckpointMode"/>).
/// </summary>
public enum CheckpointMode
{
    /// <summary>
    /// Checkpoint requests (PowerSync service 1.24 and later): after an upload the client posts its own
    /// next id to <c>POST /sync/checkpoint-request</c>, confirms its counter with the service on each
    /// connection, and posts an id again while the stream has not acknowledged it. A service that lost
    /// its record of the client gets it back, so the client cannot stay blocked. A service without the
    /// route (HTTP 404) makes the connection fall back to <see cref="Legacy"/>, with a warning in the log.
    /// </summary>
    Requests,

    /// <summary>
    /// Legacy write checkpoints: after an upload the service generates the id
    /// (<c>GET /write-checkpoint2.json</c>). Every service version serves it, but a service that forgot
    /// the client's ids (e.g. its storage was reset) never reaches the client's target again, and
    /// downloads stay held back while local writes exist (powersync.dart#464, service#696).
    /// </summary>
    Legacy,
}
