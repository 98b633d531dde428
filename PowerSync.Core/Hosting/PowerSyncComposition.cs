using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace PowerSync.Core.Hosting;

/// <summary>The data source <see cref="PowerSyncBuilder.UseNpgsqlDataSource(NpgsqlDataSource)"/> chose, resolved when the service is built.</summary>
internal sealed record PowerSyncDataSource(Func<IServiceProvider, NpgsqlDataSource> Resolve);

/// <summary>How <c>AddPowerSync</c> builds the <see cref="PowerSyncService"/> from what the app registered.</summary>
internal static class PowerSyncComposition
{
    /// <summary>
    /// The app's conventions for what the options leave open: the source is <c>ConnectionStrings:PowerSync</c>, and
    /// relative file paths are relative to the content root (where <c>appsettings.json</c> and the rules live), as the
    /// <c>powersync</c> tool reads them from the same file.
    /// </summary>
    public static void ApplyHostDefaults(PowerSyncOptions options, IServiceProvider provider)
    {
        if (string.IsNullOrWhiteSpace(options.SourceConnectionString)
            && provider.GetService<IConfiguration>()?.GetConnectionString("PowerSync") is { Length: > 0 } connectionString)
        {
            options.SourceConnectionString = connectionString;
        }
        if (provider.GetService<IHostEnvironment>()?.ContentRootPath is not { Length: > 0 } root) return;
        if (!string.IsNullOrWhiteSpace(options.SyncRulesPath)) options.SyncRulesPath = Path.GetFullPath(options.SyncRulesPath, root);
        if (!string.IsNullOrWhiteSpace(options.StoragePath)) options.StoragePath = Path.GetFullPath(options.StoragePath, root);
    }

    /// <summary>The service, once its options are valid (they are frozen from then on), on the data source the app chose.</summary>
    /// <exception cref="PowerSyncException">The options are invalid (<see cref="HostingErrorCodes.InvalidOptions"/>).</exception>
    public static PowerSyncService CreateService(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<PowerSyncOptions>>().Value;
        options.ValidateAndFreeze();   // before the app's data source is resolved, which may fail for the same reasons
        var dataSource = provider.GetService<PowerSyncDataSource>()?.Resolve(provider);
        var loggers = provider.GetService<ILoggerFactory>();
        return new PowerSyncService(options, PowerSyncParts.Open(options, dataSource, loggers), loggers, provider.GetService<IMeterFactory>());
    }
}
