using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>
/// The request-side inputs of parameter queries and streams, prepared once per connection the way
/// the official service does: the JWT payload and client parameters are parsed with plain JSON
/// (numbers are doubles) and re-serialized with JSONBig (so a claim <c>5</c> reads back as <c>5.0</c>).
/// </summary>
internal sealed class RequestContext
{
    public RequestContext(JsonNode tokenPayload, JsonNode clientParameters, JsonNode? streamParameters = null)
    {
        TokenPayload = tokenPayload;
        ClientParameters = clientParameters;
        StreamParameters = streamParameters;
        RawTokenPayload = tokenPayload.ToJsonBig();
        RawClientParameters = clientParameters.ToJsonBig();
        RawStreamParameters = streamParameters?.ToJsonBig();
        UserId = SqlValueSemantics.FromJson(tokenPayload.Get("sub"), fixedJson: true);
        TokenParameters = ToParameters(tokenPayload.Get("parameters"));
        TokenParameters["user_id"] = UserId;
        UserParameters = ToParameters(clientParameters);
        SubscriptionParameters = streamParameters is null ? null : ToParameters(streamParameters);
    }

    public JsonNode TokenPayload { get; }

    public JsonNode ClientParameters { get; }

    public JsonNode? StreamParameters { get; }

    public string RawTokenPayload { get; }

    public string RawClientParameters { get; }

    public string? RawStreamParameters { get; }

    public SqliteValue UserId { get; }

    /// <summary><c>token_parameters.*</c>: the JWT <c>parameters</c> claim plus <c>user_id</c> = sub.</summary>
    public Dictionary<string, SqliteValue> TokenParameters { get; }

    /// <summary><c>user_parameters.*</c>: the client parameters.</summary>
    public Dictionary<string, SqliteValue> UserParameters { get; }

    public Dictionary<string, SqliteValue>? SubscriptionParameters { get; }

    /// <summary>The same request with one subscription's parameters.</summary>
    public RequestContext WithStreamParameters(JsonNode parameters) => new(TokenPayload, ClientParameters, parameters);

    /// <summary>JSON values as sync-rules values: whole numbers INTEGER, booleans 1/0, containers JSONBig text.</summary>
    private static Dictionary<string, SqliteValue> ToParameters(JsonNode? obj)
    {
        var result = new Dictionary<string, SqliteValue>(StringComparer.Ordinal);
        if (obj?.Properties is null)
        {
            return result;
        }

        foreach (var (key, value) in obj.Properties)
        {
            result[key] = value.Kind switch
            {
                JsonKind.Real when double.IsInteger(value.Real) && Math.Abs(value.Real) < 9.2233720368547758E18 => SqliteValue.FromInteger((long)value.Real),
                JsonKind.Null => SqliteValue.Null,
                _ => SqlValueSemantics.FromJson(value, fixedJson: true),
            };
        }

        return result;
    }

    public SqliteValue Lookup(string table, string column)
    {
        var source = table switch
        {
            "token_parameters" => TokenParameters,
            "user_parameters" => UserParameters,
            _ => SubscriptionParameters,
        };
        return source is not null && source.TryGetValue(column, out var v) ? v : SqliteValue.Null;
    }
}
