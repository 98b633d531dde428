using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Queries;

/// <summary>
/// A parameter query over a source table: <c>SELECT org_id FROM users WHERE id = request.user_id()</c>.
/// Rows of the table are indexed by their lookup values; a request computes the same lookup keys
/// and storage returns the indexed parameter rows.
/// </summary>
internal sealed class TableParameterQuery(
    string definition, int index, SourceTablePattern table, IReadOnlyList<(string Name, RowEvaluator Eval)> columns, ParameterMatch where, int? priority, bool usesClientParameters)
    : ParameterQuery(definition, index, columns.Select(c => c.Name).ToList(), priority, usesClientParameters)
{
    public SourceTablePattern Table { get; } = table;

    public override IReadOnlyList<ParameterRow> EvaluateRequest(RequestContext request) => [];

    /// <summary>The lookup entries of one source row.</summary>
    public void EvaluateRow(IReadOnlyDictionary<string, SqliteValue> row, List<EvaluatedParameterLookup> output)
    {
        var matches = where.Filter(row);
        if (matches.Count == 0)
        {
            return;
        }

        var outputRow = new ParameterRow();
        foreach (var (name, eval) in columns)
        {
            // A BLOB output cannot be a bucket parameter; upstream serializes it as null.
            var value = eval(row);
            outputRow[name] = ParamValue.Of(value.Type == SqliteType.Blob ? SqliteValue.Null : value);
        }

        var parameters = SerializeRows([outputRow]);
        foreach (var match in matches)
        {
            output.Add(new EvaluatedParameterLookup(LookupKey(where.Inputs.Select(i => match[i.Key])), parameters));
        }
    }

    /// <summary>The lookup keys a request reads (expanding <c>IN</c> arrays into one key per element).</summary>
    public IReadOnlyList<string> RequestLookups(RequestContext request)
    {
        var combos = new List<List<ParamValue>> { new() };
        foreach (var input in where.Inputs)
        {
            var value = input.Lookup!(request);
            List<ParamValue> choices;
            if (input.Expands)
            {
                var text = SqlValueSemantics.ToText(value);
                var parsed = text is null ? null : JsonParser.TryParse(text, plainNumbers: true);
                if (parsed?.Items is null)
                {
                    return [];
                }

                choices = parsed.Items.Select(i => i.Kind switch
                {
                    JsonKind.Real => ParamValue.Of(SqliteValue.FromReal(i.Real)),
                    JsonKind.String => ParamValue.Of(SqliteValue.FromText(i.Text)),
                    _ => new ParamValue(SqliteValue.Null, i),
                }).ToList();
            }
            else
            {
                if (value.IsNull || value.Type == SqliteType.Blob)
                {
                    return []; // NULL never matches
                }

                choices = [ParamValue.Of(value)];
            }

            combos = combos.SelectMany(c => choices.Select(v => new List<ParamValue>(c) { v })).ToList();
        }

        return combos.Select(LookupKey).Distinct(StringComparer.Ordinal).ToList();
    }
}
