using PowerSync.Client.Tables;

namespace PowerSync.Client.LocalDatabase;

/// <summary>
/// Applies a schema without migrations: data tables are created or dropped (rows of dropped synced
/// tables move to <c>ps_untyped</c>, rows of new synced tables come back from it), and every
/// generated view, trigger and index is regenerated.
/// </summary>
internal static class SchemaManager
{
    public static async Task ApplyAsync(SqlContext db, Schema schema, CancellationToken cancellationToken)
    {
        await db.RunAsync(InternalTables.CreateSql, cancellationToken).ConfigureAwait(false);
        // Checked here, not in the SQL: an UPDATE guarded by the mark would still scan the whole op log on every open.
        if (await db.ScalarAsync("SELECT EXISTS(SELECT 1 FROM ps_kv WHERE key = ?)", cancellationToken, InternalTables.OplogKeyFormat).ConfigureAwait(false) is 0L)
            await db.RunAsync(InternalTables.MigrateOplogKeysSql, cancellationToken).ConfigureAwait(false);

        // Generated views and triggers go first; they are recreated below.
        var generated = await db.GetAllAsync<NameAndType>(
            "SELECT name, type FROM sqlite_master WHERE (type = 'view' AND sql LIKE '%' || ?) OR (type = 'trigger' AND name LIKE 'ps_view_%')",
            [ViewSql.Marker], cancellationToken).ConfigureAwait(false);
        foreach (var item in generated.Where(g => g.Type == "trigger"))
            await db.RunAsync($"DROP TRIGGER IF EXISTS {ViewSql.Id(item.Name)}", cancellationToken).ConfigureAwait(false);
        foreach (var item in generated.Where(g => g.Type == "view"))
            await db.RunAsync($"DROP VIEW IF EXISTS {ViewSql.Id(item.Name)}", cancellationToken).ConfigureAwait(false);

        var existing = (await db.GetAllAsync<string>(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND (name GLOB 'ps_data__*' OR name GLOB 'ps_data_local__*')",
            null, cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var wanted = schema.Tables.ToDictionary(t => t.DataTableName, StringComparer.Ordinal);

        foreach (var name in existing.Where(n => !wanted.ContainsKey(n)))
        {
            if (name.StartsWith("ps_data__", StringComparison.Ordinal))
            {
                var type = name["ps_data__".Length..];
                await db.ExecuteAsync($"INSERT OR REPLACE INTO ps_untyped(type, id, data) SELECT ?, id, data FROM {ViewSql.Id(name)}", [type], cancellationToken).ConfigureAwait(false);
            }

            await db.RunAsync($"DROP TABLE {ViewSql.Id(name)}", cancellationToken).ConfigureAwait(false);
        }

        foreach (var (name, table) in wanted.Where(w => !existing.Contains(w.Key)))
        {
            await db.RunAsync($"CREATE TABLE {ViewSql.Id(name)}(id TEXT PRIMARY KEY NOT NULL, data TEXT)", cancellationToken).ConfigureAwait(false);
            if (table.IsSynced)
            {
                await db.ExecuteAsync($"INSERT INTO {ViewSql.Id(name)}(id, data) SELECT id, data FROM ps_untyped WHERE type = ?", [table.Name], cancellationToken).ConfigureAwait(false);
                await db.ExecuteAsync("DELETE FROM ps_untyped WHERE type = ?", [table.Name], cancellationToken).ConfigureAwait(false);
            }
        }

        var wantedIndexes = wanted.Values.SelectMany(ViewSql.Indexes).ToDictionary(i => i.Name, i => i.Sql, StringComparer.Ordinal);
        var existingIndexes = await db.GetAllAsync<NameAndSql>(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND (tbl_name GLOB 'ps_data__*' OR tbl_name GLOB 'ps_data_local__*') AND sql IS NOT NULL",
            null, cancellationToken).ConfigureAwait(false);
        foreach (var index in existingIndexes.Where(i => !wantedIndexes.TryGetValue(i.Name, out var sql) || sql != i.Sql))
            await db.RunAsync($"DROP INDEX {ViewSql.Id(index.Name)}", cancellationToken).ConfigureAwait(false);
        var kept = existingIndexes.Where(i => wantedIndexes.TryGetValue(i.Name, out var sql) && sql == i.Sql).Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, sql) in wantedIndexes.Where(i => !kept.Contains(i.Key)))
            await db.RunAsync(sql, cancellationToken).ConfigureAwait(false);

        foreach (var table in schema.Tables)
        {
            await db.RunAsync(ViewSql.View(table), cancellationToken).ConfigureAwait(false);
            foreach (var trigger in ViewSql.Triggers(table)) await db.RunAsync(trigger, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed record NameAndType(string Name, string Type);

    private sealed record NameAndSql(string Name, string Sql);
}
