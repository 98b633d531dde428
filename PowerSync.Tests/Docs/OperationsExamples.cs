using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
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

    /// <summary>The app's CORS and rate-limiting policies on the sync routes (run by Hosting/SyncRouteConventionTests).</summary>
    public static WebApplication MapWithPolicies(WebApplicationBuilder builder)
    {
        // docs:begin operations-route-conventions
        builder.Services.AddCors(cors => cors.AddPolicy("web-app", policy => policy
            .WithOrigins("https://app.example.com").WithMethods("GET", "POST").WithHeaders("Authorization", "Content-Type")));
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy("sync-per-address", context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 60, Window = TimeSpan.FromMinutes(1) }));
        });
        var app = builder.Build();
        app.UseCors();
        app.UseRateLimiter();
        app.MapPowerSync().RequireCors("web-app").RequireRateLimiting("sync-per-address");
        // docs:end
        return app;
    }
}
