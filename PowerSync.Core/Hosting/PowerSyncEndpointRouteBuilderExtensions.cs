using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace PowerSync.Core.Hosting;

/// <summary>Maps PowerSync's sync API: the second of the two lines that embed it (the first is <c>services.AddPowerSync(...)</c>).</summary>
public static class PowerSyncEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST /sync/stream</c> (and <c>GET /sync/stream</c>, the same stream over RSocket on a WebSocket),
    /// <c>GET /write-checkpoint2.json</c> and <c>POST /sync/checkpoint-request</c>
    /// (under the prefix of <paramref name="endpoints"/> when it is a route group). Open streams end as soon as the
    /// host starts stopping.
    /// </summary>
    /// <returns>
    /// The conventions of the three routes together: <c>.RequireCors(...)</c>, <c>.RequireRateLimiting(...)</c>,
    /// <c>.RequireAuthorization(...)</c> and the like apply to all of them (and only to them).
    /// </returns>
    /// <exception cref="InvalidOperationException">PowerSync was not added to the app's services.</exception>
    /// <exception cref="PowerSyncException">The options are invalid (<see cref="HostingErrorCodes.InvalidOptions"/>).</exception>
    public static IEndpointConventionBuilder MapPowerSync(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var service = endpoints.ServiceProvider.GetService<PowerSyncService>()
            ?? throw new InvalidOperationException("MapPowerSync() needs PowerSync in the app's services: call builder.Services.AddPowerSync(...) before builder.Build().");
        var routes = endpoints.MapGroup(string.Empty);
        SyncEndpointRoutes.Map(routes, service.Endpoints);
        return routes;
    }
}
