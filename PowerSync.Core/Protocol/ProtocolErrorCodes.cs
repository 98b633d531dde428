namespace PowerSync.Core.Protocol;

/// <summary>Sync protocol error codes (official ones where the service defines the condition).</summary>
public static class ProtocolErrorCodes
{
    /// <summary>No sync rules are active yet (HTTP 500 in the official service; retry later).</summary>
    public const string NoActiveRules = "PSYNC_S2302";

    /// <summary>Too many concurrent connections on this instance (HTTP 429).</summary>
    public const string TooManyConnections = "PSYNC_S2304";

    /// <summary>More buckets (or parameter query results) than a connection may have.</summary>
    public const string TooManyBuckets = "PSYNC_S2305";

    /// <summary>Shutting down (HTTP 503).</summary>
    public const string ShuttingDown = "PSYNC_S2003";

    /// <summary>The request body is not a valid sync request (HTTP 400).</summary>
    public const string InvalidRequest = "PSYNC_N2401";

    /// <summary>The request body is larger than allowed (HTTP 413).</summary>
    public const string RequestTooLarge = "PSYNC_N2402";

    /// <summary>More distinct stream subscriptions than one request may hold (HTTP 400).</summary>
    public const string TooManySubscriptions = "PSYNC_N2403";

    /// <summary>The user already has as many sync streams open on this instance as allowed (HTTP 429).</summary>
    public const string TooManyUserStreams = "PSYNC_N2404";

    /// <summary>This instance only replicates (Role ReplicateOnly) and serves no sync clients (HTTP 503).</summary>
    public const string NotServing = "PSYNC_N2405";
}
