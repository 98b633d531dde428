using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PowerSync.Core.Hosting;

/// <summary>The two lines that put PowerSync into an ASP.NET application.</summary>
public static class PowerSyncServiceCollectionExtensions
{
    /// <summary>
    /// Adds PowerSync: the options are checked when the service is first resolved (all problems
    /// together), replication starts with the host, and a <c>powersync</c> health check reports
    /// replication and storage state (map it with <see cref="PowerSyncHealth.WriteResponseAsync"/> to see why).
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
