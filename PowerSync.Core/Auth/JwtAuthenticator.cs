using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PowerSync.Core.Auth;

/// <summary>
/// Turns an <c>Authorization</c> header into a <see cref="SyncUser"/>, or a <see cref="PowerSyncException"/>
/// whose code says exactly why not. Signatures: HS256/384/512, RS*, PS*, ES*. Claims: <c>sub</c> (not
/// empty), <c>iat</c>, <c>exp</c> and <c>aud</c> required; <c>nbf</c> checked when present, with the same
/// clock skew as <c>exp</c>; <c>iss</c> one of <see cref="PowerSyncAuthOptions.Issuers"/> when any are
/// configured; lifetime capped; <c>parameters</c> must be an object. A malformed token is refused by
/// <see cref="CompactJwt"/> before the signature library sees it.
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

    public async Task<SyncUser> AuthenticateAsync(string? authorization, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(authorization))
            throw Fail(AuthErrorCodes.Missing, "No token provided: send the JWT in an 'Authorization: Token <jwt>' (or 'Bearer <jwt>') header.");
        var match = HeaderPattern().Match(authorization);
        if (!match.Success)
            throw Fail(AuthErrorCodes.Missing, "The Authorization header must be 'Token <jwt>' or 'Bearer <jwt>'.");

        var compact = CompactJwt.Parse(match.Groups[2].Value);
        var alg = compact.Alg;
        if (alg.Length == 0 || alg.Equals("none", StringComparison.OrdinalIgnoreCase))
            throw Fail(AuthErrorCodes.Generic, "Unsigned tokens (alg 'none') are not accepted: sign the token with a key configured in Auth.");
        if (!SupportedAlgorithms.Contains(alg))
            throw Fail(AuthErrorCodes.Generic, $"Tokens signed with '{CompactJwt.Shown(alg)}' are not supported: use HS256/384/512, RS*, PS* or ES*.");

        RequireRegisteredClaimTypes(compact.Payload);

        JsonWebToken token;
        try
        {
            token = _handler.ReadJsonWebToken(compact.Token);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException or JsonException or FormatException or InvalidOperationException)
        {
            // Shape and claim types passed the checks above: this is the library refusing a detail they do not cover.
            throw Fail(AuthErrorCodes.Generic, "The token is not a JWT the signature library can read: check its registered claims (iss, sub, aud, exp, nbf, iat, jti).");
        }

        var kid = compact.Kid;
        var candidates = (await keys.CandidatesAsync(kid, cancellationToken).ConfigureAwait(false))
            .Where(k => string.IsNullOrEmpty(k.Alg) ? FamilyMatches(k.Kty, alg) : k.Alg == alg)
            .ToList();
        if (candidates.Count == 0)
        {
            throw Fail(AuthErrorCodes.SignatureInvalid, kid is null
                ? $"No configured key without a 'kid' can verify a {alg} token: add the key to Auth, or put its 'kid' in the token header."
                : $"No configured key has kid '{CompactJwt.Shown(kid)}' for {alg}: check the token's 'kid' against Auth.Jwks / Auth.JwksUris.");
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

        return CheckClaims(compact.Payload);
    }

    private SyncUser CheckClaims(JsonElement payload)
    {
        if (!payload.TryGetProperty("sub", out var sub) || sub.ValueKind == JsonValueKind.Null)
            throw Fail(AuthErrorCodes.Generic, "The token has no 'sub' claim: put the user id in 'sub'.");
        var userId = UserIdText(sub);
        if (userId.Length == 0)
            throw Fail(AuthErrorCodes.Generic, "The token's 'sub' claim is empty: put the user id in 'sub'.");
        if (userId.Contains('\0', StringComparison.Ordinal))
            throw Fail(AuthErrorCodes.Generic, "The token's 'sub' claim contains a NUL character, which no user id may hold.");
        var exp = NumericDate(payload, "exp");
        var iat = NumericDate(payload, "iat");
        DateTimeOffset? nbf = payload.TryGetProperty("nbf", out _) ? NumericDate(payload, "nbf") : null;
        var now = time.GetUtcNow();

        if (exp + options.ClockSkew < now)
            throw Fail(AuthErrorCodes.Expired, $"The token expired at {exp:O}: fetch a new token.");
        if (iat - options.ClockSkew > now)
            throw Fail(AuthErrorCodes.Generic, $"The token's 'iat' ({iat:O}) is in the future: check the clock of the service that issues tokens.");
        if (nbf - options.ClockSkew > now)
            throw Fail(AuthErrorCodes.Generic, $"The token is not valid before {nbf:O} ('nbf'): use it from then on, or check the clock of the service that issues tokens.");
        if (exp - iat > options.MaxLifetime)
            throw Fail(AuthErrorCodes.LifetimeTooLong, $"The token lives {(exp - iat).TotalSeconds:0} s (exp - iat); at most {options.MaxLifetime.TotalSeconds:0} s is accepted: issue shorter-lived tokens.");

        var audiences = Audiences(payload);
        if (audiences.Count == 0)
            throw Fail(AuthErrorCodes.AudienceMismatch, $"The token has no 'aud' claim: set it to one of: {string.Join(", ", options.Audiences)}.");
        if (!audiences.Any(options.Audiences.Contains))
            throw Fail(AuthErrorCodes.AudienceMismatch, $"The token's audience ({string.Join(", ", audiences.Take(5).Select(CompactJwt.Shown))}) is not accepted: expected one of {string.Join(", ", options.Audiences)}.");

        if (options.Issuers.Count > 0)
        {
            if (!payload.TryGetProperty("iss", out var iss) || iss.ValueKind != JsonValueKind.String)
                throw Fail(AuthErrorCodes.Generic, $"The token has no 'iss' claim (a string): Auth.Issuers accepts only tokens issued by {string.Join(", ", options.Issuers)}.");
            if (!options.Issuers.Contains(iss.GetString()!))
                throw Fail(AuthErrorCodes.Generic, $"The token's issuer ('iss' {CompactJwt.Shown(iss.GetString()!)}) is not accepted: Auth.Issuers lists {string.Join(", ", options.Issuers)}.");
        }

        if (payload.TryGetProperty("parameters", out var parameters) && parameters.ValueKind != JsonValueKind.Object)
            throw Fail(AuthErrorCodes.Generic, "The token's 'parameters' claim must be a JSON object.");

        return new SyncUser(userId, payload, exp);
    }

    /// <summary>
    /// The types RFC 7519 gives the registered claims, checked here so each gets its own message (the
    /// signature library refuses them with one generic error). <c>sub</c> may also be a number, as the
    /// official service allows; booleans, objects and arrays, which it turns into text, are refused.
    /// </summary>
    private static void RequireRegisteredClaimTypes(JsonElement payload)
    {
        foreach (var claim in payload.EnumerateObject())
        {
            var kind = claim.Value.ValueKind;
            var problem = claim.Name switch
            {
                "sub" when kind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Null) =>
                    "'sub' (the user id) must be a string or a number",
                "iss" or "jti" when kind != JsonValueKind.String => $"'{claim.Name}' must be a string",
                "aud" when kind != JsonValueKind.String && (kind != JsonValueKind.Array || claim.Value.EnumerateArray().Any(a => a.ValueKind != JsonValueKind.String)) =>
                    "'aud' must be a string or an array of strings",
                "exp" or "nbf" or "iat" when kind != JsonValueKind.Number || !claim.Value.TryGetDouble(out var seconds) || !double.IsFinite(seconds) =>
                    $"'{claim.Name}' must be a number (seconds since 1970)",
                _ => null,
            };
            if (problem is not null) throw Fail(AuthErrorCodes.Generic, $"The token's {problem}.");
        }
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

    /// <summary>
    /// <c>sub</c> (a string or a number, see <see cref="RequireRegisteredClaimTypes"/>) as text, for write
    /// checkpoints and logs: a string as it is, a number as written. As in the official service, the sync
    /// rules see <c>sub</c> typed instead: <c>request.user_id()</c> is the integer 1 for <c>"sub": 1</c> and
    /// the text '1' for <c>"sub": "1"</c>, two different users to every bucket query.
    /// </summary>
    private static string UserIdText(JsonElement sub) => sub.ValueKind == JsonValueKind.String ? sub.GetString()! : sub.GetRawText();

    private static bool FamilyMatches(string kty, string alg) => kty switch
    {
        JsonWebAlgorithmsKeyTypes.RSA => alg.StartsWith("RS", StringComparison.Ordinal) || alg.StartsWith("PS", StringComparison.Ordinal),
        JsonWebAlgorithmsKeyTypes.EllipticCurve => alg.StartsWith("ES", StringComparison.Ordinal),
        JsonWebAlgorithmsKeyTypes.Octet => alg.StartsWith("HS", StringComparison.Ordinal),
        _ => false,
    };

    private static PowerSyncException Fail(string code, string message, Exception? inner = null) => new(code, message, inner);

}
