using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules;

/// <summary>
/// What a connecting client brings: the verified JWT payload (with <c>sub</c>), the unauthenticated
/// client <c>parameters</c>, and stream subscriptions. Both JSON inputs are parsed the way the official
/// service does (plain JSON numbers), which decides how <c>request.jwt()</c> and <c>token_parameters.*</c> read.
/// </summary>
public sealed class RequestParameters
{
    /// <summary>Creates the request inputs; throws <see cref="PowerSyncException"/> for JSON that is not an object.</summary>
    /// <param name="jwtPayloadJson">The verified JWT payload as JSON text (an object with <c>sub</c>).</param>
    /// <param name="clientParametersJson">The request's <c>parameters</c> object as JSON text, or null.</param>
    /// <param name="subscriptions">Stream subscriptions (Sync Streams), or null.</param>
    /// <param name="includeDefaultStreams">Whether auto-subscribed streams apply (protocol default true).</param>
    public RequestParameters(string jwtPayloadJson, string? clientParametersJson = null, IReadOnlyList<StreamSubscription>? subscriptions = null, bool includeDefaultStreams = true)
    {
        ArgumentNullException.ThrowIfNull(jwtPayloadJson);
        var payload = ParseObject(jwtPayloadJson, "JWT payload");
        var client = clientParametersJson is null ? JsonNode.FromObject([]) : ParseObject(clientParametersJson, "client parameters");
        if (payload.Get("parameters") is { } p && p.Kind != JsonKind.Object && p.Kind != JsonKind.Null)
        {
            throw new PowerSyncException(SyncRulesErrorCodes.InvalidValue, "The JWT 'parameters' claim must be a JSON object.");
        }

        Context = new RequestContext(payload, client);
        Subscriptions = subscriptions ?? [];
        IncludeDefaultStreams = includeDefaultStreams;
    }

    /// <summary>Stream subscriptions of the request.</summary>
    public IReadOnlyList<StreamSubscription> Subscriptions { get; }

    /// <summary>Whether auto-subscribed (default) streams apply.</summary>
    public bool IncludeDefaultStreams { get; }

    internal RequestContext Context { get; }

    private static JsonNode ParseObject(string json, string what)
    {
        var node = JsonParser.TryParse(json, plainNumbers: true);
        if (node?.Kind != JsonKind.Object)
        {
            throw new PowerSyncException(SyncRulesErrorCodes.InvalidValue, $"The {what} must be a JSON object.");
        }

        return node;
    }
}
