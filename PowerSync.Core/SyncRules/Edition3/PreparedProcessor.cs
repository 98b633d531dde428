using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Edition3;

/// <summary>
/// A <see cref="RowProcessor"/> ready to run on replicated rows: the columns it reads, its json_each
/// expansions (inner-joined with the row), its filters, then its output and partition values per result row.
/// </summary>
internal sealed class PreparedProcessor
{
    private readonly string[] _inputColumns;
    private readonly (SlotEvaluator Input, int ValueSlot, int KeySlot)[] _functions;
    private readonly SlotEvaluator[] _filters;
    private readonly int _slotCount;

    public PreparedProcessor(RowProcessor processor)
    {
        Processor = processor;
        var columns = new List<string>();
        var functionSlots = new List<(TableValuedResultSet Fn, string Column, int Slot)>();
        var functionList = processor.Functions.ToList();
        var slotCount = 0;
        int SlotOf(DataSource source)
        {
            var column = (ColumnInRow)source;
            if (column.ResultSet is TableValuedResultSet fn && functionList.Contains(fn))
            {
                var found = functionSlots.FindIndex(f => ReferenceEquals(f.Fn, fn) && f.Column == column.Column);
                return found >= 0 ? functionSlots[found].Slot : throw new InvalidOperationException("unbound function column");
            }

            var index = columns.IndexOf(column.Column);
            if (index < 0)
            {
                columns.Add(column.Column);
                index = columns.Count - 1;
            }

            return index;
        }

        // Row columns take the first slots; function outputs follow once every column is known.
        var all = processor.Filters.Concat(processor.Partition.Select(p => p.Expression)).Concat(processor.Columns.Where(c => c.Expression is not null).Select(c => c.Expression!))
            .Concat(processor.Functions.SelectMany(f => f.Parameters.Select(p => p.Expression)));
        foreach (var d in all.SelectMany(PlanExpressions.Dependencies))
        {
            if (d is ColumnInRow { ResultSet: not TableValuedResultSet } || (d is ColumnInRow c && !functionList.Contains((TableValuedResultSet)c.ResultSet)))
            {
                SlotOf(d);
            }
        }

        slotCount = columns.Count;
        foreach (var fn in functionList)
        {
            functionSlots.Add((fn, "value", slotCount++));
            functionSlots.Add((fn, "key", slotCount++));
        }

        _slotCount = slotCount;
        var compiler = new PlanEvaluator(SlotOf);
        _functions = functionList.Select(fn =>
        {
            var input = fn.Parameters.Count == 1 ? compiler.Compile(fn.Parameters[0].Expression) : _ => SqliteValue.Null;
            var value = functionSlots.First(f => ReferenceEquals(f.Fn, fn) && f.Column == "value").Slot;
            return (input, value, value + 1);
        }).ToArray();
        _filters = processor.Filters.Select(compiler.Compile).ToArray();
        Outputs = processor.Columns.Select(c => c.Expression is null ? null : compiler.Compile(c.Expression)).ToArray();
        Partition = processor.Partition.Select(p => compiler.Compile(p.Expression)).ToArray();
        _inputColumns = columns.ToArray();
        var names = processor.Columns.Select(c => c.Name).ToList();
        if (processor.Columns.All(c => c.Expression is not null) && names.Distinct(StringComparer.Ordinal).Count() == names.Count && !names.Any(RowData.IsArrayIndex))
        {
            FastKeys = names.Select(n => JsonText.QuoteString(n) + ":").ToArray();
            IdIndex = names.IndexOf("id");
        }

        StarOnly = processor.Columns is [{ Expression: null }];
    }

    public RowProcessor Processor { get; }

    /// <summary>Escaped <c>"name":</c> per column when every column is an expression with a distinct, non-index name.</summary>
    public string[]? FastKeys { get; }

    /// <summary>The column named <c>id</c> in <see cref="FastKeys"/>, or -1.</summary>
    public int IdIndex { get; } = -1;

    /// <summary><c>SELECT *</c> and nothing else.</summary>
    public bool StarOnly { get; }

    /// <summary>Output expressions in column order; null for <c>*</c>.</summary>
    public SlotEvaluator?[] Outputs { get; }

    public SlotEvaluator[] Partition { get; }

    /// <summary>True when the processor expands no json_each: a source row gives at most one result row.</summary>
    public bool IsSingleRow => _functions.Length == 0;

    /// <summary>The one result row of a source row (processors without json_each), or null when a filter rejects it.</summary>
    public SqliteValue[]? SingleRow(IReadOnlyDictionary<string, SqliteValue> row)
    {
        var slots = Load(row);
        foreach (var filter in _filters)
        {
            if (!SqlValueSemantics.IsTrue(filter(slots)))
            {
                return null;
            }
        }

        return slots;
    }

    private SqliteValue[] Load(IReadOnlyDictionary<string, SqliteValue> row)
    {
        var slots = new SqliteValue[_slotCount];
        for (var i = 0; i < _inputColumns.Length; i++)
        {
            slots[i] = row.TryGetValue(_inputColumns[i], out var v) ? v : SqliteValue.Undefined; // as JavaScript reads a missing property
        }

        return slots;
    }

    /// <summary>The slot rows of one source row that pass the filters (one per combination of json_each elements).</summary>
    public List<SqliteValue[]> Rows(IReadOnlyDictionary<string, SqliteValue> row)
    {
        if (IsSingleRow)
        {
            return SingleRow(row) is { } single ? [single] : [];
        }

        var result = new List<SqliteValue[]>(1);
        Expand(Load(row), 0, result);
        return result;
    }

    private void Expand(SqliteValue[] slots, int function, List<SqliteValue[]> result)
    {
        if (function == _functions.Length)
        {
            foreach (var filter in _filters)
            {
                if (!SqlValueSemantics.IsTrue(filter(slots)))
                {
                    return;
                }
            }

            result.Add(_functions.Length == 0 ? slots : (SqliteValue[])slots.Clone());
            return;
        }

        var (input, valueSlot, keySlot) = _functions[function];
        var argument = input(slots);
        if (argument.IsUndefined)
        {
            throw new SqlEvaluationException("Expected json_each to be called with a string, got undefined");
        }

        foreach (var (key, value) in JsonEach(argument))
        {
            slots[valueSlot] = value;
            slots[keySlot] = key;
            Expand(slots, function + 1, result);
        }
    }

    /// <summary>json_each as the official engine computes it: JSON.parse, booleans 1/0, containers as JSON text.</summary>
    public static List<(SqliteValue Key, SqliteValue Value)> JsonEach(SqliteValue input)
    {
        if (input.IsNull)
        {
            return [];
        }

        if (input.Type != SqliteType.Text)
        {
            throw new SqlEvaluationException($"Expected json_each to be called with a string, got {SqlValueSemantics.ToText(input)}");
        }

        var parsed = JsonParser.TryParse(input.AsText, plainNumbers: true) ?? throw new SqlEvaluationException("Expected JSON string");
        return parsed.Kind switch
        {
            JsonKind.Array => parsed.Items!.Select((v, i) => (SqliteValue.FromInteger(i), SqlValueSemantics.FromJson(v, fixedJson: true))).ToList(),
            JsonKind.Object => parsed.Properties!.Select(p => (SqliteValue.FromText(p.Key), SqlValueSemantics.FromJson(p.Value, fixedJson: true))).ToList(),
            _ => [(SqliteValue.Null, SqlValueSemantics.FromJson(parsed, fixedJson: true))],
        };
    }

    /// <summary>A value that can be a bucket parameter or lookup value: not NULL, not a blob.</summary>
    public static bool IsValidParameter(SqliteValue value) => value.Type is SqliteType.Integer or SqliteType.Real or SqliteType.Text;
}
