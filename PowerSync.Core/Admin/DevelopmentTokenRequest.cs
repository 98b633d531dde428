namespace PowerSync.Core.Admin;

/// <summary>A development token to make (<see cref="DevelopmentTokens.Create"/>).</summary>
/// <param name="UserId">The token's <c>sub</c>.</param>
/// <param name="SigningKey">The HS256 secret (its UTF-8 bytes, at least 32 of them); give PowerSync <see cref="DevelopmentTokens.Jwks"/> of it.</param>
public sealed record DevelopmentTokenRequest(string UserId, string SigningKey)
{
    /// <summary>The token's <c>aud</c>: one of PowerSync's <c>Auth.Audiences</c>. Default <c>powersync</c>.</summary>
    public string Audience { get; init; } = "powersync";

    /// <summary>How long the token is valid. Default 1 hour; PowerSync refuses tokens living longer than <c>Auth.MaxLifetime</c> (default 1 day).</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Further claims as a JSON object (e.g. <c>{"role":"admin"}</c>), or null. <c>sub</c>, <c>aud</c>, <c>iat</c>, <c>nbf</c> and <c>exp</c> are set from the request.</summary>
    public string? ClaimsJson { get; init; }

    /// <summary>The <c>kid</c> of the token and its JWK, or null for none.</summary>
    public string? KeyId { get; init; }
}
