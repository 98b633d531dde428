using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Replication;
using PowerSync.Core.Storage;

namespace PowerSync.Tests.Storage;

/// <summary>Stored encodings that must never change: existing stores and clients depend on them.</summary>
public sealed class RowIdentityTests
{
    // SHA-256 of "table\0replica id", first 16 bytes with UUID version 5 bits (computed independently).
    [TestCase("public.items", "42", "86483d7e-0ec7-519f-a0ff-dc543be235fc")]
    [TestCase("public.todos", "[\"a\",1]", "5366e96f-d982-54ba-b412-1e59a21c59ec")]
    [TestCase("s.t", "ü€😀", "9c33ccec-5b47-5017-a260-e53579c9db2d")]
    public void Subkeys_are_stable_uuid_shaped_hashes_of_table_and_replica_id(string table, string replicaId, string expected) =>
        Assert.That(SourceRowIdentity.Subkey(table, replicaId), Is.EqualTo(expected));

    [Test]
    public void A_subkey_of_a_long_replica_id_is_hashed_whole()
    {
        var longId = new string('x', 5000);
        Assert.That(SourceRowIdentity.Subkey("public.t", longId), Is.Not.EqualTo(SourceRowIdentity.Subkey("public.t", longId[..4999])));
    }

    [Test]
    public void Memberships_round_trip_through_their_stored_encoding()
    {
        var membership = new RowMembership(
            [new BucketMembership("by_list[\"ü\"]", "todos", "t1"), new BucketMembership(new string('b', 300), "", "t1")],
            ["lookup[1]", ""]);
        var decoded = RowMembership.Decode(membership.Encode());
        Assert.That(decoded.Buckets, Is.EqualTo(membership.Buckets));
        Assert.That(decoded.Lookups, Is.EqualTo(membership.Lookups));
        Assert.That(RowMembership.Decode(RowMembership.Empty.Encode()).Buckets, Is.Empty);
    }

    [Test]
    public void Memberships_keep_the_layout_stores_already_hold()
    {
        // 1 bucket ("b", "t", "i"), 1 lookup ("l"): counts and lengths as 7-bit integers, strings as UTF-8.
        var encoded = new RowMembership([new BucketMembership("b", "t", "i")], ["l"]).Encode();
        Assert.That(encoded, Is.EqualTo(new byte[] { 1, 1, (byte)'b', 1, (byte)'t', 1, (byte)'i', 1, 1, (byte)'l' }));
    }

    [Test]
    public void A_corrupt_membership_is_an_error_not_garbage() =>
        Assert.Throws<InvalidDataException>(() => RowMembership.Decode([1, 5, (byte)'b']));

    [Test]
    public void Raw_rows_keep_the_layout_stores_already_hold_and_round_trip_every_type()
    {
        var row = new Dictionary<string, SqliteValue>(StringComparer.Ordinal)
        {
            ["i"] = SqliteValue.FromInteger(-2),
            ["r"] = SqliteValue.FromReal(1.5),
            ["t"] = SqliteValue.FromText("ü"),
            ["b"] = SqliteValue.FromBlob([1, 2]),
            ["n"] = SqliteValue.Null,
        };
        var encoded = RawRowCodec.Encode(row);
        // Layout of BinaryWriter: count, then name, type byte, value (int64/double little-endian, strings and blobs length-prefixed).
        Assert.That(encoded[..12], Is.EqualTo(new byte[] { 5, 1, (byte)'i', (byte)SqliteType.Integer, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }));
        var decoded = RawRowCodec.Decode(encoded);
        Assert.That(decoded.Keys, Is.EquivalentTo(row.Keys));
        Assert.That(decoded["i"].AsInteger, Is.EqualTo(-2));
        Assert.That(decoded["r"].AsReal, Is.EqualTo(1.5));
        Assert.That(decoded["t"].AsText, Is.EqualTo("ü"));
        Assert.That(decoded["b"].AsBlob, Is.EqualTo(new byte[] { 1, 2 }));
        Assert.That(decoded["n"].Type, Is.EqualTo(SqliteType.Null));
        Assert.Throws<InvalidDataException>(() => RawRowCodec.Decode(encoded[..10]));
    }
}
