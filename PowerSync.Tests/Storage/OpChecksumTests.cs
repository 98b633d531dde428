using NUnit.Framework;
using PowerSync.Core.Storage;

namespace PowerSync.Tests.Storage;

public sealed class OpChecksumTests
{
    // Values from the official service's storage snapshots (module-postgres-storage storage_sync.test.ts.snap).
    [TestCase("test", "a", """{"id":"a","description":"Test 1"}""", 2582164875u)]
    [TestCase("test", "b", """{"id":"b","description":"Test 2"}""", 3003552978u)]
    [TestCase("test", "t1", """{"id":"t1","description":"Test 1b"}""", 1859363232u)]
    [TestCase("test", "t2", """{"id":"t2","description":"Test 2b"}""", 3028503153u)]
    [TestCase("test", "t1", """{"id":"t1","description":"Test 1"}""", 920318466u)]
    [TestCase("test", "t2", """{"id":"t2","description":"Test 2"}""", 3280762209u)]
    public void Put_checksum_matches_the_official_service(string type, string id, string data, uint expected) =>
        Assert.That(OpChecksum.ForPut(type, id, data), Is.EqualTo(expected));

    [Test]
    public void Bucket_checksum_is_sent_as_signed_int32()
    {
        var total = new BucketChecksum("b", 2582164875u, 1);
        Assert.That(total.WireChecksum, Is.EqualTo(-1712802421));
    }

    [Test]
    public void Remove_checksum_hashes_delete_and_the_subkey()
    {
        // The first four bytes of sha256("delete.x"), read little-endian (this machine is little-endian).
        var expected = BitConverter.ToUInt32(System.Security.Cryptography.SHA256.HashData("delete.x"u8));
        Assert.That(OpChecksum.ForRemove("x"), Is.EqualTo(expected));
        Assert.That(OpChecksum.ForRemove("x"), Is.Not.EqualTo(OpChecksum.ForRemove("y")));
    }

    [Test]
    public void Long_data_and_non_ascii_text_hash_as_utf8()
    {
        var data = new string('é', 5000);
        var expected = BitConverter.ToUInt32(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("put.t.1." + data)));
        Assert.That(OpChecksum.ForPut("t", "1", data), Is.EqualTo(expected));
    }

    [Test]
    public void Sums_wrap_modulo_two_to_the_32() =>
        Assert.That(OpChecksum.Add(0xFFFFFFFFu, 2u), Is.EqualTo(1u));
}
