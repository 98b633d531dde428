using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PowerSync.Core.Hosting;

/// <summary>The two lines that put PowerSync into an ASP.NET application.</summary>
public static class PowerSyncServiceCollectionExtensions
{
    /// <summary>
    /// Adds PowerSync: the options are checked when the service is first resolved (all problems
    /// together), replication starts with the host, and a <c>powersync</c> health check reports
    /// replication and storage state.
    /// </summary>
    public static IServiceCollection AddPowerSync(this IServiceCollection services, Action<PowerSyncOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new PowerSyncOptions();
        configure(options);
        services.AddSingleton(provider => new PowerSyncService(
            options,
            provider.GetService<ILoggerFactory>(),
            provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddHostedService<PowerSyncHostedService>();
        services.AddHealthChecks().AddCheck<PowerSyncHealthCheck>("powersync");
        return services;
    }

    /// <summary>Maps <c>POST /sync/stream</c>, <c>GET /write-checkpoint2.json</c> and <c>POST /sync/checkpoint-request</c>.</summary>
    public static IEndpointRouteBuilder MapPowerSync(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        SyncEndpointRoutes.Map(routes, routes.ServiceProvider.GetRequiredService<PowerSyncService>().Endpoints);
        return routes;
    }
}

/// <summary>Starts and stops the <see cref="PowerSyncService"/> with the host.</summary>
internal sealed class PowerSyncHostedService(PowerSyncService service) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => service.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => service.StopAsync();
}

/// <summary>Healthy once clients can be served; degraded while replication fails.</summary>
internal sealed class PowerSyncHealthCheck(PowerSyncService service) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (await service.ProbeStorageAsync(cancellationToken).ConfigureAwait(false) is { } storageError)
            return HealthCheckResult.Unhealthy("The bucket store cannot be read: " + storageError.Message, storageError);
        if (service.ReplicationError is { } error)
            return HealthCheckResult.Degraded("Replication is failing: " + error.Message, error);
        if (!service.HasCheckpoint)
            return HealthCheckResult.Degraded("No checkpoint yet: the initial snapshot is still running.");
        var lag = service.ReplicationLag;
        var data = new Dictionary<string, object> { ["replication_lag_seconds"] = lag?.TotalSeconds ?? 0 };
        return HealthCheckResult.Healthy($"Replicating; clients can sync (replication lag {lag?.TotalSeconds ?? 0:0.0} s).", data);
    }
}
