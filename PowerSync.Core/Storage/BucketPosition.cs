namespace PowerSync.Core.Storage;

/// <summary>Where a bucket read starts.</summary>
internal readonly record struct BucketPosition(string Bucket, OpId After);
