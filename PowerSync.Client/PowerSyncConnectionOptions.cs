using System.Text.Json.Nodes;

namespace PowerSync.Client;

/// <summary>Options of <see cref="PowerSyncDatabase.ConnectAsync"/>, validated when connecting.</summary>
public sealed record PowerSyncConnectionOptions
{
    /// <summary>Client parameters sent with the sync request (available to sync rules as <c>request.parameters()</c>).</summary>
    public IReadOnlyDictionary<string, object?>? Parameters { get; init; }

    /// <summary>
    /// The app's metadata sent with the sync request (<c>app_metadata</c>), e.g. <c>["app_version"] = "1.4.2"</c>: the
    /// service logs it with the connection, which tells which app builds are still syncing. Not available to sync rules.
    /// </summary>
    public IReadOnlyDictionary<string, string>? AppMetadata { get; init; }

    /// <summary>First delay before reconnecting or retrying an upload; doubled per failure in a row, back to this after a successful upload (default 1 s).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest reconnect/retry delay (default 60 s).</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Minimum time between two upload rounds (default 1 s; zero uploads at once).</summary>
    public TimeSpan CrudUploadThrottle { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The stream is considered dead when no line arrives for this long (default 60 s; the service sends keepalives every ~20 s).</summary>
    public TimeSpan StreamIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How uploaded writes are acknowledged before downloads apply again (default
    /// <see cref="Client.CheckpointMode.Requests"/>, falling back to legacy when the service lacks the route).
    /// </summary>
    public CheckpointMode CheckpointMode { get; init; } = CheckpointMode.Requests;

    /// <summary>
    /// In requests mode, how long a checkpoint request may stay unacknowledged by the stream before it is
    /// posted again (default and minimum 10 s; each post is a no-op for the service when it has the id).
    /// </summary>
    public TimeSpan CheckpointRequestRetryDelay { get; init; } = MinCheckpointRequestRetryDelay;

    internal static readonly TimeSpan MinCheckpointRequestRetryDelay = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether the service also syncs the default streams (<c>auto_subscribe: true</c>, and bucket definitions) besides
    /// the streams subscribed to with <see cref="SyncStream.SubscribeAsync"/> (default true; <c>include_defaults</c>).
    /// </summary>
    public bool IncludeDefaultStreams { get; init; } = true;

    internal JsonObject ParametersJson() => ToJson(Parameters ?? new Dictionary<string, object?>());

    /// <summary>Parameters as a JSON object (values through System.Text.Json).</summary>
    internal static JsonObject ToJson(IReadOnlyDictionary<string, object?> parameters)
    {
        var json = new JsonObject();
        foreach (var (key, value) in parameters)
            json[key] = value is null ? null : JsonValue.Create(value);
        return json;
    }

    internal void Validate()
    {
        var errors = new List<string>();
        if (RetryDelay <= TimeSpan.Zero) errors.Add("RetryDelay must be positive.");
        if (MaxRetryDelay < RetryDelay) errors.Add("MaxRetryDelay must be at least RetryDelay.");
        if (CrudUploadThrottle < TimeSpan.Zero) errors.Add("CrudUploadThrottle must not be negative.");
        if (StreamIdleTimeout <= TimeSpan.Zero) errors.Add("StreamIdleTimeout must be positive.");
        if (!Enum.IsDefined(CheckpointMode)) errors.Add($"CheckpointMode {(int)CheckpointMode} is not a CheckpointMode: use Requests or Legacy.");
        if (CheckpointRequestRetryDelay < MinCheckpointRequestRetryDelay)
            errors.Add($"CheckpointRequestRetryDelay is {CheckpointRequestRetryDelay}: use at least {MinCheckpointRequestRetryDelay} (every post also makes the source database write a marker).");
        foreach (var (key, value) in AppMetadata ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrWhiteSpace(key)) errors.Add("AppMetadata has an empty key.");
            else if (value is null) errors.Add($"AppMetadata['{key}'] is null; use an empty string or leave the key out.");
        }

        if (errors.Count > 0)
            throw new PowerSyncClientException(ClientErrorCodes.InvalidOptions, "Invalid PowerSyncConnectionOptions:\n- " + string.Join("\n- ", errors));
    }
}
