using Microsoft.AspNetCore.Builder;
using PowerSync.Core.Hosting;

namespace PowerSync.Tests.Docs;

/// <summary>The code of docs/deployment.md (the shared store itself is exercised by Hosting/SharedStoreTests).</summary>
internal static class DeploymentExamples
{
    /// <summary>Every instance names the same Postgres bucket store.</summary>
    public static PowerSyncBuilder AddWithSharedStore(WebApplicationBuilder builder)
    {
        // docs:begin deployment-shared-store
        var powerSync = builder.Services.AddPowerSync(builder.Configuration.GetSection("PowerSync"))
            .UsePostgresStorage();                 // the store in schema "powersync" of the source database
        // or, in another database:
        // .UsePostgresStorage(storageConnectionString, "powersync");
        // docs:end
        return powerSync;
    }
}
