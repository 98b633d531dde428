using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PowerSync.Core.Hosting;

/// <summary>Adds PowerSync to an app's services: the first of the two lines that embed it (the other is <c>app.MapPowerSync()</c>).</summary>
public static class PowerSyncServiceCollectionExtensions
{
    /// <summary>
    /// Adds PowerSync with options set in code. The options are checked when the app starts (all problems together,
    /// <see cref="HostingErrorCodes.InvalidOptions"/>) and cannot change afterwards; replication starts and stops with
    /// the host, and a <c>powersync</c> health check reports replication and storage (map it with
    /// <see cref="PowerSyncHealth.WriteResponseAsync"/> to see why). Unset, the source is the app's
    /// <c>ConnectionStrings:PowerSync</c>; relative paths are taken relative to the content root.
    /// </summary>
    /// <returns>A builder to choose the bucket store, the data source and authentication.</returns>
    public static PowerSyncBuilder AddPowerSync(this IServiceCollection services, Action<PowerSyncOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        return AddPowerSyncServices(services);
    }

    /// <summary>
    /// Adds PowerSync with options bound from configuration, usually <c>builder.Configuration.GetSection("PowerSync")</c>:
    /// keys named as the properties of <see cref="PowerSyncOptions"/> (<c>SyncRulesPath</c>, <c>StoragePath</c>,
    /// <c>Auth:Audiences:0</c>, ...). A key that is not a setting, or a value of the wrong type, is reported with the other
    /// problems when the app starts. Otherwise as <see cref="AddPowerSync(IServiceCollection, Action{PowerSyncOptions})"/>.
    /// </summary>
    /// <returns>A builder to choose the bucket store, the data source and authentication (and change options in code).</returns>
    public static PowerSyncBuilder AddPowerSync(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<PowerSyncOptions>(options => PowerSyncConfiguration.Bind(configuration, options));
        return AddPowerSyncServices(services);
    }

    /// <summary>The service, its start and stop with the host, and its health check; once, however often PowerSync is added.</summary>
    private static PowerSyncBuilder AddPowerSyncServices(IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(PowerSyncService)))
        {
            services.AddOptions<PowerSyncOptions>().PostConfigure<IServiceProvider>(PowerSyncComposition.ApplyHostDefaults);
            services.AddSingleton(PowerSyncComposition.CreateService);
            services.AddHostedService<PowerSyncHostedService>();
            services.AddHealthChecks().AddCheck<PowerSyncHealthCheck>("powersync");
        }
        return new PowerSyncBuilder(services);
    }
}

/// <summary>Starts and stops the <see cref="PowerSyncService"/> with the host.</summary>
internal sealed class PowerSyncHostedService(PowerSyncService service) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => service.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => service.StopAsync();
}
