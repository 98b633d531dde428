using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using PowerSync.Core.Hosting;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>
/// One app instance of the <c>scale-out</c> scenario, run as its own process (<c>host</c>): an ASP.NET app with
/// <c>AddPowerSync</c> bound from configuration (environment variables such as <c>PowerSync__StorageEngine=Postgres</c>,
/// as a deployed app would be configured) and <c>MapPowerSync</c>, on Kestrel at 127.0.0.1 on a free port. Clients'
/// tokens are signed with the HMAC key in <c>POWERSYNC_BENCH_KEY</c> (base64url). Prints <c>LISTENING url</c> once
/// serving, and runs until killed or its standard input closes.
/// </summary>
public static class ScaleOutHost
{
    public const string KeyVariable = "POWERSYNC_BENCH_KEY";

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        var key = Environment.GetEnvironmentVariable(KeyVariable)
            ?? throw new InvalidOperationException($"Set {KeyVariable} to the base64url HMAC key clients' tokens are signed with.");
        builder.Services.AddPowerSync(builder.Configuration.GetSection("PowerSync"))
            .ConfigureAuth(auth =>
            {
                auth.Jwks = $$"""{"keys":[{"kty":"oct","k":"{{key}}"}]}""";
                auth.Audiences.Add("powersync");
            });
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxConcurrentConnections = null;
            k.Listen(System.Net.IPAddress.Loopback, 0);
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console => console.TimestampFormat = "HH:mm:ss.fff ");
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("PowerSync", LogLevel.Information);
        await using var app = builder.Build();
        app.MapPowerSync();
        await app.StartAsync();
        Console.WriteLine($"LISTENING {app.Urls.First()}");
        // The scenario ends an instance by closing its input (or by SIGKILL, to fail it over).
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
        return 0;
    }

    /// <summary>A token for <paramref name="user"/> signed with <paramref name="key"/>, valid for an hour.</summary>
    public static string Token(byte[] key, string user)
    {
        var now = DateTimeOffset.UtcNow;
        return new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(
            $$"""{"sub":"{{user}}","aud":"powersync","iat":{{now.ToUnixTimeSeconds()}},"exp":{{now.AddHours(1).ToUnixTimeSeconds()}}}""",
            new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256));
    }
}
