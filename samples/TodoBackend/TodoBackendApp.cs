using Npgsql;
using PowerSync.Core.Hosting;

namespace TodoBackend;

/// <summary>
/// The sample backend: PowerSync embedded, a development token endpoint (in the Development environment
/// only), and the upload endpoint. Outside Development it refuses to start with the sample signing key.
/// </summary>
public static class TodoBackendApp
{
    /// <summary>
    /// Builds the app; <paramref name="configure"/> lets a host (the demo, tests) override settings.
    /// Throws <see cref="InvalidOperationException"/> with what to configure when the settings are unusable.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings and sync rules live beside the app, wherever it is started from.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        var config = builder.Configuration;
        var connectionString = config.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("Set ConnectionStrings:Postgres to the source database.");
        var signingKey = config["Auth:DevSigningKey"] ?? "";
        var development = builder.Environment.IsDevelopment();
        if (!development && signingKey == DevTokens.SampleSigningKey)
        {
            throw new InvalidOperationException(
                $"Auth:DevSigningKey is the sample key published in appsettings.json, and the environment is '{builder.Environment.EnvironmentName}': " +
                "anyone could sign tokens for any user with it. Outside Development, set Auth:DevSigningKey to a secret of your own " +
                "(at least 32 bytes, e.g. in an environment variable Auth__DevSigningKey), or run in Development " +
                "(ASPNETCORE_ENVIRONMENT=Development, or --environment Development) to try the sample.");
        }
        var tokens = new DevTokens(signingKey, config["Auth:Audience"] ?? "powersync");

        // PowerSync, embedded: replication, bucket storage and the sync API live in this process. The "PowerSync"
        // section of appsettings.json names the rules and the store (relative to the app's folder, its content root).
        builder.Services.AddPowerSync(config.GetSection("PowerSync"))
            .Configure(options => options.SourceConnectionString = connectionString)
            .ConfigureAuth(auth =>
            {
                auth.Jwks = tokens.Jwks;
                auth.Audiences.Add(tokens.Audience);
            });
        builder.Services.AddSingleton(tokens);
        // The upload endpoint's own pool (a real app writes as a role of its own, not PowerSync's).
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));

        var app = builder.Build();
        app.MapPowerSync();
        app.MapHealthChecks("/health");
        // Tokens for any user who asks: a development convenience only, never mapped outside Development.
        if (development)
        {
            app.MapPost("/api/auth/token", (TokenRequest request, DevTokens devTokens) =>
                string.IsNullOrWhiteSpace(request.UserId) || request.UserId.Contains('\0', StringComparison.Ordinal)
                    ? Results.BadRequest(new { error = "Send {\"user_id\": \"...\"} (text without NUL)." })
                    : Results.Ok(devTokens.Issue(request.UserId)));
        }
        app.MapPost("/api/data", UploadEndpoint.HandleAsync);
        return app;
    }

    /// <summary>A path relative to the app's own folder (where sync-rules.yaml is copied), unless absolute.</summary>
    public static string InAppFolder(string path) => Path.IsPathRooted(path) ? path : Path.Combine(AppContext.BaseDirectory, path);
}

/// <summary>Body of <c>POST /api/auth/token</c>.</summary>
public sealed record TokenRequest(
    [property: System.Text.Json.Serialization.JsonPropertyName("user_id")] string UserId);
