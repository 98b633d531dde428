using System.Text.RegularExpressions;
using Npgsql;
using PowerSync.Core.SyncRules;

namespace PowerSync.Core.Replication;

/// <summary>
/// Checks sync rules against the real source database, so that a misconfiguration that would silently
/// give users no data is named: every table the rules read exists and is in the publication, every
/// column a query reads exists, the tables can identify their rows in updates and deletes, parameter
/// lookup tables exist, and no inactive slot of this store's naming keeps WAL. Each problem carries the
/// rules file, line and column of the reference. Used at start-up and callable on demand (a CLI).
/// </summary>
internal static partial class SyncRulesSourceValidator
{
    /// <summary>Reads what the check needs from the source (five queries on two connections) and evaluates it.</summary>
    /// <param name="dataSource">A normal (non-replication) connection to the source, as the replication role.</param>
    /// <param name="publicationName">The publication replication uses.</param>
    /// <param name="rules">The parsed rules (<see cref="SyncRulesSet.TableReferences"/> are what is checked).</param>
    /// <param name="slots">This store's slots: inactive slots among them that are in use are not reported.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <exception cref="PowerSyncException">The source could not be queried (<see cref="ReplicationErrorCodes.SourceQueryFailed"/>).</exception>
    public static async Task<IReadOnlyList<SourceValidationProblem>> ValidateAsync(
        NpgsqlDataSource dataSource, string publicationName, SyncRulesSet rules, StoreSlots slots, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var facts = await PostgresSourceChecker.ReadFactsAsync(dataSource, publicationName, null, cancellationToken).ConfigureAwait(false);
        var schemas = rules.TableReferences.Select(r => r.Table.Schema).Distinct(StringComparer.Ordinal).ToList();
        var schema = await SourceSchemaFacts.ReadAsync(dataSource, schemas, cancellationToken).ConfigureAwait(false);
        return Evaluate(rules, publicationName, facts, schema, slots);
    }

    /// <summary>Turns the facts into problems, in the order of the references in the rules, slots last (pure).</summary>
    public static IReadOnlyList<SourceValidationProblem> Evaluate(
        SyncRulesSet rules, string publicationName, SourceFacts facts, SourceSchemaFacts schema, StoreSlots slots)
    {
        var problems = new List<SourceValidationProblem>();
        var file = rules.FileName;
        if (facts.Publication is null)
        {
            // One problem, not one per table: the source check's own message says how to create it.
            var missing = PostgresSourceChecker.Evaluate(facts, publicationName).Errors.First(e => e.Code == ReplicationErrorCodes.PublicationMissing);
            problems.Add(new SourceValidationProblem(missing.Code, missing.Message));
        }

        var published = facts.Tables.ToDictionary(t => (t.Schema, t.Name));
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reference in rules.TableReferences)
        {
            var matches = schema.Tables.Keys.Where(k => reference.Table.Matches(k.Schema, k.Name)).Order().ToList();
            if (matches.Count == 0)
            {
                var code = reference.IsParameterLookup ? SourceValidationErrorCodes.ParameterTableMissing : SourceValidationErrorCodes.TableMissing;
                if (reported.Add(code + reference.Table)) problems.Add(At(reference, code, MissingTableMessage(reference, schema)));
                continue;
            }

            foreach (var key in matches)
            {
                var name = $"{key.Schema}.{key.Name}";
                if (facts.Publication is not null && !published.ContainsKey(key))
                {
                    if (reported.Add(SourceValidationErrorCodes.TableNotPublished + name))
                    {
                        problems.Add(At(reference, SourceValidationErrorCodes.TableNotPublished, schema.Views.Contains(key)
                            ? $"{name}, read by {reference.Describe()}, is a view: Postgres publishes only tables, so none of its rows replicate. " +
                              "Read the tables it is built on in the rules instead."
                            : $"Table {name}, read by {reference.Describe()}, is not in publication '{publicationName}', so none of its rows replicate. " +
                              $"Run: ALTER PUBLICATION {Quote(publicationName)} ADD TABLE {Sql(key)};", name));
                    }
                }
                else if (facts.Publication is not null && PostgresSourceChecker.ReplicaIdentityProblem(published[key]) is { } identity
                    && reported.Add(SourceValidationErrorCodes.ReplicaIdentityInadequate + name))
                {
                    problems.Add(At(reference, SourceValidationErrorCodes.ReplicaIdentityInadequate,
                        $"Table {name}, read by {reference.Describe()}, {identity}: Postgres rejects its updates and deletes while it is published, " +
                        $"and they cannot be replicated. Add a primary key, or run ALTER TABLE {Sql(key)} REPLICA IDENTITY FULL;", name));
                }

                var columns = schema.Tables[key];
                foreach (var column in reference.Columns)
                {
                    if (columns.Any(c => c.Name == column.Name)) continue;
                    var problem = new SourceValidationProblem(SourceValidationErrorCodes.ColumnMissing,
                        $"Column {column.Name} does not exist in {name}; {ColumnHint(column.Name, columns)}", file, column.Line, column.Column, name);
                    if (reported.Add(problem.ToString())) problems.Add(problem);
                }
            }
        }

        foreach (var slot in schema.InactiveSlots.Where(s => !slots.InUse.Contains(s)))
        {
            var drop = $"SELECT pg_drop_replication_slot('{slot}');";
            problems.Add(slots.Retired.TryGetValue(slot, out var version)
                ? new SourceValidationProblem(SourceValidationErrorCodes.RetiredSlotNotDropped,
                    $"Replication slot {slot} of retired sync rules version {version} is inactive, so Postgres keeps all WAL written since it was last used. " +
                    $"It is dropped automatically once nothing streams from it; if it stays, drop it: {drop}")
                : new SourceValidationProblem(SourceValidationErrorCodes.InactiveSlot,
                    $"Replication slot {slot} is inactive, so Postgres keeps all WAL written since it was last used. It is named like a PowerSync slot but " +
                    $"belongs to no version of this bucket store (left by a deleted or reset bucket store, or by a stopped instance with its own store). " +
                    $"If no instance uses it, drop it: {drop}"));
        }

        return problems;

        SourceValidationProblem At(SourceTableReference reference, string code, string message, string? table = null) =>
            new(code, message, file, reference.Line, reference.Column, table ?? reference.Table.ToString());
    }

    private static string MissingTableMessage(SourceTableReference reference, SourceSchemaFacts schema)
    {
        var table = reference.Table;
        var what = char.ToUpperInvariant(reference.Describe()[0]) + reference.Describe()[1..];
        var found = table.IsWildcard
            ? $"{what} reads the tables matching {table}, but no table in the source database matches"
            : $"{what} reads table {table}, which does not exist in the source database";
        var consequence = reference.IsParameterLookup ? ", so its lookups find nothing and no user gets its buckets" : string.Empty;
        var candidate = table.IsWildcard
            ? null
            : Closest(table.Table, schema.Tables.Keys.Where(k => k.Schema == table.Schema).Select(k => k.Name));
        var hint = candidate is not null ? $"; did you mean {table.Schema}.{candidate}?"
            : table.IsWildcard ? ". Create one, or correct the pattern in the rules." : ". Create it, or correct the name in the rules.";
        return found + consequence + hint;
    }

    private static string ColumnHint(string column, IReadOnlyList<SourceColumnFacts> columns)
    {
        var closest = Closest(column, columns.Select(c => c.Name));
        return closest is not null
            ? $"did you mean {closest} ({columns.First(c => c.Name == closest).Type})?"
            : $"its columns are {string.Join(", ", columns.Select(c => $"{c.Name} ({c.Type})"))}.";
    }

    /// <summary>The candidate nearest to <paramref name="name"/> in edit distance, if it is close enough to be a typo.</summary>
    private static string? Closest(string name, IEnumerable<string> candidates)
    {
        var limit = Math.Clamp(name.Length / 3, 1, 3);
        return candidates
            .Select(c => (Candidate: c, Distance: EditDistance(name, c)))
            .Where(c => c.Distance <= limit)
            .OrderBy(c => c.Distance).ThenBy(c => c.Candidate, StringComparer.Ordinal)
            .Select(c => c.Candidate)
            .FirstOrDefault();
    }

    /// <summary>Edit distance counting a swap of two neighbouring characters as one edit (titel/title), case-insensitive.</summary>
    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }

    /// <summary><c>schema.table</c> as SQL, quoting only names that need it.</summary>
    private static string Sql((string Schema, string Name) table) => $"{Quote(table.Schema)}.{Quote(table.Name)}";

    private static string Quote(string identifier) =>
        PlainIdentifier().IsMatch(identifier) ? identifier : "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex PlainIdentifier();
}
