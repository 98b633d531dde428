namespace PowerSync.Client;

/// <summary>One client error code: what it means, whether waiting helps, and what to do about it.</summary>
/// <param name="Code">The stable code, e.g. <c>PSYNC_C2001</c>.</param>
/// <param name="Meaning">What happened.</param>
/// <param name="IsTransient">Whether the same operation can succeed later with nobody changing anything; false when something must be fixed first.</param>
/// <param name="WhatToDo">The remedy.</param>
public sealed record PowerSyncClientErrorInfo(string Code, string Meaning, bool IsTransient, string WhatToDo);

/// <summary>
/// Every code of <see cref="PowerSyncClientException"/> (the constants of <see cref="ClientErrorCodes"/>) with its
/// meaning and remedy; docs/errors.md lists the same, and a test keeps the two equal.
/// </summary>
public static class PowerSyncClientErrors
{
    /// <summary>Every code, in code order.</summary>
    public static IReadOnlyList<PowerSyncClientErrorInfo> All { get; } =
    [
        new(ClientErrorCodes.InvalidOptions, "The database or connection options are invalid; the message lists every problem.", false, "Change each option the message names."),
        new(ClientErrorCodes.InvalidSchema, "The schema is invalid (duplicate or reserved names, too many columns, ...).", false, "Fix the schema as the message says."),
        new(ClientErrorCodes.NoRows, "A query that must return a row (GetAsync) found none.", false, "Use GetOptionalAsync, or check the query."),
        new(ClientErrorCodes.RowMapping, "A result row could not be mapped to the requested type.", false, "Match the type's constructor or properties to the query's column names and types."),
        new(ClientErrorCodes.Disposed, "The database was used after it was disposed.", false, "Keep the database open while it is used."),
        new(ClientErrorCodes.SyncHttpError, "The sync service could not be reached, answered with an HTTP error, or the stream went silent.", true,
            "Nothing: the stream reconnects with backoff. If it repeats, check the endpoint and the service's logs."),
        new(ClientErrorCodes.ProtocolError, "The sync service sent a line that breaks the protocol.", false, "Report it with the message; the stream reconnects meanwhile."),
        new(ClientErrorCodes.Unauthorized, "The service refused a token the connector had just fetched (HTTP 401), or the connector returned none (not signed in).", false,
            "Sign the user in, or fix the token the connector returns (audience, signing key, expiry); sync retries with backoff and resumes once a token is accepted."),
        new(ClientErrorCodes.ChecksumMismatch, "Bucket checksums did not match at a checkpoint.", true, "Nothing: the failed buckets are downloaded again."),
        new(ClientErrorCodes.SyncRequestRejected, "The sync service refused the request as invalid (HTTP 4xx other than 401, 408, 429), or the endpoint is not an http(s) URL.", false,
            "Check the endpoint the connector returns, the connection's Parameters and the service's sync rules and logs; sync retries with backoff meanwhile."),
        new(ClientErrorCodes.StreamSubscriptionFailed, "A stream subscription cannot sync: the service's sync config has no such stream, or it could not resolve the subscription (e.g. its parameters).", false,
            "Subscribe to a stream the service defines, with the parameters its queries expect; the status's stream entry and the service's logs say what failed."),
        new(ClientErrorCodes.UploadNotCompleted, "The connector's UploadDataAsync returned without completing the upload queue's head entry.", false,
            "Call CompleteAsync on the transaction or batch once the backend accepted it."),
        new(ClientErrorCodes.InvalidState, "The operation is not allowed in the database's current state (e.g. changing the schema while connected).", false,
            "Disconnect first, or wait until the operation is allowed."),
    ];

    private static readonly Dictionary<string, PowerSyncClientErrorInfo> ByCode = All.ToDictionary(e => e.Code, StringComparer.Ordinal);

    /// <summary>The entry for <paramref name="code"/>, or null for a code the client does not raise.</summary>
    public static PowerSyncClientErrorInfo? Find(string code) => ByCode.GetValueOrDefault(code);
}
