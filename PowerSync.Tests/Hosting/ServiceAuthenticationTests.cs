using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Auth;
using PowerSync.Core.Hosting;
using PowerSync.Tests.Auth;
using PowerSync.Tests.Infrastructure;

namespace PowerSync.Tests.Hosting;

/// <summary>
/// <see cref="PowerSyncService.AuthenticateAsync"/>: the app's own endpoints (the upload endpoint of
/// docs/getting-started.md) check a client's token as the sync endpoints do and get its user id.
/// </summary>
public sealed class ServiceAuthenticationTests
{
    [Test]
    public async Task A_token_the_sync_endpoints_accept_gives_its_user_id_and_any_other_is_refused_with_the_reason_s_code()
    {
        using var folder = new TempFolder("powersync-auth-");
        var key = TestKey.Hmac(null);
        var stranger = TestKey.Hmac(null);
        // Never started: checking a token needs neither replication nor the source database.
        await using var service = new PowerSyncService(new PowerSyncOptions
        {
            SourceConnectionString = "Host=127.0.0.1;Port=1",
            SyncRules = "bucket_definitions:\n  all:\n    data:\n      - SELECT * FROM items\n",
            StoragePath = Path.Combine(folder.Path, "buckets.db"),
            Auth = { Jwks = TestKey.Set(key), Audiences = { "powersync" } },
        });
        var now = DateTimeOffset.UtcNow;

        async Task<string?> RefusalAsync(string? authorization)
        {
            var refused = Assert.ThrowsAsync<PowerSyncException>(() => service.AuthenticateAsync(authorization));
            return refused!.Code;
        }

        Assert.That(await service.AuthenticateAsync("Bearer " + key.Token(TestKey.Claims(now, "alice"))), Is.EqualTo("alice"));
        Assert.That(await service.AuthenticateAsync("Token " + key.Token(TestKey.Claims(now, "bob"))), Is.EqualTo("bob"));
        Assert.That(await RefusalAsync(null), Is.EqualTo(AuthErrorCodes.Missing));
        Assert.That(await RefusalAsync("Bearer " + stranger.Token(TestKey.Claims(now, "mallory"))), Is.AnyOf(AuthErrorCodes.Generic, AuthErrorCodes.SignatureInvalid));
        Assert.That(await RefusalAsync("Bearer " + key.Token(TestKey.Claims(now.AddHours(-3), "alice"))), Is.EqualTo(AuthErrorCodes.Expired));
        Assert.That(await RefusalAsync("Bearer " + key.Token(TestKey.Claims(now, "alice", aud: "someone-else"))), Is.EqualTo(AuthErrorCodes.AudienceMismatch));
    }
}
