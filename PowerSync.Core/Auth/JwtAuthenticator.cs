using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PowerSync.Core.Auth;

/// <summary>
/// Turns an <c>Authorization</c> header into a <see cref="SyncUser"/>, or a <see cref="PowerSyncException"/>
/// whose code says exactly why not. Signatures: HS256/384/512, RS*, PS*, ES*. Claims: <c>sub</c>,
/// <c>iat</c>, <c>exp</c> and <c>aud</c> required; lifetime capped; <c>parameters</c> must be an object.
/// </summary>
internal sealed partial class JwtAuthenticator(PowerSyncAuthOptions options, JwksKeySource keys, TimeProvider time)
{
    private static readonly HashSet<string> SupportedAlgorithms = new(StringComparer.Ordinal)
    {
        "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
    };

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    [GeneratedRegex(@"^(Token|Bearer) (\S+)$")]
    private static partial Regex HeaderPattern();

    public async Task<SyncUser> AuthenticateAsync(string? authorization, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(authorization))
            throw Fail(AuthErrorCodes.Missing, "No token provided: send the JWT in an 'Authorization: Token <jwt>' (or 'Bearer <jwt>') header.");
        var match = HeaderPattern().Match(authorization);
        if (!match.Success)
            throw Fail(AuthErrorCodes.Missing, "The Authorization header must be 'Token <jwt>' or 'Bearer <jwt>'.");

        JsonWebToken token;
        try
        {
            token = _handler.ReadJsonWebToken(match.Groups[2].Value);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException)
        {
            throw Fail(AuthErrorCodes.Generic, "The token is not a well-formed JWT (three base64url parts: header.payload.signature).", e);
        }

        var alg = token.Alg;
        if (string.IsNullOrEmpty(alg) || alg.Equals("none", StringComparison.OrdinalIgnoreCase))
            throw Fail(AuthErrorCodes.Generic, "Unsigned tokens (alg 'none') are not accepted: sign the token with a key configured in Auth.");
        if (!SupportedAlgorithms.Contains(alg))
            throw Fail(AuthErrorCodes.Generic, $"Tokens signed with '{alg}' are not supported: use HS256/384/512, RS*, PS* or ES*.");

        var kid = string.IsNullOrEmpty(token.Kid) ? null : token.Kid;
        var candidates = (await keys.CandidatesAsync(kid, ct).ConfigureAwait(false))
            .Where(k => string.IsNullOrEmpty(k.Alg) ? FamilyMatches(k.Kty, alg) : k.Alg == alg)
            .ToList();
        if (candidates.Count == 0)
        {
            throw Fail(AuthErrorCodes.SignatureInvalid, kid is null
                ? $"No configured key without a 'kid' can verify a {alg} token: add the key to Auth, or put its 'kid' in the token header."
                : $"No configured key has kid '{kid}' for {alg}: check the token's 'kid' against Auth.Jwks / Auth.JwksUris.");
        }

        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKeys = candidates,
            ValidateIssuerSigningKey = false,
            RequireSignedTokens = true,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            ValidAlgorithms = [alg],
            TryAllIssuerSigningKeys = true,
        }).ConfigureAwait(false);
        if (!result.IsValid)
            throw Fail(AuthErrorCodes.SignatureInvalid, "The token's signature does not verify with the configured key(s): it was signed with another key, or altered.", result.Exception);

        return CheckClaims(token);
    }

    private SyncUser CheckClaims(JsonWebToken token)
    {
        var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(token.EncodedPayload)).RootElement.Clone();
        if (payload.ValueKind != JsonValueKind.Object)
            throw Fail(AuthErrorCodes.Generic, "The token payload must be a JSON object.");

        if (!payload.TryGetProperty("sub", out var sub) || sub.ValueKind == JsonValueKind.Null)
            throw Fail(AuthErrorCodes.Generic, "The token has no 'sub' claim: put the user id in 'sub'.");
        var exp = NumericDate(payload, "exp");
        var iat = NumericDate(payload, "iat");
        var now = time.GetUtcNow();

        if (exp + options.ClockSkew < now)
            throw Fail(AuthErrorCodes.Expired, $"The token expired at {exp:O}: fetch a new token.");
        if (iat - options.ClockSkew > now)
            throw Fail(AuthErrorCodes.Generic, $"The token's 'iat' ({iat:O}) is in the future: check the clock of the service that issues tokens.");
        if (exp - iat > options.MaxLifetime)
            throw Fail(AuthErrorCodes.LifetimeTooLong, $"The token lives {(exp - iat).TotalSeconds:0} s (exp - iat); at most {options.MaxLifetime.TotalSeconds:0} s is accepted: issue shorter-lived tokens.");

        var audiences = Audiences(payload);
        if (audiences.Count == 0)
            throw Fail(AuthErrorCodes.AudienceMismatch, $"The token has no 'aud' claim: set it to one of: {string.Join(", ", options.Audiences)}.");
        if (!audiences.Any(options.Audiences.Contains))
            throw Fail(AuthErrorCodes.AudienceMismatch, $"The token's audience ({string.Join(", ", audiences)}) is not accepted: expected one of {string.Join(", ", options.Audiences)}.");

        if (payload.TryGetProperty("parameters", out var parameters) && parameters.ValueKind != JsonValueKind.Object)
            throw Fail(AuthErrorCodes.Generic, "The token's 'parameters' claim must be a JSON object.");

        return new SyncUser(UserIdText(sub), payload, exp);
    }

    private static DateTimeOffset NumericDate(JsonElement payload, string claim)
    {
        if (!payload.TryGetProperty(claim, out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var seconds) || !double.IsFinite(seconds))
            throw Fail(AuthErrorCodes.Generic, $"The token needs a numeric '{claim}' claim (seconds since 1970).");
        return DateTimeOffset.UnixEpoch.AddSeconds(Math.Clamp(seconds, -62135596800, 253402300799));
    }

    private static List<string> Audiences(JsonElement payload)
    {
        if (!payload.TryGetProperty("aud", out var aud)) return [];
        return aud.ValueKind switch
        {
            JsonValueKind.String => [aud.GetString()!],
            JsonValueKind.Array => aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!).ToList(),
            _ => [],
        };
    }

    /// <summary><c>sub</c> as SQLite-style text: strings as they are, true/false as 1/0, numbers as written, others as JSON.</summary>
    private static string UserIdText(JsonElement sub) => sub.ValueKind switch
    {
        JsonValueKind.String => sub.GetString()!,
        JsonValueKind.True => "1",
        JsonValueKind.False => "0",
        JsonValueKind.Number => sub.GetRawText(),
        _ => sub.GetRawText(),
    };

    private static bool FamilyMatches(string kty, string alg) => kty switch
    {
        JsonWebAlgorithmsKeyTypes.RSA => alg.StartsWith("RS", StringComparison.Ordinal) || alg.StartsWith("PS", StringComparison.Ordinal),
        JsonWebAlgorithmsKeyTypes.EllipticCurve => alg.StartsWith("ES", StringComparison.Ordinal),
        JsonWebAlgorithmsKeyTypes.Octet => alg.StartsWith("HS", StringComparison.Ordinal),
        _ => false,
    };

    private static PowerSyncException Fail(string code, string message, Exception? inner = null) => new(code, message, inner);

}
