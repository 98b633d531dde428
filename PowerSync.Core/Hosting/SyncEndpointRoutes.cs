using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PowerSync.Core.Hosting;

/// <summary>The sync API's routes, as the official service serves them.</summary>
internal static class SyncEndpointRoutes
{
    public static void Map(IEndpointRouteBuilder routes, SyncEndpoints endpoints)
    {
        routes.MapPost("/sync/stream", endpoints.StreamAsync);
        // The same stream over RSocket on a WebSocket, as the official service serves it (the SDKs' WebSocket connection method).
        routes.MapGet("/sync/stream", endpoints.SocketAsync);
        routes.MapGet("/write-checkpoint2.json", endpoints.WriteCheckpointAsync);
        routes.MapPost("/sync/checkpoint-request", endpoints.CheckpointRequestAsync);
        // Open streams end as soon as the host starts stopping, before the server waits for requests to drain.
        if (routes.ServiceProvider.GetService<IHostApplicationLifetime>() is { } lifetime) endpoints.StopStreamsWhen(lifetime.ApplicationStopping);
    }
}
