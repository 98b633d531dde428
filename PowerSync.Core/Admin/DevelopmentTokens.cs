using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PowerSync.Core.Admin;

/// <summary>
/// HS256 tokens for development and tests, signed with a shared secret that PowerSync is given as a JWK Set
/// (<c>Auth.Jwks</c>). A real app issues tokens from its own identity provider and gives PowerSync that provider's JWKS.
/// </summary>
public static class DevelopmentTokens
{
    /// <summary>The shortest accepted secret: HS256 keys must have at least 256 bits.</summary>
    public const int MinimumKeyBytes = 32;

    private static readonly string[] SetByRequest = ["sub", "aud", "iat", "nbf", "exp"];

    /// <summary>Signs a token for <see cref="DevelopmentTokenRequest.UserId"/>.</summary>
    /// <exception cref="PowerSyncException">The request cannot be honoured (<see cref="AdminErrorCodes.InvalidTokenRequest"/>): the message says why.</exception>
    public static DevelopmentToken Create(DevelopmentTokenRequest request, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.UserId)) throw Invalid("The user id (sub) cannot be empty.");
        if (string.IsNullOrWhiteSpace(request.Audience)) throw Invalid("The audience (aud) cannot be empty.");
        if (request.Lifetime <= TimeSpan.Zero) throw Invalid($"The lifetime must be positive (was {request.Lifetime}).");
        var key = SigningKey(request.SigningKey, request.KeyId);
        var claims = new Dictionary<string, object>(StringComparer.Ordinal);
        if (request.ClaimsJson is { } json)
        {
            foreach (var (name, value) in ParseClaims(json))
            {
                if (SetByRequest.Contains(name, StringComparer.Ordinal))
                    throw Invalid($"The claims cannot set '{name}': it is set from the user id, audience and lifetime.");
                claims[name] = value;
            }
        }
        claims["sub"] = request.UserId;
        claims["aud"] = request.Audience;

        var now = (time ?? TimeProvider.System).GetUtcNow();
        // Whole seconds, as the token carries them.
        now = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var expires = now + request.Lifetime;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
        return new DevelopmentToken(token, DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()));
    }

    /// <summary>The secret as a JWK Set (<c>{"keys":[{"kty":"oct","alg":"HS256","k":...}]}</c>), for PowerSync's <c>Auth.Jwks</c>.</summary>
    /// <exception cref="PowerSyncException">The secret is shorter than <see cref="MinimumKeyBytes"/> (<see cref="AdminErrorCodes.InvalidTokenRequest"/>).</exception>
    public static string Jwks(string signingKey, string? keyId = null)
    {
        var key = SigningKey(signingKey, keyId);
        var jwk = new Dictionary<string, string> { ["kty"] = "oct", ["alg"] = "HS256", ["k"] = Base64UrlEncoder.Encode(key.Key) };
        if (keyId is not null) jwk["kid"] = keyId;
        return JsonSerializer.Serialize(new Dictionary<string, object> { ["keys"] = new[] { jwk } });
    }

    private static SymmetricSecurityKey SigningKey(string signingKey, string? keyId)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        var bytes = Encoding.UTF8.GetBytes(signingKey);
        if (bytes.Length < MinimumKeyBytes)
            throw Invalid($"The signing key has {bytes.Length} bytes; HS256 needs at least {MinimumKeyBytes} (256 bits). Use a longer random secret.");
        if (keyId is not null && string.IsNullOrWhiteSpace(keyId)) throw Invalid("The key id (kid) cannot be blank.");
        return new SymmetricSecurityKey(bytes) { KeyId = keyId };
    }

    private static List<(string Name, object Value)> ParseClaims(string json)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw Invalid($"The claims are not valid JSON ({e.Message}); give an object such as {{\"role\":\"admin\"}}.");
        }
        if (root.ValueKind != JsonValueKind.Object) throw Invalid($"The claims must be a JSON object such as {{\"role\":\"admin\"}}, not {root.ValueKind.ToString().ToLowerInvariant()}.");
        return root.EnumerateObject().Select(p => (p.Name, (object)p.Value)).ToList();
    }

    private static PowerSyncException Invalid(string message) => new(AdminErrorCodes.InvalidTokenRequest, message);
}
