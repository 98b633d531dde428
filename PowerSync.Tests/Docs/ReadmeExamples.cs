using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PowerSync.Core.Hosting;

namespace PowerSync.Tests.Docs;

/// <summary>The code of the repository README and of the PowerSync.Core package README (run by <see cref="ReadmeEmbedTests"/>).</summary>
internal static class ReadmeExamples
{
    /// <summary>PowerSync added to an app being built: the lines the README shows.</summary>
    public static WebApplication EmbedPowerSync(WebApplicationBuilder builder)
    {
        // docs:begin readme-embed
        builder.Services.AddPowerSync(options =>
        {
            options.SourceConnectionString = builder.Configuration.GetConnectionString("PowerSync");
            options.SyncRulesPath = Path.Combine(builder.Environment.ContentRootPath, "sync-rules.yaml");
            options.StoragePath = Path.Combine(builder.Environment.ContentRootPath, "powersync-buckets.db");
            options.Auth.JwksUris.Add(new Uri(builder.Configuration["Auth:JwksUri"]!));
            options.Auth.Audiences.Add("powersync");
        });
        var app = builder.Build();
        app.MapPowerSync();   // POST /sync/stream, GET /write-checkpoint2.json, POST /sync/checkpoint-request
        app.MapHealthChecks("/health", new() { ResponseWriter = PowerSyncHealth.WriteResponseAsync });
        // docs:end
        return app;
    }
}
