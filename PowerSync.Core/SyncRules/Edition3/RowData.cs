using System.Text;
using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Edition3;

/// <summary>
/// The synced record of a row as the official evaluator builds it: <c>*</c> assigns every non-blob
/// column, expressions set their alias (blobs left out), keys in JavaScript object order (integer-like
/// keys first, ascending, then insertion order); the id is the <c>id</c> value as text, else empty.
/// </summary>
internal static class RowData
{
    [ThreadStatic]
    private static StringBuilder? t_scratch;

    public static (string Id, string Data) Build(PreparedProcessor evaluator, IReadOnlyDictionary<string, SqliteValue> row, SqliteValue[] slots)
    {
        if (evaluator.FastKeys is { } keys)
        {
            return BuildFast(evaluator, keys, slots);
        }

        if (evaluator.StarOnly && !row.Keys.Any(IsArrayIndex))
        {
            return BuildStar(row);
        }

        var names = new List<string>();
        var values = new Dictionary<string, SqliteValue>(StringComparer.Ordinal);
        for (var i = 0; i < evaluator.Outputs.Length; i++)
        {
            var output = evaluator.Outputs[i];
            if (output is null)
            {
                foreach (var (name, value) in row)
                {
                    if (value.Type != SqliteType.Blob) Set(name, value);
                }

                continue;
            }

            var v = output(slots); // undefined still takes its key's place, then is left out of the JSON
            if (v.Type != SqliteType.Blob)
            {
                Set(evaluator.Processor.Columns[i].Name, v);
            }
        }

        var ordered = names.Where(IsArrayIndex).OrderBy(n => uint.Parse(n, System.Globalization.CultureInfo.InvariantCulture)).Concat(names.Where(n => !IsArrayIndex(n)));
        var sb = new StringBuilder("{");
        var first = true;
        foreach (var name in ordered)
        {
            if (values[name].IsUndefined) continue;
            if (!first) sb.Append(',');
            first = false;
            JsonText.AppendString(sb, name);
            sb.Append(':');
            JsonText.AppendDataValue(sb, values[name]);
        }

        var id = values.TryGetValue("id", out var idValue) ? IdText(idValue) : string.Empty;
        return (id, sb.Append('}').ToString());

        void Set(string name, SqliteValue value)
        {
            if (!values.ContainsKey(name)) names.Add(name);
            values[name] = value;
        }
    }

    private static StringBuilder Scratch()
    {
        var sb = t_scratch ??= new StringBuilder(256);
        if (sb.Capacity > 64 * 1024)
        {
            t_scratch = sb = new StringBuilder(256);
        }

        return sb.Clear();
    }

    private static string IdText(SqliteValue id) => id.Type == SqliteType.Text ? id.AsText : SqlValueSemantics.ToText(id) ?? string.Empty;

    /// <summary>Explicit columns with distinct names that are not array indexes: keys in column order, escaped once.</summary>
    private static (string Id, string Data) BuildFast(PreparedProcessor evaluator, string[] keys, SqliteValue[] slots)
    {
        var sb = Scratch().Append('{');
        var id = string.Empty;
        var first = true;
        for (var i = 0; i < keys.Length; i++)
        {
            var value = evaluator.Outputs[i]!(slots);
            if (i == evaluator.IdIndex)
            {
                id = IdText(value);
            }

            if (value.Type == SqliteType.Blob || value.IsUndefined)
            {
                continue;
            }

            if (!first) sb.Append(',');
            first = false;
            sb.Append(keys[i]);
            JsonText.AppendDataValue(sb, value);
        }

        return (id, sb.Append('}').ToString());
    }

    /// <summary><c>SELECT *</c> alone: the row's non-blob columns in row order (no integer-like names).</summary>
    private static (string Id, string Data) BuildStar(IReadOnlyDictionary<string, SqliteValue> row)
    {
        var sb = Scratch().Append('{');
        var first = true;
        foreach (var (name, value) in row)
        {
            if (value.Type == SqliteType.Blob) continue;
            if (!first) sb.Append(',');
            first = false;
            JsonText.AppendString(sb, name);
            sb.Append(':');
            JsonText.AppendDataValue(sb, value);
        }

        return (row.TryGetValue("id", out var id) && id.Type != SqliteType.Blob ? IdText(id) : string.Empty, sb.Append('}').ToString());
    }

    /// <summary>A canonical non-negative integer below 2^32 - 1: JavaScript orders such keys first.</summary>
    internal static bool IsArrayIndex(string name) =>
        name.Length > 0 && name.Length <= 10 && name.All(char.IsAsciiDigit) && (name == "0" || name[0] != '0')
        && ulong.Parse(name, System.Globalization.CultureInfo.InvariantCulture) < uint.MaxValue;
}
