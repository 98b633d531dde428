using System.Globalization;
using System.Text;
using PowerSync.Client.Tables;

namespace PowerSync.Client.LocalDatabase;

/// <summary>
/// Generates a table's view and its INSTEAD OF triggers. Synced writes go to <c>ps_data__&lt;t&gt;</c>
/// and to the upload queue <c>ps_crud</c> with the JSON the official core writes:
/// <c>{"op","id","type","data"?,"old"?,"metadata"?}</c>, where <c>data</c> is <c>powersync_diff</c>
/// (sorted keys, nulls dropped for PUT, changed keys only for PATCH).
/// </summary>
internal static class ViewSql
{
    public const string Marker = "-- powersync-auto-generated";
    private const string AllocateTx = "UPDATE ps_tx SET current_tx = next_tx, next_tx = next_tx + 1 WHERE id = 1 AND current_tx IS NULL";

    public static string Id(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    public static string View(Table table)
    {
        var sb = new StringBuilder("CREATE VIEW ").Append(Id(table.ViewName)).Append("(\"id\"");
        foreach (var c in table.Columns) sb.Append(", ").Append(Id(c.Name));
        if (table.Options.TrackMetadata) sb.Append(", \"_metadata\", \"_deleted\"");
        sb.Append(") AS SELECT id");
        foreach (var c in table.Columns) sb.Append(", CAST(json_extract(data, ").Append(Literal("$." + c.Name)).Append(") as ").Append(c.SqlType).Append(')');
        if (table.Options.TrackMetadata) sb.Append(", NULL, NULL");
        return sb.Append(" FROM ").Append(Id(table.DataTableName)).Append(' ').Append(Marker).ToString();
    }

    public static string JsonObject(string prefix, IEnumerable<Column> columns)
    {
        // json_object takes at most 100 arguments by default: chunks of 50 pairs are merged with json_patch.
        var chunks = columns.Chunk(50).Select(chunk => "json_object(" + string.Join(", ", chunk.Select(c => Literal(c.Name) + ", " + prefix + "." + Id(c.Name))) + ")").ToList();
        if (chunks.Count == 0) return "json_object()";
        return chunks.Skip(1).Aggregate(chunks[0], (acc, next) => $"json_patch({acc}, {next})");
    }

    /// <summary>
    /// A JSON object of the columns' non-null values, keys in ordinal order (as the official core's serde map writes
    /// them): the object built in that order, then each null column's key removed (a column that is not null removes
    /// <c>$[0]</c>, which names nothing in an object). One JSON function call per 100 columns, no table scan or sort.
    /// </summary>
    public static string NonNullObject(string prefix, IEnumerable<Column> columns)
    {
        var sorted = columns.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        var json = JsonObject(prefix, sorted);
        foreach (var chunk in sorted.Chunk(100))
        {
            var paths = chunk.Select(c => $"CASE WHEN {prefix}.{Id(c.Name)} IS NULL THEN {Literal("$." + c.Name)} ELSE '$[0]' END");
            json = $"json_remove({json}, {string.Join(", ", paths)})";
        }

        return json;
    }

    public static IEnumerable<string> Triggers(Table table)
    {
        var view = table.ViewName;
        var data = Id(table.DataTableName);
        var type = Literal(table.Name);
        var newObject = JsonObject("NEW", table.Columns);
        var meta = table.Options.TrackMetadata;

        // INSERT
        var insert = new StringBuilder($"CREATE TRIGGER {Id("ps_view_insert_" + view)} INSTEAD OF INSERT ON {Id(view)} FOR EACH ROW BEGIN\n");
        if (table.IsSynced)
            insert.Append("SELECT CASE WHEN (NEW.id IS NULL) THEN RAISE (FAIL, 'id is required') WHEN (typeof(NEW.id) != 'text') THEN RAISE (FAIL, 'id should be text') END;\n");
        // powersync_diff('{}', obj) in plain SQL: non-null columns, keys sorted (no call into .NET per write).
        var putData = NonNullObject("NEW", table.Columns);
        if (table.Options.InsertOnly && table.IsSynced)
        {
            insert.Append(AllocateTx).Append(";\n");
            insert.Append(CultureInfo.InvariantCulture, $"INSERT INTO ps_crud(tx_id, data) SELECT current_tx, json_object('op', 'PUT', 'type', {type}, 'id', NEW.id, 'data', {putData}) FROM ps_tx WHERE id = 1;\n");
        }
        else
        {
            insert.Append(CultureInfo.InvariantCulture, $"INSERT INTO {data}(id, data) SELECT NEW.id, {newObject};\n");
            if (table.IsSynced) insert.Append(Crud(table, "PUT", "NEW.id", putData, null, meta ? "NEW._metadata" : null, null));
        }

        yield return insert.Append("END").ToString();
        if (table.Options.InsertOnly && table.IsSynced) yield break;

        // UPDATE
        var oldObject = JsonObject("OLD", table.Columns);
        var update = new StringBuilder($"CREATE TRIGGER {Id("ps_view_update_" + view)} INSTEAD OF UPDATE ON {Id(view)} FOR EACH ROW ");
        if (meta) update.Append("WHEN NEW._deleted IS NOT TRUE ");
        update.Append("BEGIN\nSELECT CASE WHEN (OLD.id != NEW.id) THEN RAISE (FAIL, 'Cannot update id') END;\n");
        update.Append(CultureInfo.InvariantCulture, $"UPDATE {data} SET data = {newObject} WHERE id = NEW.id;\n");
        if (table.IsSynced)
        {
            var patch = $"json(powersync_diff({oldObject}, {newObject}))";
            var condition = table.Options.IgnoreEmptyUpdates ? $"{patch} != '{{}}'" : null;
            update.Append(Crud(table, "PATCH", "NEW.id", patch, OldValues(table, updating: true), meta ? "NEW._metadata" : null, condition));
        }

        yield return update.Append("END").ToString();

        // DELETE
        var delete = new StringBuilder($"CREATE TRIGGER {Id("ps_view_delete_" + view)} INSTEAD OF DELETE ON {Id(view)} FOR EACH ROW BEGIN\n");
        delete.Append(CultureInfo.InvariantCulture, $"DELETE FROM {data} WHERE id = OLD.id;\n");
        if (table.IsSynced) delete.Append(Crud(table, "DELETE", "OLD.id", null, OldValues(table, updating: false), null, null));
        yield return delete.Append("END").ToString();

        if (meta && table.IsSynced)
        {
            // DELETE cannot carry metadata: UPDATE ... SET _deleted = TRUE, _metadata = ... deletes with it.
            var delete2 = new StringBuilder($"CREATE TRIGGER {Id("ps_view_delete2_" + view)} INSTEAD OF UPDATE ON {Id(view)} FOR EACH ROW WHEN NEW._deleted IS TRUE BEGIN\n");
            delete2.Append(CultureInfo.InvariantCulture, $"DELETE FROM {data} WHERE id = OLD.id;\n");
            delete2.Append(Crud(table, "DELETE", "OLD.id", null, OldValues(table, updating: true), "NEW._metadata", null));
            yield return delete2.Append("END").ToString();
        }
    }

    private static string? OldValues(Table table, bool updating)
    {
        if (table.Options.TrackPreviousValues is not { } track) return null;
        var columns = track.Columns is null ? table.Columns : table.Columns.Where(c => track.Columns.Contains(c.Name)).ToList();
        var old = JsonObject("OLD", columns);
        return track.OnlyWhenChanged && updating ? $"json(powersync_diff({JsonObject("NEW", columns)}, {old}))" : old;
    }

    private static string Crud(Table table, string op, string idExpr, string? data, string? old, string? metadata, string? condition)
    {
        var where = condition is null ? "" : " AND " + condition;
        var parts = $"'op', '{op}', 'id', {idExpr}, 'type', {Literal(table.Name)}"
            + (data is null ? "" : $", 'data', {data}")
            + (old is null ? "" : $", 'old', {old}");
        var entry = metadata is null
            ? $"json_object({parts})"
            : $"CASE WHEN typeof({metadata}) = 'text' THEN json_object({parts}, 'metadata', {metadata}) ELSE json_object({parts}) END";
        var sb = new StringBuilder();
        sb.Append(AllocateTx).Append(where).Append(";\n");
        sb.Append(CultureInfo.InvariantCulture, $"INSERT INTO ps_crud(tx_id, data) SELECT current_tx, {entry} FROM ps_tx WHERE id = 1{where};\n");
        sb.Append(CultureInfo.InvariantCulture, $"INSERT OR IGNORE INTO ps_updated_rows(row_type, row_id) SELECT {Literal(table.Name)}, {idExpr} WHERE 1{where};\n");
        sb.Append(CheckpointKeys.SetGateSql(where));
        return sb.ToString();
    }

    public static IEnumerable<(string Name, string Sql)> Indexes(Table table)
    {
        foreach (var index in table.Indexes)
        {
            var name = table.DataTableName + "__" + index.Name;
            var columns = string.Join(", ", index.Columns.Select(ic =>
            {
                var type = table.Columns.First(c => c.Name == ic.Name).SqlType;
                return $"CAST(json_extract(data, {Literal("$." + ic.Name)}) as {type})" + (ic.Ascending ? "" : " DESC");
            }));
            yield return (name, $"CREATE INDEX {Id(name)} ON {Id(table.DataTableName)}({columns})");
        }
    }
}
