using System.Diagnostics;

namespace PowerSync.Core.Storage;

/// <summary>
/// Told how one storage commit goes, for traces and metrics (replication passes one only while someone listens).
/// Calls come in this order, each from the thread doing that step: <see cref="Made"/> on the writer's,
/// <see cref="Durable"/> and <see cref="Visible"/> on the one that flushed the commit to disk.
/// </summary>
internal interface ICommitObserver
{
    /// <summary>The trace context of the commit, recorded with its checkpoint so sessions sending it can link to it.</summary>
    ActivityContext Trace { get; }

    /// <summary>
    /// The commit is made in the store, not yet durable: <paramref name="ops"/> ops written since the previous commit,
    /// in <paramref name="buckets"/> buckets; <paramref name="checkpoint"/> is its new checkpoint (null while held back).
    /// </summary>
    void Made(long ops, int buckets, Checkpoint? checkpoint);

    /// <summary>The commit would survive a power cut (after its fsync with full sync; at once without).</summary>
    void Durable();

    /// <summary>Its checkpoint was published to sync sessions (not called when the commit had none to publish).</summary>
    void Visible();
}
