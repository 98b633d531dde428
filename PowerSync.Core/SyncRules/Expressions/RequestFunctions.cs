namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>A request-scoped function such as <c>request.user_id()</c> or <c>auth.parameter('x')</c>.</summary>
internal sealed record RequestFunction(int ArgumentCount, Func<RequestContext, SqliteValue[], SqliteValue> Call);

/// <summary>
/// The functions of the <c>request</c> schema (bucket definitions) and of the stream schemas
/// <c>auth</c>, <c>subscription</c> and <c>connection</c>.
/// </summary>
internal static class RequestFunctions
{
    private static readonly Json.JsonNode EmptyObject = Json.JsonNode.FromObject([]);

    public static RequestFunction? Find(string schema, string name) => (schema, name) switch
    {
        ("request" or "auth", "user_id") => new(0, (r, _) => r.UserId),
        ("request", "jwt") => new(0, (r, _) => SqliteValue.FromText(r.RawTokenPayload)),
        ("request" or "connection", "parameters") => new(0, (r, _) => SqliteValue.FromText(r.RawClientParameters)),
        ("request" or "connection", "parameter") => new(1, (r, a) => Extract(r.UserParameters, a[0])),
        ("auth", "parameters") => new(0, (r, _) => SqliteValue.FromText(r.RawTokenPayload)),
        ("auth", "parameter") => new(1, (r, a) => ExtractJson(r, a[0])),
        ("subscription", "parameters") => new(0, (r, _) => SqliteValue.FromText(r.RawStreamParameters ?? "{}")),
        ("subscription", "parameter") => new(1, (r, a) => a[0].Type != SqliteType.Text ? SqliteValue.Null
            : SqlFunctions.JsonExtractFromNode(r.StreamParameters ?? EmptyObject, a[0], "->>", fixedJson: true)),
        _ => null,
    };

    /// <summary><c>x.parameter('k')</c> over a parameter record: the fixed <c>-&gt;&gt;</c> rules (a dotted key is one key).</summary>
    private static SqliteValue Extract(Dictionary<string, SqliteValue> record, SqliteValue path)
    {
        if (path.Type != SqliteType.Text)
        {
            return SqliteValue.Null;
        }

        var key = path.AsText;
        if (key.StartsWith('$'))
        {
            var parts = key.Split('.');
            if (parts.Length != 2)
            {
                return SqliteValue.Null;
            }

            key = parts[1];
        }

        return record.TryGetValue(key, out var v) ? v : SqliteValue.Null;
    }

    private static SqliteValue ExtractJson(RequestContext r, SqliteValue path) =>
        path.Type != SqliteType.Text ? SqliteValue.Null : SqlFunctions.JsonExtractFromNode(r.TokenPayload, path, "->>", fixedJson: true);
}
