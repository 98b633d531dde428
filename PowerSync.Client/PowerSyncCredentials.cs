namespace PowerSync.Client;

/// <summary>Where and how to reach the PowerSync service.</summary>
/// <param name="Endpoint">The service URL, e.g. <c>https://host/powersync</c>; <c>/sync/stream</c> is appended.</param>
/// <param name="Token">The JWT sent as <c>Authorization: Token &lt;jwt&gt;</c>.</param>
/// <param name="ExpiresAt">When the token expires, if known.</param>
public sealed record PowerSyncCredentials(Uri Endpoint, string Token, DateTimeOffset? ExpiresAt = null)
{
    /// <summary>The token is a secret: it is never printed.</summary>
    public override string ToString() => $"PowerSyncCredentials {{ Endpoint = {Endpoint}, ExpiresAt = {ExpiresAt} }}";
}
