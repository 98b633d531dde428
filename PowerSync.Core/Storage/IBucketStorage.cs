namespace PowerSync.Core.Storage;

/// <summary>A bucket store: one object, narrow views for each user of it.</summary>
internal interface IBucketStorage : IAsyncDisposable
{
    IBucketStorageReader Reader { get; }
    ICheckpointWatcher Checkpoints { get; }
    IWriteCheckpointStore WriteCheckpoints { get; }
    IBucketCompactor Compactor { get; }
    IBucketStorageAdmin Admin { get; }
}
