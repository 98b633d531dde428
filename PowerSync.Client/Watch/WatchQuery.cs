using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using PowerSync.Client.LocalDatabase;

namespace PowerSync.Client.Watch;

/// <summary>
/// A watched query: emits the current result, then re-runs (throttled, trailing edge) whenever a
/// committed write touches a table the query reads. The tables are resolved once with <c>EXPLAIN</c>
/// (<c>OpenRead</c> root pages mapped to <c>sqlite_master</c>), unless the watch names them. Also the
/// changes of tables alone, without a query (<see cref="ChangesAsync"/>).
/// </summary>
internal static class WatchQuery
{
    public static async IAsyncEnumerable<IReadOnlyList<T>> RunAsync<T>(ConnectionPool pool, string sql, IReadOnlyList<object?>? args,
        IReadOnlyDictionary<string, string>? namedTables, TimeSpan throttle, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        HashSet<string>? tables = namedTables is null ? null : new HashSet<string>(namedTables.Keys, StringComparer.Ordinal);
        using var subscription = pool.Changes.Subscribe(changed =>
        {
            var watched = Volatile.Read(ref tables);
            if (watched is null || watched.Overlaps(changed)) signal.Writer.TryWrite(true);
        });
        if (tables is null) Volatile.Write(ref tables, await ResolveTablesAsync(pool, sql, args, cancellationToken).ConfigureAwait(false));
        while (true)
        {
            signal.Reader.TryRead(out _);
            var rows = await pool.ReadAsync(db => db.GetAllAsync<T>(sql, args, cancellationToken), cancellationToken).ConfigureAwait(false);
            yield return rows;
            await signal.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (throttle > TimeSpan.Zero) await Task.Delay(throttle, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reports which of <paramref name="tables"/> (SQLite table name to the name given by the app) committed writes
    /// changed: after the first change, waits <paramref name="throttle"/> and reports every change since, together.
    /// </summary>
    public static async IAsyncEnumerable<TableChanges> ChangesAsync(ConnectionPool pool, IReadOnlyDictionary<string, string> tables, TimeSpan throttle,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var changed = new SortedSet<string>(StringComparer.Ordinal);
        using var subscription = pool.Changes.Subscribe(written =>
        {
            lock (changed)
            {
                foreach (var table in written)
                {
                    if (tables.TryGetValue(table, out var name)) changed.Add(name);
                }

                if (changed.Count > 0) signal.Writer.TryWrite(true);
            }
        });
        while (true)
        {
            await signal.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (throttle > TimeSpan.Zero) await Task.Delay(throttle, cancellationToken).ConfigureAwait(false);
            string[] names;
            lock (changed)
            {
                signal.Reader.TryRead(out _);
                names = [.. changed];
                changed.Clear();
            }

            yield return new TableChanges(names);
        }
    }

    /// <summary>
    /// The SQLite tables behind table names an app gives (a schema table's or view's name is its data table; other
    /// names are SQLite tables as they are), each mapped to the name given; null: every table of the schema.
    /// </summary>
    public static Dictionary<string, string> TablesNamed(Tables.Schema schema, IEnumerable<string>? names)
    {
        var tables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (names is null)
        {
            foreach (var table in schema.Tables) tables[table.DataTableName] = table.Name;
            return tables;
        }

        foreach (var name in names)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new PowerSyncClientException(ClientErrorCodes.InvalidOptions, "A watched table name is empty.");
            var table = schema.Tables.FirstOrDefault(t => t.Name == name) ?? schema.Tables.FirstOrDefault(t => t.ViewName == name);
            tables[table?.DataTableName ?? name] = name;
        }

        return tables;
    }

    /// <summary>
    /// The tables <paramref name="sql"/> reads, from its plan's root pages. An <c>EXPLAIN</c> runs none of its plan,
    /// so it never learns that the schema changed: a prepared one would go on showing the plan of the schema it was
    /// prepared with, whose root pages may belong to an index a write has since dropped (a bulk download drops the op
    /// log's indexes). So the plan is prepared afresh, after a read of a table has begun the read transaction and
    /// brought the connection's schema up to date, and it agrees with <c>sqlite_master</c> in the same transaction.
    /// </summary>
    internal static Task<HashSet<string>> ResolveTablesAsync(ConnectionPool pool, string sql, IReadOnlyList<object?>? args, CancellationToken cancellationToken) =>
        pool.ReadAsync(async db =>
        {
            await db.ScalarAsync("SELECT 1 FROM ps_kv LIMIT 1", cancellationToken).ConfigureAwait(false);
            var pages = await RootPagesAsync(db, sql, args, cancellationToken).ConfigureAwait(false);
            if (pages.Count == 0) return new HashSet<string>(StringComparer.Ordinal);
            var names = await db.GetAllAsync<string>(
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE rootpage IN (SELECT value FROM json_each(?))",
                [System.Text.Json.JsonSerializer.Serialize(pages)], cancellationToken).ConfigureAwait(false);
            return names.ToHashSet(StringComparer.Ordinal);
        }, cancellationToken);

    /// <summary>The root pages of the main database's tables and indexes that the plan of <paramref name="sql"/> opens to read.</summary>
    private static async Task<List<long>> RootPagesAsync(SqlContext db, string sql, IReadOnlyList<object?>? args, CancellationToken cancellationToken)
    {
        using var explain = db.GetUncached("EXPLAIN " + sql, args);
        var pages = new List<long>();
        using var reader = await explain.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        int opcode = reader.GetOrdinal("opcode"), p2 = reader.GetOrdinal("p2"), p3 = reader.GetOrdinal("p3");
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.GetString(opcode) == "OpenRead" && reader.GetInt64(p3) == 0 && !pages.Contains(reader.GetInt64(p2))) pages.Add(reader.GetInt64(p2));
        }

        return pages;
    }
}
