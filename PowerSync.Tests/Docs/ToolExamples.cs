using PowerSync.Core.Admin;
using PowerSync.Core.Hosting;

namespace PowerSync.Tests.Docs;

/// <summary>The code of docs/tool.md, run by Tool/ToolPreviewTests.</summary>
internal static class ToolExamples
{
    /// <summary>Refuses rules that do not match the database, and logs what a test user would sync.</summary>
    public static async Task<BucketPreview> CheckRulesAsync(PowerSyncOptions options, TextWriter log, CancellationToken ct)
    {
        // docs:begin tool-admin-api
        var admin = new PowerSyncAdmin(PowerSyncAdminOptions.From(options));
        var report = await admin.ValidateAsync(ct);
        if (report.HasErrors)
        {
            throw new InvalidOperationException("The sync rules do not match the database:" + Environment.NewLine
                + string.Join(Environment.NewLine, report.Problems.Concat<object>(report.SourceErrors).Concat(report.RulesErrors)));
        }
        var preview = await admin.PreviewAsync(new PreviewRequest("alice"), ct);
        log.WriteLine($"alice would sync {preview.Buckets.Count} buckets, {preview.TotalRows} rows");
        // docs:end
        return preview;
    }
}
