namespace PowerSync.Core.Storage;

/// <summary>A bucket's checksum (sum of op checksums mod 2^32) and op count at a checkpoint.</summary>
internal readonly record struct BucketChecksum(string Bucket, uint Checksum, long Count)
{
    /// <summary>The checksum as the protocol sends it: a signed 32-bit integer.</summary>
    public int WireChecksum => unchecked((int)Checksum);
}
