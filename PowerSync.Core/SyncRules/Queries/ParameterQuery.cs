using System.Text;
using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Queries;

/// <summary>One output row of a parameter query: bucket parameter name → value.</summary>
internal sealed class ParameterRow : Dictionary<string, ParamValue>
{
    public ParameterRow()
        : base(StringComparer.Ordinal)
    {
    }
}

/// <summary>Common shape of the three kinds of parameter query.</summary>
internal abstract class ParameterQuery(string definition, int index, IReadOnlyList<string> outputNames, int? priority, bool usesClientParameters)
{
    public string Definition { get; } = definition;

    /// <summary>Position of the query in its definition's <c>parameters</c> list.</summary>
    public int Index { get; } = index;

    /// <summary>Bucket parameter names this query outputs, in SELECT order.</summary>
    public IReadOnlyList<string> OutputNames { get; } = outputNames;

    /// <summary>A <c>_priority</c> column's literal value, if any.</summary>
    public int? Priority { get; } = priority;

    /// <summary>True when the query reads client-controlled parameters (user_parameters, request.parameters()).</summary>
    public bool UsesClientParameters { get; } = usesClientParameters;

    /// <summary>Output rows computed from the request alone (static and json_each queries).</summary>
    public abstract IReadOnlyList<ParameterRow> EvaluateRequest(RequestContext request);

    /// <summary>Serializes parameter rows as stored in <see cref="EvaluatedParameterLookup.Parameters"/>.</summary>
    public static string SerializeRows(IEnumerable<ParameterRow> rows)
    {
        var sb = new StringBuilder("[");
        var firstRow = true;
        foreach (var row in rows)
        {
            if (!firstRow)
            {
                sb.Append(',');
            }

            firstRow = false;
            sb.Append('{');
            var first = true;
            foreach (var (k, v) in row)
            {
                if (!first)
                {
                    sb.Append(',');
                }

                first = false;
                JsonText.AppendString(sb, k);
                sb.Append(':');
                v.AppendTo(sb);
            }

            sb.Append('}');
        }

        return sb.Append(']').ToString();
    }

    /// <summary>Parses <see cref="EvaluatedParameterLookup.Parameters"/> text back into rows (exact numbers).</summary>
    public static List<ParameterRow> ParseRows(string json)
    {
        var node = JsonParser.Parse(json);
        var rows = new List<ParameterRow>();
        foreach (var item in node.Items ?? [])
        {
            var row = new ParameterRow();
            foreach (var (k, v) in item.Properties ?? [])
            {
                row[k] = v.Kind switch
                {
                    JsonKind.Integer => ParamValue.Of(SqliteValue.FromInteger(v.Integer)),
                    JsonKind.Real => ParamValue.Of(SqliteValue.FromReal(v.Real)),
                    JsonKind.String => ParamValue.Of(SqliteValue.FromText(v.Text)),
                    _ => new ParamValue(SqliteValue.Null, v),
                };
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The canonical lookup key: <c>["definition","index",value...]</c> in plain JSON.</summary>
    public string LookupKey(IEnumerable<ParamValue> values)
    {
        var sb = new StringBuilder("[");
        JsonText.AppendString(sb, Definition);
        sb.Append(',');
        JsonText.AppendString(sb, Index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var v in values)
        {
            sb.Append(',');
            v.AppendTo(sb);
        }

        return sb.Append(']').ToString();
    }
}
