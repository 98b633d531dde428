using System.Globalization;
using PowerSync.Core.Admin;

namespace PowerSync.Tool;

/// <summary>The reports as people read them.</summary>
internal static class TextOutput
{
    public static async Task ValidationAsync(TextWriter o, RulesValidationReport report)
    {
        var rules = report.RulesFile is { } file ? $"the sync rules in {file}" : "the sync rules";
        foreach (var error in report.RulesErrors) await o.WriteLineAsync($"error   {error}").ConfigureAwait(false);
        foreach (var error in report.SourceErrors) await o.WriteLineAsync($"error   {error}").ConfigureAwait(false);
        foreach (var problem in report.Problems.Where(p => !RulesValidationReport.IsWarning(p))) await o.WriteLineAsync($"error   {problem}").ConfigureAwait(false);
        foreach (var warning in report.RulesWarnings) await o.WriteLineAsync($"warning {warning}").ConfigureAwait(false);
        foreach (var warning in report.SourceWarnings) await o.WriteLineAsync($"warning {warning}").ConfigureAwait(false);
        foreach (var problem in report.Problems.Where(RulesValidationReport.IsWarning)) await o.WriteLineAsync($"warning {problem}").ConfigureAwait(false);
        foreach (var note in report.Notes) await o.WriteLineAsync($"note    {note}").ConfigureAwait(false);

        var errors = report.RulesErrors.Count + report.SourceErrors.Count + report.Problems.Count(p => !RulesValidationReport.IsWarning(p));
        var warnings = report.RulesWarnings.Count + report.SourceWarnings.Count + report.Problems.Count(RulesValidationReport.IsWarning);
        var checkedRefs = $"{report.TableReferencesChecked} table reference(s) checked against the source database";
        await o.WriteLineAsync(errors == 0 && warnings == 0
            ? $"OK: {rules} match the source database ({checkedRefs})."
            : $"{errors} error(s), {warnings} warning(s) in {rules} ({checkedRefs}).").ConfigureAwait(false);
    }

    public static async Task PreviewAsync(TextWriter o, BucketPreview preview)
    {
        var version = preview.RulesVersion is { } v ? $"; sync rules version {v}" : "";
        await o.WriteLineAsync(Invariant(
            $"User {preview.UserId}: {preview.Buckets.Count} bucket(s), {preview.TotalRows} row(s){version} ({preview.SourceRowsRead} source row(s) read from {Join(preview.TablesRead)}).")).ConfigureAwait(false);
        if (preview.Buckets.Count > 0)
        {
            var width = Math.Max(6, preview.Buckets.Max(b => b.Bucket.Length));
            await o.WriteLineAsync($"  {"BUCKET".PadRight(width)}  PRIORITY      ROWS  BY TABLE").ConfigureAwait(false);
            foreach (var bucket in preview.Buckets)
            {
                var byTable = string.Join(", ", bucket.RowsByTable.Select(t => Invariant($"{t.Key} {t.Value}")));
                await o.WriteLineAsync(Invariant($"  {bucket.Bucket.PadRight(width)}  {bucket.Priority,8}  {bucket.Rows,8}  {byTable}")).ConfigureAwait(false);
            }
        }
        foreach (var note in preview.Notes) await o.WriteLineAsync($"note    {note}").ConfigureAwait(false);
        foreach (var error in preview.EvaluationErrors) await o.WriteLineAsync($"error   evaluating {error}").ConfigureAwait(false);
    }

    public static async Task StatusAsync(TextWriter o, StoreStatus status)
    {
        await o.WriteLineAsync($"Bucket store: {status.StorePath} ({status.Engine}, {Bytes(status.StoreBytes)})").ConfigureAwait(false);
        if (status.SourceWalLsn is { } lsn) await o.WriteLineAsync($"Source WAL position: {lsn}").ConfigureAwait(false);
        if (status.SourceError is { } error) await o.WriteLineAsync($"Source: cannot be queried: {error}").ConfigureAwait(false);
        if (status.Versions.Count == 0) await o.WriteLineAsync("No sync rules deployed yet.").ConfigureAwait(false);
        var history = status.Versions.Where(v => v.State == "terminated" && v.SlotName is null).Select(v => v.Id).ToList();
        foreach (var version in status.Versions.Where(v => !(v.State == "terminated" && v.SlotName is null)))
        {
            var checkpoint = version.CheckpointOpId is { } op ? Invariant($"checkpoint op {op} at {version.CheckpointLsn}") : "no checkpoint yet";
            var snapshot = version.SnapshotDone ? "snapshot done" : "snapshot in progress";
            await o.WriteLineAsync($"Version {version.Id}: {version.State}, {snapshot}, {checkpoint}").ConfigureAwait(false);
            if (version.SlotName is null) continue;
            await o.WriteLineAsync($"  slot {version.SlotName}: {Slot(version.Slot)}").ConfigureAwait(false);
        }
        if (history.Count > 0) await o.WriteLineAsync($"Terminated (history): version(s) {string.Join(", ", history)}").ConfigureAwait(false);
    }

    public static Task CompactionAsync(TextWriter o, CompactionReport report) =>
        o.WriteLineAsync(report.RulesVersion is { } version
            ? Invariant($"Compacted sync rules version {version} in {report.Duration.TotalSeconds:0.0} s: {report.BucketsScanned} bucket(s), {report.OpsScanned} op(s) read, {report.OpsMoved} turned into MOVE, {report.OpsCleared} removed into CLEAR ops.")
            : "Nothing to compact: the bucket store has no checkpoint yet (no version is active).");

    private static string Slot(ReplicationSlotStatus? slot)
    {
        if (slot is null) return "not queried (give --connection to see it)";
        if (!slot.Exists) return "does not exist at the source";
        var parts = new List<string> { slot.Active ? "streaming" : "inactive (nothing streams from it)" };
        if (slot.WalStatus is { } wal) parts.Add($"WAL {wal}");
        if (slot.ConfirmedFlushLsn is { } confirmed) parts.Add($"confirmed {confirmed}");
        if (slot.RetainedWalBytes is { } retained) parts.Add($"retains {Bytes(retained)} of WAL");
        if (slot.LagBytes is { } lag) parts.Add($"lag {Bytes(lag)}" + (slot.Lag is { } time ? Invariant($" ({time.TotalSeconds:0.000} s)") : ""));
        return string.Join(", ", parts);
    }

    private static string Join(IReadOnlyList<string> items) => items.Count == 0 ? "no table" : string.Join(", ", items);

    /// <summary>Bytes for people: B, KiB, MiB, GiB.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => Invariant($"{bytes} B"),
        < 1024 * 1024 => Invariant($"{bytes / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => Invariant($"{bytes / (1024.0 * 1024):0.0} MiB"),
        _ => Invariant($"{bytes / (1024.0 * 1024 * 1024):0.00} GiB"),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
