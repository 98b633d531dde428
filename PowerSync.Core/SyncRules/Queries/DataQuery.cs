using System.Text;
using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Queries;

/// <summary>
/// A compiled data query: <c>SELECT columns FROM table WHERE ...</c>. For a row it yields the bucket
/// parameter assignments (from <c>bucket.p = col</c> / <c>bucket.p IN json_col</c>) and the row data.
/// </summary>
internal sealed class DataQuery
{
    private readonly (string Name, RowEvaluator Eval, string? Column)?[] _columns; // null entry = SELECT *
    private readonly ParameterMatch _where;
    private readonly string[] _parameterKeys;

    public DataQuery(SourceTablePattern table, string? outputTable, (string, RowEvaluator, string?)?[] columns, ParameterMatch where, string[] parameterKeys)
    {
        Table = table;
        OutputTableOverride = outputTable;
        _columns = columns;
        _where = where;
        _parameterKeys = parameterKeys;
        var names = columns.Select(c => c?.Item1).ToList();
        if (names.All(n => n is not null && !JsonNode.IsArrayIndex(n)) && names.Distinct(StringComparer.Ordinal).Count() == names.Count)
        {
            // Fast path: explicit, distinct columns. Keys are pre-escaped once.
            _fastKeys = columns.Select((c, i) => (i == 0 ? string.Empty : ",") + JsonText.QuoteString(c!.Value.Item1) + ":").ToArray();
            _idIndex = names.IndexOf("id");
        }
        _wildcardOnly = columns is [null];
    }

    /// <summary><c>SELECT *</c> and nothing else: the data is the row's columns as they are (no names to merge).</summary>
    private readonly bool _wildcardOnly;

    [ThreadStatic]
    private static StringBuilder? t_scratch;

    private readonly string[]? _fastKeys;
    private readonly int _idIndex = -1;

    public SourceTablePattern Table { get; }

    /// <summary>The FROM alias, which becomes object_type; null uses the source table's name.</summary>
    public string? OutputTableOverride { get; }

    /// <summary>Evaluates one row: appends (bucket parameter suffix, object type, id, data) entries.</summary>
    public void Evaluate(string tableName, IReadOnlyDictionary<string, SqliteValue> row, string bucketPrefix, List<EvaluatedRow> output)
    {
        // Wildcard tables expose the matched suffix as _table_suffix (not included by SELECT *).
        row = WithTableSuffix(tableName, row);

        var matches = _where.Filter(row);
        if (matches.Count == 0)
        {
            return;
        }

        // Rows are evaluated one at a time per thread (replicators run on their own): one builder per thread.
        var sb = t_scratch ??= new StringBuilder(256);
        var (id, data) = BuildData(row, sb);
        if (sb.Capacity > 64 * 1024) t_scratch = null;
        var objectType = OutputTableOverride ?? tableName;
        if (_parameterKeys.Length == 0)
        {
            var bucket = bucketPrefix + "[]";
            foreach (var _ in matches)
            {
                output.Add(new EvaluatedRow(bucket, objectType, id, data));
            }

            return;
        }

        foreach (var match in matches)
        {
            sb.Clear().Append(bucketPrefix).Append('[');
            for (var i = 0; i < _parameterKeys.Length; i++)
            {
                if (i > 0)
                {
                    sb.Append(',');
                }

                match[_parameterKeys[i]].AppendTo(sb);
            }

            output.Add(new EvaluatedRow(sb.Append(']').ToString(), objectType, id, data));
        }
    }

    /// <summary>Object type, id and data JSON of a row (streams decide the buckets themselves).</summary>
    public (string ObjectType, string Id, string Data) BuildRow(string tableName, IReadOnlyDictionary<string, SqliteValue> row)
    {
        var (id, data) = BuildData(row, new StringBuilder(128));
        return (OutputTableOverride ?? tableName, id, data);
    }

    private (string Id, string Data) BuildData(IReadOnlyDictionary<string, SqliteValue> row, StringBuilder scratch)
    {
        if (_fastKeys is not null)
        {
            return BuildDataFast(row, scratch);
        }

        if (_wildcardOnly && !HasArrayIndexColumn(row))
        {
            return BuildDataWildcard(row, scratch);
        }

        var (names, values) = CollectColumns(row);
        var sb = new StringBuilder("{");
        var first = true;
        foreach (var name in names)
        {
            AppendMember(sb, ref first, name, values[name]);
        }

        return (IdText(values.GetValueOrDefault("id")), sb.Append('}').ToString());
    }

    /// <summary>
    /// The row's output columns as typed values, in data order, for tools and tests: what
    /// <see cref="EvaluatedRow.Data"/> holds (BLOBs and undefined values are left out there, and here).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, SqliteValue>> BuildValues(string tableName, IReadOnlyDictionary<string, SqliteValue> row)
    {
        var (names, values) = CollectColumns(WithTableSuffix(tableName, row));
        return names.Where(n => values[n] is { Type: not SqliteType.Blob, IsUndefined: false })
            .Select(n => new KeyValuePair<string, SqliteValue>(n, values[n]))
            .ToList();
    }

    private IReadOnlyDictionary<string, SqliteValue> WithTableSuffix(string tableName, IReadOnlyDictionary<string, SqliteValue> row) =>
        Table.IsWildcard
            ? new Dictionary<string, SqliteValue>(row) { ["_table_suffix"] = SqliteValue.FromText(tableName[Math.Min(tableName.Length, Table.Table.Length - 1)..]) }
            : row;

    /// <summary>The output column names in JavaScript object order, and their values.</summary>
    private (List<string> Names, Dictionary<string, SqliteValue> Values) CollectColumns(IReadOnlyDictionary<string, SqliteValue> row)
    {
        // JavaScript object semantics: a repeated name keeps its first position and takes the last value.
        var names = new List<string>();
        var values = new Dictionary<string, SqliteValue>(StringComparer.Ordinal);
        foreach (var column in _columns)
        {
            if (column is null)
            {
                // SELECT *: columns starting with '_' are skipped, and an earlier non-NULL output
                // column of the same name is kept (JavaScript `output[key] ??= row[key]`).
                foreach (var (k, v) in row)
                {
                    if (!k.StartsWith('_') && (!values.TryGetValue(k, out var existing) || existing.IsNull))
                    {
                        Set(k, v);
                    }
                }
            }
            else if (column.Value.Column is null || row.ContainsKey(column.Value.Column))
            {
                // A column missing from the row is undefined upstream and left out of the data.
                Set(column.Value.Name, column.Value.Eval(row));
            }
        }

        // JavaScript object key order: array-index names ("0", "10") first, ascending; then the rest in order.
        if (names.Exists(JsonNode.IsArrayIndex))
        {
            names = names.Where(JsonNode.IsArrayIndex).OrderBy(n => uint.Parse(n, System.Globalization.CultureInfo.InvariantCulture))
                .Concat(names.Where(n => !JsonNode.IsArrayIndex(n))).ToList();
        }

        return (names, values);

        void Set(string name, SqliteValue value)
        {
            if (!values.ContainsKey(name))
            {
                names.Add(name);
            }

            values[name] = value;
        }
    }

    /// <summary>
    /// <c>SELECT *</c> alone, as the general path builds it: every column not starting with '_', in row
    /// order, blobs left out of the data; the id is the row's <c>id</c>.
    /// </summary>
    /// <summary>Whether a source column is named like an array index (then the general path orders the keys).</summary>
    private static bool HasArrayIndexColumn(IReadOnlyDictionary<string, SqliteValue> row)
    {
        if (row is Dictionary<string, SqliteValue> concrete)
        {
            foreach (var name in concrete.Keys)
            {
                if (name.Length > 0 && char.IsAsciiDigit(name[0]) && JsonNode.IsArrayIndex(name)) return true;
            }

            return false;
        }

        foreach (var (name, _) in row)
        {
            if (name.Length > 0 && char.IsAsciiDigit(name[0]) && JsonNode.IsArrayIndex(name)) return true;
        }

        return false;
    }

    private static (string Id, string Data) BuildDataWildcard(IReadOnlyDictionary<string, SqliteValue> row, StringBuilder sb)
    {
        sb.Clear().Append('{');
        var first = true;
        if (row is Dictionary<string, SqliteValue> concrete)
        {
            // The concrete type's enumerator is a struct: no allocation per row.
            foreach (var (name, value) in concrete)
            {
                if (!name.StartsWith('_')) AppendMember(sb, ref first, name, value);
            }
        }
        else
        {
            foreach (var (name, value) in row)
            {
                if (!name.StartsWith('_')) AppendMember(sb, ref first, name, value);
            }
        }

        return (IdText(row.TryGetValue("id", out var id) ? id : default), sb.Append('}').ToString());
    }

    /// <summary>Appends <c>"name":value</c> to the data object being built; blobs are not synced and left out.</summary>
    private static void AppendMember(StringBuilder sb, ref bool first, string name, SqliteValue value)
    {
        if (value.Type == SqliteType.Blob || value.IsUndefined)
        {
            return; // as upstream: blobs are not JSON, and undefined members are not written
        }

        if (!first)
        {
            sb.Append(',');
        }

        first = false;
        JsonText.AppendString(sb, name);
        sb.Append(':');
        JsonText.AppendDataValue(sb, value);
    }

    /// <summary>The object id: the <c>id</c> column as text (empty when it has none).</summary>
    /// <summary>The object id: the id column as text; a BLOB (never part of the data) or a missing id gives "".</summary>
    private static string IdText(SqliteValue id) => id.Type switch
    {
        SqliteType.Text => id.AsText,
        SqliteType.Blob => string.Empty,
        _ => SqlValueSemantics.ToText(id) ?? string.Empty,
    };

    private (string Id, string Data) BuildDataFast(IReadOnlyDictionary<string, SqliteValue> row, StringBuilder sb)
    {
        sb.Clear().Append('{');
        var id = string.Empty;
        var first = true;
        for (var i = 0; i < _columns.Length; i++)
        {
            var (_, eval, column) = _columns[i]!.Value;
            if (column is not null && !row.ContainsKey(column))
            {
                continue; // undefined upstream: left out of the data
            }

            var value = eval(row);
            if (i == _idIndex)
            {
                id = IdText(value);
            }

            if (value.Type == SqliteType.Blob || value.IsUndefined)
            {
                continue;
            }

            var key = _fastKeys![i];
            sb.Append(key, first && key.Length > 0 && key[0] == ',' ? 1 : 0, first && key.Length > 0 && key[0] == ',' ? key.Length - 1 : key.Length);
            first = false;
            JsonText.AppendDataValue(sb, value);
        }

        return (id, sb.Append('}').ToString());
    }
}
