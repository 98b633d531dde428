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
    public static (string Id, string Data) Build(PreparedProcessor evaluator, IReadOnlyDictionary<string, SqliteValue> row, SqliteValue[] slots)
    {
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

            var column = evaluator.OutputColumns[i];
            if (column is not null && !row.ContainsKey(column))
            {
                continue; // undefined: not part of the record
            }

            var v = output(slots);
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
            if (!first) sb.Append(',');
            first = false;
            JsonText.AppendString(sb, name);
            sb.Append(':');
            JsonText.AppendDataValue(sb, values[name]);
        }

        var id = values.TryGetValue("id", out var idValue) ? (idValue.Type == SqliteType.Text ? idValue.AsText : SqlValueSemantics.ToText(idValue) ?? string.Empty) : string.Empty;
        return (id, sb.Append('}').ToString());

        void Set(string name, SqliteValue value)
        {
            if (!values.ContainsKey(name)) names.Add(name);
            values[name] = value;
        }
    }

    /// <summary>A canonical non-negative integer below 2^32 - 1: JavaScript orders such keys first.</summary>
    private static bool IsArrayIndex(string name) =>
        name.Length > 0 && name.Length <= 10 && name.All(char.IsAsciiDigit) && (name == "0" || name[0] != '0')
        && ulong.Parse(name, System.Globalization.CultureInfo.InvariantCulture) < uint.MaxValue;
}
