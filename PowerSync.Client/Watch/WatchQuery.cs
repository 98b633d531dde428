using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using PowerSync.Client.LocalDatabase;

namespace PowerSync.Client.Watch;

/// <summary>
/// A watched query: emits the current result, then re-runs (throttled, trailing edge) whenever a
/// committed write touches a table the query reads. The tables are resolved once with <c>EXPLAIN</c>
/// (<c>OpenRead</c> root pages mapped to <c>sqlite_master</c>).
/// </summary>
internal static class WatchQuery
{
    public static async IAsyncEnumerable<IReadOnlyList<T>> RunAsync<T>(ConnectionPool pool, string sql, IReadOnlyList<object?>? args, TimeSpan throttle,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        HashSet<string>? tables = null;
        using var subscription = pool.Changes.Subscribe(changed =>
        {
            var watched = Volatile.Read(ref tables);
            if (watched is null || watched.Overlaps(changed)) signal.Writer.TryWrite(true);
        });
        Volatile.Write(ref tables, await ResolveTablesAsync(pool, sql, args, cancellationToken).ConfigureAwait(false));
        while (true)
        {
            signal.Reader.TryRead(out _);
            var rows = await pool.ReadAsync(db => db.GetAllAsync<T>(sql, args, cancellationToken), cancellationToken).ConfigureAwait(false);
            yield return rows;
            await signal.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (throttle > TimeSpan.Zero) await Task.Delay(throttle, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static Task<HashSet<string>> ResolveTablesAsync(ConnectionPool pool, string sql, IReadOnlyList<object?>? args, CancellationToken cancellationToken) =>
        pool.ReadAsync(async db =>
        {
            var plan = await db.GetAllAsync<Dictionary<string, object?>>("EXPLAIN " + sql, args, cancellationToken).ConfigureAwait(false);
            var pages = plan
                .Where(r => r["opcode"] as string == "OpenRead" && Convert.ToInt64(r["p3"], CultureInfo.InvariantCulture) == 0)
                .Select(r => Convert.ToInt64(r["p2"], CultureInfo.InvariantCulture))
                .Distinct()
                .ToList();
            if (pages.Count == 0) return new HashSet<string>(StringComparer.Ordinal);
            var names = await db.GetAllAsync<string>(
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE rootpage IN (SELECT value FROM json_each(?))",
                [System.Text.Json.JsonSerializer.Serialize(pages)], cancellationToken).ConfigureAwait(false);
            return names.ToHashSet(StringComparer.Ordinal);
        }, cancellationToken);
}
