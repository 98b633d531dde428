namespace PowerSync.Client.Tables;

/// <summary>
/// Records the previous values of a row in the upload queue entry (<c>"old"</c>) for updates and deletes.
/// </summary>
/// <param name="Columns">The columns to record; null records every column.</param>
/// <param name="OnlyWhenChanged">Record only the columns whose value changed.</param>
public sealed record TrackPreviousValues(IReadOnlyList<string>? Columns = null, bool OnlyWhenChanged = false);
