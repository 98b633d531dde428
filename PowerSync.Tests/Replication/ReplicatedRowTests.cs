using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Replication;

namespace PowerSync.Tests.Replication;

public sealed class ReplicatedRowTests
{
    private static readonly SourceRelation Docs = new(
        1, "public", "docs", ReplicaIdentityKind.Default,
        [new SourceColumn("id", 23, -1, true), new SourceColumn("title", 25, -1, false), new SourceColumn("body", 25, -1, false)]);

    private static ReplicatedRow Row(params ReplicatedValue[] values) => new(Docs, [.. values]);

    [Test]
    public void Unchanged_toast_values_are_filled_from_the_stored_row_and_others_kept()
    {
        var row = Row(ReplicatedValue.Of(SqliteValue.FromInteger(1)), ReplicatedValue.Of(SqliteValue.Null), ReplicatedValue.UnchangedToast);
        var stored = new Dictionary<string, SqliteValue> { ["id"] = SqliteValue.FromInteger(1), ["title"] = SqliteValue.FromText("old"), ["body"] = SqliteValue.FromText("big") };

        var merged = row.WithUnchangedToastFrom(stored);

        Assert.That(merged.ToSqliteRow(), Is.EqualTo(new Dictionary<string, SqliteValue>
        {
            ["id"] = SqliteValue.FromInteger(1), ["title"] = SqliteValue.Null, ["body"] = SqliteValue.FromText("big"),
        }));
        Assert.That(merged.HasUnchangedToast, Is.False);
        Assert.Throws<InvalidOperationException>(() => row.ToSqliteRow());
        Assert.Throws<KeyNotFoundException>(() => row.WithUnchangedToastFrom(new Dictionary<string, SqliteValue>()));
    }

    [Test]
    public void Key_values_are_the_replica_identity_columns()
    {
        var row = Row(ReplicatedValue.Of(SqliteValue.FromInteger(7)), ReplicatedValue.Of(SqliteValue.FromText("t")), ReplicatedValue.Of(SqliteValue.Null));

        Assert.That(row.KeyValues, Is.EqualTo(new[] { new KeyValuePair<string, SqliteValue>("id", SqliteValue.FromInteger(7)) }));
        Assert.That(row["title"].Value, Is.EqualTo(SqliteValue.FromText("t")));
        Assert.Throws<KeyNotFoundException>(() => _ = row["missing"]);
    }

    [Test]
    public void A_row_must_have_one_value_per_column()
    {
        var ex = Assert.Throws<PowerSyncException>(() => _ = new ReplicatedRow(Docs, [ReplicatedValue.Of(SqliteValue.Null)]));
        Assert.That(ex!.Code, Is.EqualTo(ReplicationErrorCodes.UnexpectedMessage));
    }
}
