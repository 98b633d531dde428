using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.Tokens;

namespace PowerSync.Core.Auth;

/// <summary>
/// Verification keys: the inline JWK Set plus the JWK Sets of remote URIs. Remote sets are cached,
/// refreshed after the refresh interval or when a token names an unknown <c>kid</c> (at most once per
/// interval of 30 s), and kept for the maximum age when a refresh fails. Remote keys that are
/// symmetric, not for signatures, or not for verification are ignored.
/// </summary>
internal sealed class JwksKeySource : IDisposable
{
    private static readonly TimeSpan UnknownKidRefreshGap = TimeSpan.FromSeconds(30);

    private readonly PowerSyncAuthOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<JsonWebKey> _inline;
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private readonly ILogger _logger;
    private volatile RemoteKeys _remote = new([], DateTimeOffset.MinValue, DateTimeOffset.MinValue);

    private sealed record RemoteKeys(IReadOnlyList<JsonWebKey> Keys, DateTimeOffset FetchedAt, DateTimeOffset AttemptedAt);

    public JwksKeySource(PowerSyncAuthOptions options, HttpClient? http, TimeProvider time, ILogger? logger = null)
    {
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        _time = time;
        _inline = string.IsNullOrWhiteSpace(options.Jwks) ? [] : ParseSet(options.Jwks, "Auth.Jwks", remote: false);
    }

    /// <summary>Keys to try for a token: by kid if it has one, else every key without a kid.</summary>
    public async Task<IReadOnlyList<JsonWebKey>> CandidatesAsync(string? kid, CancellationToken cancellationToken)
    {
        var remote = await RemoteAsync(forceRefresh: false, cancellationToken).ConfigureAwait(false);
        var found = Select(kid, remote);
        if (found.Count == 0 && kid is not null && _options.JwksUris.Count > 0
            && _time.GetUtcNow() - _remote.AttemptedAt >= UnknownKidRefreshGap)
        {
            found = Select(kid, await RemoteAsync(forceRefresh: true, cancellationToken).ConfigureAwait(false));
        }
        return found;
    }

    private List<JsonWebKey> Select(string? kid, IReadOnlyList<JsonWebKey> remote) =>
        _inline.Concat(remote).Where(k => kid is null ? string.IsNullOrEmpty(k.Kid) : k.Kid == kid).ToList();

    private async Task<IReadOnlyList<JsonWebKey>> RemoteAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        if (_options.JwksUris.Count == 0) return [];
        var now = _time.GetUtcNow();
        var current = _remote;
        if (!forceRefresh && now - current.FetchedAt < _options.JwksRefreshInterval) return current.Keys;

        await _refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            current = _remote;
            if (current.AttemptedAt > now) return current.Keys; // another caller refreshed meanwhile
            var keys = new List<JsonWebKey>();
            try
            {
                foreach (var uri in _options.JwksUris)
                {
                    using var response = await _http.GetAsync(uri, cancellationToken).ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode)
                    {
                        throw new PowerSyncException(AuthErrorCodes.JwksFetchFailed,
                            $"Fetching the JWKS from {uri} failed with HTTP {(int)response.StatusCode}: check Auth.JwksUris and that the auth service is reachable.");
                    }
                    var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                    keys.AddRange(ParseSet(text, uri.ToString(), remote: true));
                }
                _remote = new RemoteKeys(keys, _time.GetUtcNow(), _time.GetUtcNow());
                return keys;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or PowerSyncException && !cancellationToken.IsCancellationRequested)
            {
                // Keep serving the keys we have until they are too old; then tokens fail with this reason.
                _remote = current with { AttemptedAt = _time.GetUtcNow() };
                if (now - current.FetchedAt < _options.JwksMaxAge)
                {
                    JwksLog.ServingCachedKeys(_logger, e.Message, now - current.FetchedAt, _options.JwksMaxAge);
                    return current.Keys;
                }
                JwksLog.NoKeys(_logger, e.Message);
                throw e as PowerSyncException ?? new PowerSyncException(AuthErrorCodes.JwksFetchFailed,
                    $"Fetching the JWKS failed ({e.Message}) and no recent keys are cached: check Auth.JwksUris and that the auth service is reachable.", e);
            }
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    private static List<JsonWebKey> ParseSet(string json, string source, bool remote)
    {
        JsonWebKeySet set;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
                throw new JsonException("expected an object with a \"keys\" array");
            set = new JsonWebKeySet(json);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new PowerSyncException(AuthErrorCodes.Configuration,
                $"The JWK Set from {source} is not valid ({e.Message}): it must be JSON like {{\"keys\":[{{\"kty\":\"RSA\",\"kid\":\"...\",\"n\":\"...\",\"e\":\"AQAB\"}}]}}.", e);
        }
        return set.Keys.Where(k => !remote || Usable(k)).ToList();
    }

    private static bool Usable(JsonWebKey key) =>
        key.Kty != JsonWebAlgorithmsKeyTypes.Octet
        && (string.IsNullOrEmpty(key.Use) || key.Use == "sig")
        && (key.KeyOps.Count == 0 || key.KeyOps.Contains("verify"));

    public void Dispose()
    {
        _refreshGate.Dispose();
        if (_ownsHttp) _http.Dispose();
    }
}

internal static partial class JwksLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Refreshing the JWKS failed ({Reason}); still using the keys fetched {Age} ago, until they are {MaxAge} old (Auth.JwksMaxAge)")]
    public static partial void ServingCachedKeys(ILogger logger, string reason, TimeSpan age, TimeSpan maxAge);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "Refreshing the JWKS failed ({Reason}) and no recent keys are cached: tokens are refused until it answers")]
    public static partial void NoKeys(ILogger logger, string reason);
}
