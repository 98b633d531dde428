using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TodoBackend;

/// <summary>
/// Development tokens: HS256 JWTs signed with a key from configuration. A real app issues tokens from
/// its own identity provider and gives PowerSync that provider's JWKS instead.
/// </summary>
public sealed class DevTokens
{
    /// <summary>The signing key published in the sample's appsettings.json: fine in Development, refused anywhere else.</summary>
    public const string SampleSigningKey = "change-me-in-production-a-32-byte-or-longer-secret";

    private readonly SymmetricSecurityKey _key;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public DevTokens(string signingKey, string audience)
    {
        var bytes = Encoding.UTF8.GetBytes(signingKey);
        if (bytes.Length < 32)
            throw new InvalidOperationException("Auth:DevSigningKey must be at least 32 bytes long (HS256).");
        _key = new SymmetricSecurityKey(bytes);
        Audience = audience;
        Jwks = JsonSerializer.Serialize(new { keys = new[] { new { kty = "oct", alg = "HS256", k = Base64UrlEncoder.Encode(bytes) } } });
    }

    public string Audience { get; }

    /// <summary>The key as a JWK Set, for PowerSync's Auth.Jwks.</summary>
    public string Jwks { get; }

    public TokenResponse Issue(string userId)
    {
        var now = DateTimeOffset.UtcNow;
        var expires = now.AddMinutes(60);
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = userId, ["aud"] = Audience },
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
        return new TokenResponse(token, expires);
    }

    /// <summary>The user id of a valid bearer token, or null.</summary>
    public async Task<string?> UserOfAsync(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal)) return null;
        var result = await _handler.ValidateTokenAsync(authorization["Bearer ".Length..], new TokenValidationParameters
        {
            IssuerSigningKey = _key,
            ValidateIssuer = false,
            ValidAudience = Audience,
        });
        return result.IsValid && result.Claims.TryGetValue("sub", out var sub) ? sub?.ToString() : null;
    }
}

/// <summary>Body of the token response.</summary>
public sealed record TokenResponse(
    [property: System.Text.Json.Serialization.JsonPropertyName("token")] string Token,
    [property: System.Text.Json.Serialization.JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt);
