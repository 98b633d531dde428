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
        builder.Services.AddPowerSync(builder.Configuration.GetSection("PowerSync"));
        var app = builder.Build();
        app.MapPowerSync();   // POST /sync/stream, GET /write-checkpoint2.json, POST /sync/checkpoint-request
        app.MapHealthChecks("/health", new() { ResponseWriter = PowerSyncHealth.WriteResponseAsync });
        // docs:end
        return app;
    }
}
