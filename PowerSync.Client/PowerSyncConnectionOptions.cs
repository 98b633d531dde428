using System.Text.Json.Nodes;

namespace PowerSync.Client;

/// <summary>Options of <see cref="PowerSyncDatabase.ConnectAsync"/>, validated when connecting.</summary>
public sealed record PowerSyncConnectionOptions
{
    /// <summary>Client parameters sent with the sync request (available to sync rules as <c>request.parameters()</c>).</summary>
    public IReadOnlyDictionary<string, object?>? Parameters { get; init; }

    /// <summary>First delay before reconnecting or retrying an upload; doubled per failure (default 1 s).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest reconnect/retry delay (default 60 s).</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Minimum time between two upload rounds (default 1 s; zero uploads at once).</summary>
    public TimeSpan CrudUploadThrottle { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The stream is considered dead when no line arrives for this long (default 60 s; the service sends keepalives every ~20 s).</summary>
    public TimeSpan StreamIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    internal JsonObject ParametersJson()
    {
        var json = new JsonObject();
        foreach (var (key, value) in Parameters ?? new Dictionary<string, object?>())
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
        if (errors.Count > 0)
            throw new PowerSyncClientException(ClientErrorCodes.InvalidOptions, "Invalid PowerSyncConnectionOptions:\n- " + string.Join("\n- ", errors));
    }
}
