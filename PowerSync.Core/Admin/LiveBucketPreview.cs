using Npgsql;
using PowerSync.Core.Replication;
using PowerSync.Core.SyncRules;

namespace PowerSync.Core.Admin;

/// <summary>
/// Which buckets a user would get, and how many rows each, computed from the source database as it is now:
/// every row of the published tables the rules read is read the way the initial snapshot reads it (chunks of
/// <see cref="PostgresSnapshotReader.DefaultChunkSize"/>, values mapped by the same <see cref="PostgresValueMapper"/>)
/// and evaluated by the same <see cref="SyncRulesSet"/> calls replication makes. Parameter tables are read
/// first to resolve the user's buckets, then the data tables are counted. Memory holds one chunk and one
/// counter per bucket of the user, whatever the size of the tables.
/// </summary>
internal static class LiveBucketPreview
{
    /// <summary>Distinct evaluation error messages kept in a preview.</summary>
    private const int MaxErrors = 20;

    /// <summary>Buckets one connection may sync by default (<c>MaxBucketsPerConnection</c>).</summary>
    private const int DefaultMaxBuckets = 1_000;

    public static async Task<BucketPreview> RunAsync(
        NpgsqlDataSource source, string publicationName, SyncRulesSet rules, long? rulesVersion, string payloadJson, PreviewRequest request,
        List<string> notes, CancellationToken cancellationToken)
    {
        var resolution = rules.ResolveRequest(new RequestParameters(payloadJson, request.ParametersJson));
        var errors = new ErrorLog();
        foreach (var error in resolution.Errors) errors.Add(error.Definition, error.Message);

        var published = await PublishedTables.ReadAsync(source, publicationName, cancellationToken).ConfigureAwait(false);
        var mapper = new PostgresValueMapper(new PostgresTypeCatalog(source), new ValueMappingOptions(rules.TimestampsIso8601, rules.CustomPostgresTypes));
        var reader = new PostgresSnapshotReader(source, mapper);
        long rowsRead = 0;
        var tablesRead = new List<string>();
        foreach (var pattern in rules.SourceTables)
        {
            if (!published.Any(t => pattern.Matches(t.Schema, t.Name)))
                notes.Add($"No published table matches {pattern} (publication '{publicationName}'): replication copies none of its rows, so the preview reads none either.");
        }

        var buckets = new List<ResolvedBucket>(resolution.StaticBuckets);
        if (resolution.HasDynamicBuckets && resolution.Lookups.Count > 0)
        {
            var wanted = resolution.Lookups.ToHashSet(StringComparer.Ordinal);
            var found = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var (schema, name) in published.Where(t => rules.ParameterTables.Any(p => p.Matches(t.Schema, t.Name))))
            {
                rowsRead += await ReadTableAsync(reader, schema, name, tablesRead, row =>
                {
                    foreach (var lookup in rules.EvaluateParameterRow(schema, name, row))
                    {
                        if (!wanted.Contains(lookup.Lookup)) continue;
                        if (!found.TryGetValue(lookup.Lookup, out var list)) found[lookup.Lookup] = list = [];
                        list.Add(lookup.Parameters);
                    }
                }, cancellationToken).ConfigureAwait(false);
            }
            var seen = buckets.Select(b => b.Bucket).ToHashSet(StringComparer.Ordinal);
            buckets.AddRange(resolution.ResolveLookups(found.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value, StringComparer.Ordinal))
                .Where(b => seen.Add(b.Bucket)));
        }
        if (buckets.Count > DefaultMaxBuckets)
        {
            notes.Add($"{buckets.Count} buckets: more than the default MaxBucketsPerConnection ({DefaultMaxBuckets}), so the sync stream would fail with PSYNC_S2305 unless it is raised.");
        }

        var counts = buckets.ToDictionary(b => b.Bucket, _ => new Dictionary<string, long>(StringComparer.Ordinal), StringComparer.Ordinal);
        if (counts.Count > 0)
        {
            var memberships = new HashSet<(string, string, string)>();
            foreach (var (schema, name) in published.Where(t => rules.DataTables.Any(p => p.Matches(t.Schema, t.Name))))
            {
                rowsRead += await ReadTableAsync(reader, schema, name, tablesRead, row =>
                {
                    var evaluated = rules.EvaluateRow(schema, name, row);
                    foreach (var error in evaluated.Errors) errors.Add(error.Definition, error.Message);
                    // Storage keeps one row per bucket and client identity of a source row, however many queries produce it.
                    memberships.Clear();
                    foreach (var result in evaluated.Rows)
                    {
                        if (!counts.TryGetValue(result.Bucket, out var byTable) || !memberships.Add((result.Bucket, result.ObjectType, result.ObjectId))) continue;
                        byTable[result.ObjectType] = byTable.GetValueOrDefault(result.ObjectType) + 1;
                    }
                }, cancellationToken).ConfigureAwait(false);
            }
        }

        var previewBuckets = buckets
            .OrderBy(b => b.Priority).ThenBy(b => b.Bucket, StringComparer.Ordinal)
            .Select(b => new PreviewBucket(b.Bucket, b.Definition, b.Priority, counts[b.Bucket].Values.Sum(),
                counts[b.Bucket].OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)))
            .ToList();
        return new BucketPreview(request.UserId, rulesVersion, previewBuckets, rowsRead, tablesRead.Distinct(StringComparer.Ordinal).ToList(), notes, errors.Messages());
    }

    /// <summary>Streams a table's rows chunk by chunk through <paramref name="evaluate"/>; returns how many there were.</summary>
    private static async Task<long> ReadTableAsync(
        PostgresSnapshotReader reader, string schema, string name, List<string> tablesRead, Action<IReadOnlyDictionary<string, SqliteValue>> evaluate, CancellationToken cancellationToken)
    {
        var table = await reader.DescribeTableAsync(schema, name, cancellationToken).ConfigureAwait(false);
        tablesRead.Add($"{schema}.{name}");
        long rows = 0;
        await foreach (var chunk in reader.ReadChunksAsync(table, null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var row in chunk.Rows) evaluate(row.ToSqliteRow());
            rows += chunk.Rows.Count;
        }
        return rows;
    }

    /// <summary>Distinct evaluation errors (by query and message) with how often each occurred, the first <see cref="MaxErrors"/> kept.</summary>
    private sealed class ErrorLog
    {
        private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

        public void Add(string definition, string message)
        {
            var key = $"{definition}: {message}";
            if (_counts.TryGetValue(key, out var count)) _counts[key] = count + 1;
            else if (_counts.Count < MaxErrors) _counts[key] = 1;
        }

        public List<string> Messages() =>
            _counts.Select(p => p.Value == 1 ? p.Key : $"{p.Key} ({p.Value} times)").ToList();
    }
}
