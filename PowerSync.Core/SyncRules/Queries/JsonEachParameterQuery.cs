using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Queries;

/// <summary>
/// <c>SELECT value AS p FROM json_each(request.jwt() -&gt; 'ids') [WHERE ...]</c>: a request-time table of
/// the JSON array's elements (plain JSON.parse semantics: numbers are REAL, legacy null is 'null').
/// </summary>
internal sealed class JsonEachParameterQuery(
    string definition, int index, RequestEvaluator source, IReadOnlyList<(string Name, CompiledExpression Value)> columns, CompiledExpression where, bool fixedJson, int? priority, bool usesClientParameters)
    : ParameterQuery(definition, index, columns.Select(c => c.Name).ToList(), priority, usesClientParameters)
{
    public override IReadOnlyList<ParameterRow> EvaluateRequest(RequestContext request)
    {
        var text = SqlValueSemantics.ToText(source(request));
        if (text is null)
        {
            return [];
        }

        var parsed = JsonParser.TryParse(text, plainNumbers: true) ?? throw new SqlEvaluationException($"json_each: invalid JSON {text}");
        var rows = new List<ParameterRow>();
        IEnumerable<(SqliteValue Key, JsonNode Value)> elements = parsed.Kind == JsonKind.Array
            ? parsed.Items!.Select((v, i) => (Key: SqliteValue.FromInteger(i), Value: v))
            : parsed.Kind == JsonKind.Object
                ? parsed.Properties!.Select(p => (Key: SqliteValue.FromText(p.Key), p.Value))
                : [(Key: SqliteValue.Null, Value: parsed)];
        foreach (var (key, value) in elements)
        {
            var element = new Dictionary<string, SqliteValue>(StringComparer.Ordinal)
            {
                ["key"] = key,
                ["value"] = SqlValueSemantics.FromJson(value, fixedJson),
            };
            if (!Matches(element, request))
            {
                continue;
            }

            var row = new ParameterRow();
            var valid = true;
            foreach (var (name, output) in columns)
            {
                var v = output.IsRowValue ? output.RowEvaluator(element) : output.RequestEvaluator(request);
                valid &= v.Type != SqliteType.Blob;
                row[name] = ParamValue.Of(v);
            }

            if (valid)
            {
                rows.Add(row);
            }
        }

        return rows;
    }

    private bool Matches(Dictionary<string, SqliteValue> element, RequestContext request)
    {
        switch (where.Kind)
        {
            case CompiledExpressionKind.Static:
            case CompiledExpressionKind.Row:
                return SqlValueSemantics.IsTrue(where.RowEvaluator(element));
            case CompiledExpressionKind.Parameter:
                return SqlValueSemantics.IsTrue(where.RequestEvaluator(request));
            default:
                foreach (var assignment in where.Match!.Filter(element))
                {
                    var all = true;
                    foreach (var input in where.Match.Inputs)
                    {
                        var requestValue = input.Lookup!(request);
                        var rowValue = assignment[input.Key];
                        if (input.Expands)
                        {
                            all &= rowValue.Raw is null && !rowValue.Value.IsNull && SqlValueSemantics.IsTrue(SqlValueSemantics.In(rowValue.Value, requestValue));
                        }
                        else
                        {
                            all &= rowValue.Raw is null && !requestValue.IsNull && SqlValueSemantics.Compare(rowValue.Value, requestValue) == 0;
                        }
                    }

                    if (all)
                    {
                        return true;
                    }
                }

                return false;
        }
    }
}
