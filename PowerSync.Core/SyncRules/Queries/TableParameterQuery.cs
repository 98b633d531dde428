using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Queries;

/// <summary>
/// A parameter query over a source table: <c>SELECT org_id FROM users WHERE id = request.user_id()</c>.
/// Rows of the table are indexed by their lookup values; a request computes the same lookup keys
/// and storage returns the indexed parameter rows. Outputs that are request values
/// (<c>request.user_id() AS u</c>) are not stored: each request evaluates them once.
/// </summary>
internal sealed class TableParameterQuery(
    string definition,
    int index,
    SourceTablePattern table,
    IReadOnlyList<string> outputNames,
    IReadOnlyList<(string Name, RowEvaluator Eval)> columns,
    IReadOnlyList<(string Name, RequestEvaluator Eval)> requestColumns,
    ParameterMatch where,
    int? priority,
    bool usesClientParameters)
    : ParameterQuery(definition, index, outputNames, priority, usesClientParameters)
{
    public SourceTablePattern Table { get; } = table;

    /// <summary>
    /// The outputs computed from the request, added to every stored row of this request; null when one of them is
    /// a BLOB, which cannot be a bucket parameter (the query then gives this request no bucket, as upstream).
    /// </summary>
    public ParameterRow? RequestOutputs(RequestContext request)
    {
        var row = new ParameterRow();
        foreach (var (name, eval) in requestColumns)
        {
            var value = eval(request);
            if (value.Type == SqliteType.Blob)
            {
                return null;
            }

            row[name] = ParamValue.Of(value);
        }

        return row;
    }

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
                if (value.Type == SqliteType.Blob)
                {
                    return []; // A BLOB cannot be a lookup value; NULL can (rows indexed under NULL by IN are found)
                }

                choices = [ParamValue.Of(value)];
            }

            combos = combos.SelectMany(c => choices.Select(v => new List<ParamValue>(c) { v })).ToList();
        }

        return combos.Select(LookupKey).Distinct(StringComparer.Ordinal).ToList();
    }
}
