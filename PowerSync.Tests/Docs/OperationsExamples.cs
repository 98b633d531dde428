using Microsoft.AspNetCore.Builder;
using PowerSync.Core.Hosting;

namespace PowerSync.Tests.Docs;

/// <summary>The code of docs/operations.md (the JSON health writer is exercised by Hosting/ReplicationHealthTests through LoopbackHost).</summary>
internal static class OperationsExamples
{
    /// <summary>The health endpoint with the reasons and figures in JSON.</summary>
    public static void MapHealthWithReasons(WebApplication app)
    {
        // docs:begin operations-health-json
        app.MapHealthChecks("/health", new() { ResponseWriter = PowerSyncHealth.WriteResponseAsync });
        // docs:end
    }
}
