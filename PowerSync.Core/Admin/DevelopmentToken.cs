namespace PowerSync.Core.Admin;

/// <summary>A signed development token and when it expires.</summary>
/// <param name="Token">The JWT (compact form), for <c>Authorization: Bearer</c> or a client's <c>FetchCredentialsAsync</c>.</param>
/// <param name="ExpiresAt">Its <c>exp</c>.</param>
public sealed record DevelopmentToken(string Token, DateTimeOffset ExpiresAt);
