namespace PowerSync.Client.Watch;

/// <summary>Tables that committed writes changed, as <see cref="PowerSyncDatabase.WatchChangesAsync"/> reports them.</summary>
/// <param name="Tables">The watched tables that changed since the last report, by the names the watch was given.</param>
public sealed record TableChanges(IReadOnlyList<string> Tables);
