using PowerSync.Core.SyncRules.Expressions;

namespace PowerSync.Core.SyncRules.Queries;

/// <summary>
/// A parameter query without FROM: <c>SELECT request.user_id() AS user_id</c> or the filter-only
/// <c>SELECT WHERE token_parameters.is_admin</c>. Evaluated once per connection.
/// </summary>
internal sealed class StaticParameterQuery(
    string definition, int index, IReadOnlyList<(string Name, RequestEvaluator Eval)> columns, RequestEvaluator? where, int? priority, bool usesClientParameters)
    : ParameterQuery(definition, index, columns.Select(c => c.Name).ToList(), priority, usesClientParameters)
{
    public override IReadOnlyList<ParameterRow> EvaluateRequest(RequestContext request)
    {
        if (where is not null && !SqlValueSemantics.IsTrue(where(request)))
        {
            return [];
        }

        var row = new ParameterRow();
        foreach (var (name, eval) in columns)
        {
            var value = eval(request);
            row[name] = ParamValue.Of(value.Type == SqliteType.Blob ? SqliteValue.Null : value);
        }

        return [row];
    }
}
