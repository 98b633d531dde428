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

    /// <summary>Column name and value pairs, in column order.</summary>
    public IEnumerable<KeyValuePair<string, ReplicatedValue>> Columns =>
        Relation.Columns.Select((c, i) => new KeyValuePair<string, ReplicatedValue>(c.Name, Values[i]));
}
