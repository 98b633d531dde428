using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Streams;

/// <summary>One bucket parameter of a stream variant: how a row and a request instantiate it.</summary>
internal sealed class StreamParameter
{
    /// <summary>Values of this parameter a row belongs to (empty: the row matches no bucket).</summary>
    public required Func<IReadOnlyDictionary<string, SqliteValue>, List<ParamValue>> FilterRow { get; init; }

    /// <summary>Request-side values (static parameters), or null when the values come from a subquery.</summary>
    public Func<RequestContext, List<ParamValue>>? FromRequest { get; init; }

    /// <summary>The subquery whose results are the values (IN / &amp;&amp; subqueries).</summary>
    public CompiledSubquery? Subquery { get; init; }
}

/// <summary>
/// One OR branch of a stream's WHERE: bucket <c>stream|Id[params...]</c>. Rows are filtered by row
/// conditions and instantiate parameters; requests are filtered by request conditions and EXISTS
/// subqueries and instantiate parameters statically or from subquery results.
/// </summary>
internal sealed class StreamVariant(int id)
{
    public int Id { get; } = id;

    public List<StreamParameter> Parameters { get; } = [];

    public List<CompiledSubquery> Subqueries { get; } = [];

    public List<RowEvaluator> RowFilters { get; } = [];

    public List<RequestEvaluator> RequestFilters { get; } = [];

    public List<CompiledSubquery> ExistsFilters { get; } = [];

    public List<List<ParamValue>> InstantiationsForRow(IReadOnlyDictionary<string, SqliteValue> row)
    {
        foreach (var filter in RowFilters)
        {
            if (!SqlValueSemantics.IsTrue(filter(row)))
            {
                return [];
            }
        }

        var sets = new List<List<ParamValue>>(Parameters.Count);
        foreach (var parameter in Parameters)
        {
            var values = parameter.FilterRow(row);
            if (values.Count == 0)
            {
                return [];
            }

            sets.Add(values);
        }

        return Product(sets);
    }

    /// <summary>Request-side instantiation: null if a request filter fails or a static parameter has no value; entries are null for subquery parameters.</summary>
    public List<List<ParamValue>?>? PartialRequest(RequestContext request)
    {
        foreach (var filter in RequestFilters)
        {
            if (!SqlValueSemantics.IsTrue(filter(request)))
            {
                return null;
            }
        }

        var result = new List<List<ParamValue>?>(Parameters.Count);
        foreach (var parameter in Parameters)
        {
            if (parameter.FromRequest is null)
            {
                result.Add(null);
                continue;
            }

            var values = parameter.FromRequest(request);
            if (values.Count == 0)
            {
                return null;
            }

            result.Add(values);
        }

        return result;
    }

    /// <summary>Static instantiations (subquery variants): none when the variant itself needs subqueries.</summary>
    public List<List<ParamValue>> StaticInstantiations(RequestContext request)
    {
        if (Subqueries.Count > 0 || PartialRequest(request) is not { } partial || partial.Any(p => p is null))
        {
            return [];
        }

        return Product(partial!);
    }

    public static List<List<ParamValue>> Product(IReadOnlyList<List<ParamValue>> sets)
    {
        var result = new List<List<ParamValue>> { new() };
        foreach (var set in sets)
        {
            result = result.SelectMany(prefix => set.Select(v => new List<ParamValue>(prefix) { v })).ToList();
        }

        return result;
    }

    /// <summary>Values accepted as bucket parameters from requests and JSON arrays: NULL, text and numbers.</summary>
    public static ParamValue? AsParameter(JsonNode node) => node.Kind switch
    {
        JsonKind.Null => ParamValue.Of(SqliteValue.Null),
        JsonKind.String => ParamValue.Of(SqliteValue.FromText(node.Text)),
        JsonKind.Integer => ParamValue.Of(SqliteValue.FromInteger(node.Integer)),
        JsonKind.Real => ParamValue.Of(SqliteValue.FromReal(node.Real)),
        JsonKind.BigInteger => new ParamValue(SqliteValue.Null, node),
        _ => null,
    };
}

/// <summary>
/// A compiled <c>(SELECT column FROM table WHERE ...)</c>: rows of the table are indexed under lookup
/// keys (<c>[stream, query id, values...]</c>) with <c>[{"result": column}]</c> as parameters.
/// </summary>
internal sealed class CompiledSubquery(string stream, SourceTablePattern table, RowEvaluator column, IReadOnlyList<(StreamVariant Variant, string QueryId)> variants)
{
    /// <summary>The stream the subquery belongs to.</summary>
    public string Stream { get; } = stream;

    public SourceTablePattern Table { get; } = table;

    public void EvaluateRow(IReadOnlyDictionary<string, SqliteValue> row, List<EvaluatedParameterLookup> output)
    {
        var value = column(row);
        if (value.Type == SqliteType.Blob)
        {
            return;
        }

        var parameters = Queries.ParameterQuery.SerializeRows([new Queries.ParameterRow { ["result"] = ParamValue.Of(value) }]);
        foreach (var (variant, queryId) in variants)
        {
            foreach (var instantiation in variant.InstantiationsForRow(row))
            {
                output.Add(new EvaluatedParameterLookup(LookupKey(queryId, instantiation), parameters));
            }
        }
    }

    public IEnumerable<string> RequestLookups(RequestContext request) =>
        variants.SelectMany(v => v.Variant.StaticInstantiations(request).Select(i => LookupKey(v.QueryId, i)));

    private string LookupKey(string queryId, IEnumerable<ParamValue> values)
    {
        var sb = new System.Text.StringBuilder("[");
        JsonText.AppendString(sb, Stream);
        sb.Append(',');
        JsonText.AppendString(sb, queryId);
        foreach (var v in values)
        {
            sb.Append(',');
            v.AppendTo(sb);
        }

        return sb.Append(']').ToString();
    }
}
