namespace PowerSync.Client;

/// <summary>Stable error codes of <see cref="PowerSyncClientException"/>.</summary>
public static class ClientErrorCodes
{
    /// <summary>The database options are invalid (every problem is listed in the message).</summary>
    public const string InvalidOptions = "PSYNC_C1001";

    /// <summary>The schema is invalid (duplicate names, reserved names, too many columns, ...).</summary>
    public const string InvalidSchema = "PSYNC_C1002";

    /// <summary>A query expected a row and found none.</summary>
    public const string NoRows = "PSYNC_C1101";

    /// <summary>A result row could not be mapped to the requested type.</summary>
    public const string RowMapping = "PSYNC_C1102";

    /// <summary>The database was used after it was disposed.</summary>
    public const string Disposed = "PSYNC_C1103";

    /// <summary>The sync service answered with an HTTP error.</summary>
    public const string SyncHttpError = "PSYNC_C2001";

    /// <summary>The sync service sent a line that breaks the protocol.</summary>
    public const string ProtocolError = "PSYNC_C2002";

    /// <summary>
    /// The service refused credentials the connector had just fetched (HTTP 401), or the connector returned none (not
    /// signed in). A refused token that was fetched earlier is fetched again first, without this error.
    /// </summary>
    public const string Unauthorized = "PSYNC_C2003";

    /// <summary>Bucket checksums did not match at a checkpoint; the failed buckets are downloaded again.</summary>
    public const string ChecksumMismatch = "PSYNC_C2004";

    /// <summary>
    /// The sync service refused the request as invalid (an HTTP 4xx other than 401, 408 and 429: the endpoint, the
    /// client parameters or the service's configuration), or the endpoint is not an absolute http(s) URL.
    /// </summary>
    public const string SyncRequestRejected = "PSYNC_C2005";

    /// <summary>
    /// A stream subscription cannot sync: the service's sync config has no such stream, or the service could not resolve
    /// the subscription (e.g. its parameters fail the stream's queries). Reported on the stream's status and by the
    /// subscription's <c>WaitForFirstSyncAsync</c>.
    /// </summary>
    public const string StreamSubscriptionFailed = "PSYNC_C2006";

    /// <summary>The connector returned without completing the upload queue's head entry.</summary>
    public const string UploadNotCompleted = "PSYNC_C2101";

    /// <summary>The operation is not allowed while connected (e.g. changing the schema).</summary>
    public const string InvalidState = "PSYNC_C2201";
}
