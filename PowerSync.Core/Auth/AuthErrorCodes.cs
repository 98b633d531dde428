namespace PowerSync.Core.Auth;

/// <summary>Authentication error codes: the official service's, so its docs apply. Every one is an HTTP 401.</summary>
public static class AuthErrorCodes
{
    /// <summary>Generic authentication error (malformed token, missing claim, unsupported algorithm).</summary>
    public const string Generic = "PSYNC_S2101";

    /// <summary>The signature could not be verified (unknown kid, or no key matches).</summary>
    public const string SignatureInvalid = "PSYNC_S2102";

    /// <summary>The token has expired.</summary>
    public const string Expired = "PSYNC_S2103";

    /// <summary>The token lives longer than allowed (exp - iat over the maximum).</summary>
    public const string LifetimeTooLong = "PSYNC_S2104";

    /// <summary>The token's audience is not one of the allowed audiences.</summary>
    public const string AudienceMismatch = "PSYNC_S2105";

    /// <summary>No token, or an Authorization header that is not "Token &lt;jwt&gt;" / "Bearer &lt;jwt&gt;".</summary>
    public const string Missing = "PSYNC_S2106";

    /// <summary>Auth configuration error (bad key, bad option).</summary>
    public const string Configuration = "PSYNC_S2201";

    /// <summary>Fetching the JWKS failed.</summary>
    public const string JwksFetchFailed = "PSYNC_S2204";
}
