using System.Collections.Immutable;

namespace PowerSync.Core.Replication;

/// <summary>
/// One column value of a replicated row: a SQLite value, or the marker for an unchanged TOAST value
/// that Postgres did not send (which is not NULL: the stored value must be kept).
/// </summary>
internal readonly record struct ReplicatedValue(SqliteValue Value, bool IsUnchangedToast)
{
    /// <summary>The marker for an unchanged TOAST value.</summary>
    public static ReplicatedValue UnchangedToast => new(SqliteValue.Null, true);

    /// <summary>A present value.</summary>
    public static ReplicatedValue Of(SqliteValue value) => new(value, false);

    /// <inheritdoc />
    public override string ToString() => IsUnchangedToast ? "<unchanged toast>" : Value.ToString();
}

/// <summary>An immutable row from the replication stream: one value per column of its relation.</summary>
internal sealed class ReplicatedRow
{
    public ReplicatedRow(SourceRelation relation, ImmutableArray<ReplicatedValue> values)
    {
        if (values.Length != relation.Columns.Length)
        {
            throw new PowerSyncException(
                ReplicationErrorCodes.UnexpectedMessage,
                $"A row of {relation.QualifiedName} has {values.Length} values but its relation has {relation.Columns.Length} columns.");
        }
        Relation = relation;
        Values = values;
    }

    /// <summary>The table and column list the values belong to.</summary>
    public SourceRelation Relation { get; }

    /// <summary>Values in column order.</summary>
    public ImmutableArray<ReplicatedValue> Values { get; }

    /// <summary>True when some column is an unchanged TOAST value that must be filled from the stored row.</summary>
    public bool HasUnchangedToast => Values.Any(v => v.IsUnchangedToast);

    /// <summary>The value of a column by ordinal.</summary>
    public ReplicatedValue this[int ordinal] => Values[ordinal];

    /// <summary>The value of a column by name.</summary>
    /// <exception cref="KeyNotFoundException">No such column.</exception>
    public ReplicatedValue this[string columnName]
    {
        get
        {
            var index = Relation.IndexOf(columnName);
            return index >= 0 ? Values[index] : throw new KeyNotFoundException($"{Relation.QualifiedName} has no column '{columnName}'.");
        }
    }

    /// <summary>The replica identity columns' values, in column order (what identifies the row in storage).</summary>
    public IEnumerable<KeyValuePair<string, SqliteValue>> KeyValues =>
        Relation.Columns.Select((c, i) => (c, i)).Where(x => x.c.IsKey).Select(x => new KeyValuePair<string, SqliteValue>(x.c.Name, Values[x.i].Value));

    /// <summary>
    /// The row with every unchanged TOAST marker replaced by the stored value of that column (the row as it was
    /// before this change). Returns this row when it has no markers.
    /// </summary>
    /// <exception cref="KeyNotFoundException">A marked column is missing from <paramref name="storedRow"/>: the stored row is
    /// incomplete and the row must be read again from the source.</exception>
    public ReplicatedRow WithUnchangedToastFrom(IReadOnlyDictionary<string, SqliteValue> storedRow)
    {
        ArgumentNullException.ThrowIfNull(storedRow);
        if (!HasUnchangedToast) return this;
        var values = Values.ToBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            if (!values[i].IsUnchangedToast) continue;
            var name = Relation.Columns[i].Name;
            values[i] = storedRow.TryGetValue(name, out var stored)
                ? ReplicatedValue.Of(stored)
                : throw new KeyNotFoundException($"Column '{name}' of {Relation.QualifiedName} was not sent (unchanged TOAST value) and is not in the stored row.");
        }
        return new ReplicatedRow(Relation, values.MoveToImmutable());
    }

    /// <summary>The row as column name to SQLite value, for sync rules and storage.</summary>
    /// <exception cref="InvalidOperationException">The row still holds unchanged TOAST markers; merge them with <see cref="WithUnchangedToastFrom"/> first.</exception>
    public Dictionary<string, SqliteValue> ToSqliteRow()
    {
        if (HasUnchangedToast)
        {
            throw new InvalidOperationException(
                $"A row of {Relation.QualifiedName} has unchanged TOAST values that were not sent; merge them from the stored row first.");
        }
        var row = new Dictionary<string, SqliteValue>(Values.Length, StringComparer.Ordinal);
        for (var i = 0; i < Values.Length; i++) row[Relation.Columns[i].Name] = Values[i].Value;
        return row;
    }

    /// <summary>Column name and value pairs, in column order.</summary>
    public IEnumerable<KeyValuePair<string, ReplicatedValue>> Columns =>
        Relation.Columns.Select((c, i) => new KeyValuePair<string, ReplicatedValue>(c.Name, Values[i]));
}
