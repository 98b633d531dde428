using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Auth;

namespace PowerSync.Tests.Auth;

public sealed class JwtAuthenticatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private TestClock _clock = new(Now);

    [SetUp]
    public void ResetClock() => _clock = new TestClock(Now);

    private JwtAuthenticator Authenticator(string? jwks, params Uri[] uris)
    {
        var options = new PowerSyncAuthOptions { Jwks = jwks };
        options.Audiences.Add("powersync");
        foreach (var uri in uris) options.JwksUris.Add(uri);
        return new JwtAuthenticator(options, new JwksKeySource(options, null, _clock), _clock);
    }

    private static async Task<string> CodeOf(JwtAuthenticator auth, string? header)
    {
        var ex = Assert.ThrowsAsync<PowerSyncException>(async () => await auth.AuthenticateAsync(header, default));
        Assert.That(ex!.Message, Is.Not.Empty);
        return ex.Code;
    }

    [Test]
    public async Task A_valid_rs256_token_with_a_kid_gives_the_user_and_claims()
    {
        var key = TestKey.Rsa("k1");
        var claims = TestKey.Claims(Now);
        claims["parameters"] = new { team = "blue" };
        var user = await Authenticator(TestKey.Set(key)).AuthenticateAsync("Token " + key.Token(claims), default);

        Assert.That(user.UserId, Is.EqualTo("user-1"));
        Assert.That(user.Claims.GetProperty("parameters").GetProperty("team").GetString(), Is.EqualTo("blue"));
        Assert.That(user.ExpiresAt, Is.EqualTo(Now.AddHours(1)));
    }

    [TestCase("hmac")]
    [TestCase("ec")]
    public async Task Hmac_and_ec_tokens_without_kid_verify_with_kidless_keys(string kind)
    {
        var key = kind == "hmac" ? TestKey.Hmac(null) : TestKey.Ec(null);
        var user = await Authenticator(TestKey.Set(key)).AuthenticateAsync("Bearer " + key.Token(TestKey.Claims(Now)), default);
        Assert.That(user.UserId, Is.EqualTo("user-1"));
    }

    [Test]
    public async Task A_numeric_sub_becomes_its_digits()
    {
        var key = TestKey.Hmac(null);
        var claims = TestKey.Claims(Now);
        claims["sub"] = 42;
        Assert.That((await Authenticator(TestKey.Set(key)).AuthenticateAsync("Token " + key.Token(claims), default)).UserId, Is.EqualTo("42"));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("Basic dXNlcjpwYXNz")]
    [TestCase("Token")]
    [TestCase("Token a b")]
    public async Task A_missing_or_malformed_header_is_S2106(string? header) =>
        Assert.That(await CodeOf(Authenticator(TestKey.Set(TestKey.Hmac(null))), header), Is.EqualTo(AuthErrorCodes.Missing));

    [Test]
    public async Task A_token_that_is_not_a_jwt_is_S2101() =>
        Assert.That(await CodeOf(Authenticator(TestKey.Set(TestKey.Hmac(null))), "Token not-a-jwt"), Is.EqualTo(AuthErrorCodes.Generic));

    [Test]
    public async Task An_unsigned_alg_none_token_is_refused() =>
        Assert.That(await CodeOf(Authenticator(TestKey.Set(TestKey.Hmac(null))), "Token " + TestKey.Unsigned(TestKey.Claims(Now))), Is.EqualTo(AuthErrorCodes.Generic));

    [Test]
    public async Task A_token_signed_by_another_key_with_the_same_kid_is_S2102()
    {
        var configured = TestKey.Rsa("k1");
        var impostor = TestKey.Rsa("k1");
        Assert.That(await CodeOf(Authenticator(TestKey.Set(configured)), "Token " + impostor.Token(TestKey.Claims(Now))), Is.EqualTo(AuthErrorCodes.SignatureInvalid));
    }

    [Test]
    public async Task An_unknown_kid_is_S2102()
    {
        var other = TestKey.Rsa("other");
        Assert.That(await CodeOf(Authenticator(TestKey.Set(TestKey.Rsa("k1"))), "Token " + other.Token(TestKey.Claims(Now))), Is.EqualTo(AuthErrorCodes.SignatureInvalid));
    }

    [Test]
    public async Task A_wrong_or_missing_audience_is_S2105()
    {
        var key = TestKey.Hmac(null);
        var auth = Authenticator(TestKey.Set(key));
        Assert.That(await CodeOf(auth, "Token " + key.Token(TestKey.Claims(Now, aud: "someone-else"))), Is.EqualTo(AuthErrorCodes.AudienceMismatch));
        var noAud = TestKey.Claims(Now);
        noAud.Remove("aud");
        Assert.That(await CodeOf(auth, "Token " + key.Token(noAud)), Is.EqualTo(AuthErrorCodes.AudienceMismatch));
        Assert.That((await auth.AuthenticateAsync("Token " + key.Token(TestKey.Claims(Now, aud: new[] { "x", "powersync" })), default)).UserId, Is.EqualTo("user-1"));
    }

    [Test]
    public async Task An_expired_token_is_S2103_but_clock_skew_is_tolerated()
    {
        var key = TestKey.Hmac(null);
        var auth = Authenticator(TestKey.Set(key));
        var claims = TestKey.Claims(Now.AddHours(-2));
        Assert.That(await CodeOf(auth, "Token " + key.Token(claims)), Is.EqualTo(AuthErrorCodes.Expired));
        var justExpired = TestKey.Claims(Now.AddMinutes(-60).AddSeconds(-30));
        Assert.That((await auth.AuthenticateAsync("Token " + key.Token(justExpired), default)).UserId, Is.EqualTo("user-1"));
    }

    [Test]
    public async Task An_iat_in_the_future_is_refused()
    {
        var key = TestKey.Hmac(null);
        Assert.That(await CodeOf(Authenticator(TestKey.Set(key)), "Token " + key.Token(TestKey.Claims(Now.AddMinutes(5)))), Is.EqualTo(AuthErrorCodes.Generic));
    }

    [Test]
    public async Task A_lifetime_over_the_maximum_is_S2104()
    {
        var key = TestKey.Hmac(null);
        var claims = TestKey.Claims(Now);
        claims["exp"] = Now.AddDays(2).ToUnixTimeSeconds();
        Assert.That(await CodeOf(Authenticator(TestKey.Set(key)), "Token " + key.Token(claims)), Is.EqualTo(AuthErrorCodes.LifetimeTooLong));
    }

    [TestCase("sub")]
    [TestCase("exp")]
    [TestCase("iat")]
    public async Task A_missing_required_claim_is_refused(string claim)
    {
        var key = TestKey.Hmac(null);
        var claims = TestKey.Claims(Now);
        claims.Remove(claim);
        Assert.That(await CodeOf(Authenticator(TestKey.Set(key)), "Token " + key.Token(claims)), Is.EqualTo(AuthErrorCodes.Generic));
    }

    [Test]
    public async Task Parameters_that_are_not_an_object_are_refused()
    {
        var key = TestKey.Hmac(null);
        var claims = TestKey.Claims(Now);
        claims["parameters"] = "admin";
        Assert.That(await CodeOf(Authenticator(TestKey.Set(key)), "Token " + key.Token(claims)), Is.EqualTo(AuthErrorCodes.Generic));
    }

    [Test]
    public async Task Rotated_keys_are_fetched_from_the_jwks_uri_when_a_token_names_an_unknown_kid()
    {
        await using var server = new JwksServer();
        var first = TestKey.Rsa("2026-a");
        var second = TestKey.Rsa("2026-b");
        server.Serve(TestKey.Set(first));
        var auth = Authenticator(null, server.Uri);

        Assert.That((await auth.AuthenticateAsync("Token " + first.Token(TestKey.Claims(Now)), default)).UserId, Is.EqualTo("user-1"));
        Assert.That((await auth.AuthenticateAsync("Token " + first.Token(TestKey.Claims(Now)), default)).UserId, Is.EqualTo("user-1"));
        Assert.That(server.Requests, Is.EqualTo(1), "keys are cached");

        server.Serve(TestKey.Set(first, second));
        _clock.Now = Now.AddSeconds(31);
        var user = await auth.AuthenticateAsync("Token " + second.Token(TestKey.Claims(_clock.Now)), default);
        Assert.That(user.UserId, Is.EqualTo("user-1"));
        Assert.That(server.Requests, Is.EqualTo(2), "one refresh for the unknown kid");
    }

    [Test]
    public async Task Symmetric_keys_from_a_remote_jwks_are_ignored()
    {
        await using var server = new JwksServer();
        var hmac = TestKey.Hmac("shared");
        server.Serve(TestKey.Set(hmac));
        Assert.That(await CodeOf(Authenticator(null, server.Uri), "Token " + hmac.Token(TestKey.Claims(Now))), Is.EqualTo(AuthErrorCodes.SignatureInvalid));
    }

    [Test]
    public async Task An_unreachable_jwks_with_nothing_cached_is_S2204_and_cached_keys_survive_an_outage()
    {
        await using var server = new JwksServer();
        var key = TestKey.Rsa("k1");
        server.Serve(TestKey.Set(key));
        server.Failing = true;
        var auth = Authenticator(null, server.Uri);
        Assert.That(await CodeOf(auth, "Token " + key.Token(TestKey.Claims(Now))), Is.EqualTo(AuthErrorCodes.JwksFetchFailed));

        server.Failing = false;
        _clock.Now = Now.AddMinutes(6);
        Assert.That((await auth.AuthenticateAsync("Token " + key.Token(TestKey.Claims(_clock.Now)), default)).UserId, Is.EqualTo("user-1"));
        server.Failing = true;
        _clock.Now = Now.AddMinutes(20);
        Assert.That((await auth.AuthenticateAsync("Token " + key.Token(TestKey.Claims(_clock.Now)), default)).UserId, Is.EqualTo("user-1"), "keys younger than the maximum age still verify");
    }

    [Test]
    public void Options_report_every_problem_together()
    {
        var options = new PowerSyncAuthOptions { MaxLifetime = TimeSpan.Zero };
        options.JwksUris.Add(new Uri("ftp://example.invalid/jwks"));
        var problems = options.Problems().ToList();
        Assert.That(problems, Has.Count.EqualTo(3));
        Assert.That(problems, Has.Some.Contains("Audiences").And.Some.Contains("MaxLifetime").And.Some.Contains("ftp://"));
    }
}
