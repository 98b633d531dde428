using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Queries;

/// <summary>
/// <c>SELECT value AS p FROM json_each(request.jwt() -&gt; 'ids') [WHERE ...]</c>: a request-time table of
/// the JSON array's elements (plain JSON.parse semantics: numbers are REAL, legacy null is 'null').
/// </summary>
internal sealed class JsonEachParameterQuery(
    string definition, int index, ParamEval source, IReadOnlyList<(string Name, Clause Value)> columns, Clause where, bool fixedJson, int? priority, bool usesClientParameters)
    : ParameterQuery(definition, index, columns.Select(c => c.Name).ToList(), priority, usesClientParameters)
{
    public override IReadOnlyList<ParameterRow> EvaluateRequest(RequestContext request)
    {
        var text = SqlValueOps.ToText(source(request));
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
                ["value"] = SqlValueOps.FromJson(value, fixedJson),
            };
            if (!Matches(element, request))
            {
                continue;
            }

            var row = new ParameterRow();
            var valid = true;
            foreach (var (name, clause) in columns)
            {
                var v = clause.IsRowValue ? clause.RowEvaluator(element) : clause.ParamEvaluator(request);
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
            case ClauseKind.Static:
            case ClauseKind.Row:
                return SqlValueOps.IsTrue(where.RowEvaluator(element));
            case ClauseKind.Parameter:
                return SqlValueOps.IsTrue(where.ParamEvaluator(request));
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
                            all &= rowValue.Raw is null && !rowValue.Value.IsNull && SqlValueOps.IsTrue(SqlValueOps.In(rowValue.Value, requestValue));
                        }
                        else
                        {
                            all &= rowValue.Raw is null && !requestValue.IsNull && SqlValueOps.Compare(rowValue.Value, requestValue) == 0;
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
