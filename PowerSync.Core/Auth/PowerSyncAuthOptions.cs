namespace PowerSync.Core.Auth;

/// <summary>
/// How sync clients authenticate: JWTs signed by your auth service, verified with keys given inline
/// (a JWK Set) or fetched from JWKS URIs. Validated once when PowerSync starts, and unchangeable from then on
/// (setting a property, or changing a list, throws <see cref="InvalidOperationException"/>).
/// </summary>
public sealed class PowerSyncAuthOptions
{
    private readonly OptionsFreeze _freeze = new("PowerSyncOptions.Auth");

    /// <summary>Creates auth options with no keys and no audiences.</summary>
    public PowerSyncAuthOptions()
    {
        JwksUris = _freeze.List<Uri>(nameof(JwksUris));
        Audiences = _freeze.List<string>(nameof(Audiences));
        Issuers = _freeze.List<string>(nameof(Issuers));
    }

    /// <summary>A JWK Set (<c>{"keys":[...]}</c>) with the verification keys: RSA, EC, or <c>oct</c> (HS256/384/512, <c>k</c> base64url).</summary>
    public string? Jwks { get; set => field = _freeze.Set(value); }

    /// <summary>URIs serving a JWK Set; fetched on first use, refreshed every <see cref="JwksRefreshInterval"/> and on an unknown <c>kid</c>.</summary>
    public IList<Uri> JwksUris { get; }

    /// <summary>Accepted <c>aud</c> values; a token must carry at least one of them. Required.</summary>
    public IList<string> Audiences { get; }

    /// <summary>
    /// Accepted <c>iss</c> values, compared exactly. When any are listed, a token must carry one of them;
    /// when none are (the default), <c>iss</c> is not checked.
    /// </summary>
    public IList<string> Issuers { get; }

    /// <summary>The longest token lifetime accepted (<c>exp - iat</c>). Default 1 day.</summary>
    public TimeSpan MaxLifetime { get; set => field = _freeze.Set(value); } = TimeSpan.FromDays(1);

    /// <summary>Clock tolerance for <c>exp</c>, <c>nbf</c> and <c>iat</c>. Default 60 seconds.</summary>
    public TimeSpan ClockSkew { get; set => field = _freeze.Set(value); } = TimeSpan.FromSeconds(60);

    /// <summary>How long fetched JWKS keys are used before a refresh. Default 5 minutes.</summary>
    public TimeSpan JwksRefreshInterval { get; set => field = _freeze.Set(value); } = TimeSpan.FromMinutes(5);

    /// <summary>How long fetched keys stay usable when refreshing fails. Default 60 minutes.</summary>
    public TimeSpan JwksMaxAge { get; set => field = _freeze.Set(value); } = TimeSpan.FromMinutes(60);

    /// <summary>Makes every setting unchangeable (once PowerSync validated them and runs with them).</summary>
    internal void Freeze() => _freeze.Freeze();

    /// <summary>Every problem with these options, for the start-up check.</summary>
    internal IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Jwks) && JwksUris.Count == 0)
            yield return "Auth: give the verification keys, as Auth.Jwks (a JWK Set) and/or Auth.JwksUris.";
        if (Audiences.Count == 0)
            yield return "Auth: list at least one accepted token audience in Auth.Audiences (tokens must carry 'aud').";
        if (Issuers.Any(string.IsNullOrWhiteSpace))
            yield return "Auth: Issuers cannot hold an empty value (list the exact 'iss' of each token issuer, or none to skip the check).";
        if (MaxLifetime <= TimeSpan.Zero)
            yield return $"Auth: MaxLifetime must be positive (was {MaxLifetime}).";
        if (ClockSkew < TimeSpan.Zero)
            yield return $"Auth: ClockSkew cannot be negative (was {ClockSkew}).";
        if (JwksRefreshInterval <= TimeSpan.Zero || JwksMaxAge < JwksRefreshInterval)
            yield return "Auth: JwksRefreshInterval must be positive and JwksMaxAge at least as long.";
        foreach (var uri in JwksUris)
        {
            if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                yield return $"Auth: JWKS URI '{uri}' must be an absolute http(s) URI.";
        }
    }
}
