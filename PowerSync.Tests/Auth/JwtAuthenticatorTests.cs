using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Auth;

namespace PowerSync.Tests.Auth;

public sealed class JwtAuthenticatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private ManualTimeProvider _clock = new(Now);

    [SetUp]
    public void ResetClock() => _clock = new ManualTimeProvider(Now);

    private JwtAuthenticator Authenticator(string? jwks, params Uri[] uris) => Authenticator(jwks, [], uris);

    private JwtAuthenticator Authenticator(string? jwks, string[] issuers, params Uri[] uris)
    {
        var options = new PowerSyncAuthOptions { Jwks = jwks };
        options.Audiences.Add("powersync");
        foreach (var issuer in issuers) options.Issuers.Add(issuer);
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
        _clock.Advance(TimeSpan.FromSeconds(31));
        var user = await auth.AuthenticateAsync("Token " + second.Token(TestKey.Claims(_clock.GetUtcNow())), default);
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
        _clock.Advance(TimeSpan.FromMinutes(6));
        Assert.That((await auth.AuthenticateAsync("Token " + key.Token(TestKey.Claims(_clock.GetUtcNow())), default)).UserId, Is.EqualTo("user-1"));
        server.Failing = true;
        _clock.Advance(TimeSpan.FromMinutes(14)); // 20 minutes after Now
        Assert.That((await auth.AuthenticateAsync("Token " + key.Token(TestKey.Claims(_clock.GetUtcNow())), default)).UserId, Is.EqualTo("user-1"), "keys younger than the maximum age still verify");
    }

    [Test]
    public async Task A_failed_jwks_refresh_is_logged_as_a_warning_while_cached_keys_serve_and_as_an_error_when_none_are_left()
    {
        await using var server = new JwksServer();
        var key = TestKey.Rsa("k1");
        server.Serve(TestKey.Set(key));
        var options = new PowerSyncAuthOptions();
        options.Audiences.Add("powersync");
        options.JwksUris.Add(server.Uri);
        var log = new ListLogger();
        var auth = new JwtAuthenticator(options, new JwksKeySource(options, null, _clock, log), _clock);
        await auth.AuthenticateAsync("Token " + key.Token(TestKey.Claims(Now)), default);

        server.Failing = true;
        _clock.Advance(TimeSpan.FromMinutes(20));
        await auth.AuthenticateAsync("Token " + key.Token(TestKey.Claims(_clock.GetUtcNow())), default);
        _clock.Advance(TimeSpan.FromMinutes(41)); // 61 minutes after the keys were fetched
        Assert.That(await CodeOf(auth, "Token " + key.Token(TestKey.Claims(_clock.GetUtcNow()))), Is.EqualTo(AuthErrorCodes.JwksFetchFailed));

        Assert.That(log.Entries.Select(e => (e.EventId, e.Level)), Is.EqualTo(new[] { (5001, LogLevel.Warning), (5002, LogLevel.Error) }));
        Assert.That(log.Entries.First().Message, Does.StartWith("Refreshing the JWKS failed (").And.Contain("still using the keys fetched 00:20:00 ago, until they are 01:00:00 old"));
    }

    private static string B64(string text) => Base64UrlEncoder.Encode(text);

    private static string B64(byte[] bytes) => Base64UrlEncoder.Encode(bytes);

    private static readonly string Hs256 = B64("""{"alg":"HS256","typ":"JWT"}""");

    /// <summary>Tokens anyone can send: no key needed. Each is refused before any signature check.</summary>
    private static IEnumerable<TestCaseData> MalformedTokens()
    {
        TestCaseData Case(string name, string token) => new TestCaseData(token).SetArgDisplayNames(name);
        yield return Case("five parts (JWE shape)", "e30.a.b.c.d");
        yield return Case("two parts", "e30.e30");
        yield return Case("four parts", "e30.e30.e30.e30");
        yield return Case("only dots", "..");
        yield return Case("empty payload", Hs256 + "..c2ln");
        yield return Case("bad base64 characters", "e30.!!!.c2ln");
        yield return Case("impossible base64 length", Hs256 + ".e.c2ln");
        yield return Case("non-ascii characters", "éé.e30.c2ln");
        yield return Case("base64 with stray low bits", "not.a.jwt");
        yield return Case("padded base64", B64("{\"alg\":\"HS256\"}") + "==.e30.c2ln");
        yield return Case("header not json", B64("not json") + ".e30.c2ln");
        yield return Case("header an array", B64("[1]") + ".e30.c2ln");
        yield return Case("header a string", B64("\"HS256\"") + ".e30.c2ln");
        yield return Case("alg a number", B64("""{"alg":5}""") + ".e30.c2ln");
        yield return Case("kid a number", B64("""{"alg":"HS256","kid":7}""") + ".e30.c2ln");
        yield return Case("header invalid utf-8", B64([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) + ".e30.c2ln");
        yield return Case("header lone surrogate escape", B64("""{"alg":"HS256","kid":"\ud800"}""") + ".e30.c2ln");
        yield return Case("header nested 1000 deep", B64("{\"alg\":\"HS256\",\"x\":" + new string('[', 1000) + new string(']', 1000) + "}") + ".e30.c2ln");
        yield return Case("huge header", B64("{\"alg\":\"HS256\",\"x\":\"" + new string('a', 300_000) + "\"}") + ".e30.c2ln");
        yield return Case("payload not json", Hs256 + "." + B64("hello") + ".c2ln");
        yield return Case("payload invalid utf-8", Hs256 + "." + B64([0x7b, 0xc3, 0x28, 0x7d]) + ".c2ln");
        yield return Case("signature not base64", Hs256 + ".e30.!!");
    }

    [TestCaseSource(nameof(MalformedTokens))]
    public async Task A_malformed_token_is_S2101_with_a_short_message_that_does_not_repeat_it(string token)
    {
        var ex = Assert.ThrowsAsync<PowerSyncException>(async () =>
            await Authenticator(TestKey.Set(TestKey.Hmac(null))).AuthenticateAsync("Token " + token, default));
        Assert.That(ex!.Code, Is.EqualTo(AuthErrorCodes.Generic), ex.Message);
        Assert.That(ex.Message, Has.Length.LessThan(400));
        Assert.That(ex.Message, Does.Not.Contain(token));
        Assert.That(ex.InnerException, Is.Null, "nothing to log but the message");
    }

    /// <summary>Tokens only a key holder can make: correctly signed, but the payload is unusable.</summary>
    private static IEnumerable<TestCaseData> SignedMalformedPayloads()
    {
        TestCaseData Case(string name, byte[] payload) => new TestCaseData(payload).SetArgDisplayNames(name);
        var now = Now.ToUnixTimeSeconds();
        var claims = $"\"sub\":\"u\",\"aud\":\"powersync\",\"iat\":{now},\"exp\":{now + 60}";
        yield return Case("not json", "hello"u8.ToArray());
        yield return Case("a json array", "[1]"u8.ToArray());
        yield return Case("invalid utf-8", [0x7b, 0xc3, 0x28, 0x7d]);
        yield return Case("nested 1000 deep", Encoding.UTF8.GetBytes("{" + claims + ",\"x\":" + new string('[', 1000) + new string(']', 1000) + "}"));
        yield return Case("duplicate sub", Encoding.UTF8.GetBytes("{" + claims + ",\"sub\":\"admin\"}"));
        yield return Case("exp out of range", Encoding.UTF8.GetBytes($"{{\"sub\":\"u\",\"aud\":\"powersync\",\"iat\":{now},\"exp\":1e400}}"));
        yield return Case("exp a string", Encoding.UTF8.GetBytes($"{{\"sub\":\"u\",\"aud\":\"powersync\",\"iat\":{now},\"exp\":\"{now + 60}\"}}"));
    }

    [TestCaseSource(nameof(SignedMalformedPayloads))]
    public async Task A_signed_token_with_an_unusable_payload_is_S2101(byte[] payload)
    {
        var key = TestKey.Hmac(null);
        var token = key.SignRaw("""{"alg":"HS256","typ":"JWT"}"""u8.ToArray(), payload);
        var ex = Assert.ThrowsAsync<PowerSyncException>(async () => await Authenticator(TestKey.Set(key)).AuthenticateAsync("Token " + token, default));
        Assert.That(ex!.Code, Is.EqualTo(AuthErrorCodes.Generic), ex.Message);
        Assert.That(ex.Message, Does.Not.Contain(token));
    }

    [Test]
    public async Task Header_values_echoed_in_refusals_are_cut_short()
    {
        var kid = new string('k', 5000);
        var unknownKid = B64($$"""{"alg":"HS256","kid":"{{kid}}"}""") + ".e30.c2ln";
        var unknownAlg = B64($$"""{"alg":"{{kid}}"}""") + ".e30.c2ln";
        var auth = Authenticator(TestKey.Set(TestKey.Hmac("k1")));
        foreach (var (token, code) in new[] { (unknownKid, AuthErrorCodes.SignatureInvalid), (unknownAlg, AuthErrorCodes.Generic) })
        {
            var ex = Assert.ThrowsAsync<PowerSyncException>(async () => await auth.AuthenticateAsync("Token " + token, default));
            Assert.That(ex!.Code, Is.EqualTo(code));
            Assert.That(ex.Message, Has.Length.LessThan(400));
        }
    }

    [Test]
    public async Task A_token_used_before_its_nbf_is_refused_but_clock_skew_is_tolerated()
    {
        var key = TestKey.Hmac(null);
        var auth = Authenticator(TestKey.Set(key));
        var early = TestKey.Claims(Now);
        early["nbf"] = Now.AddMinutes(5).ToUnixTimeSeconds();
        var ex = Assert.ThrowsAsync<PowerSyncException>(async () => await auth.AuthenticateAsync("Token " + key.Token(early), default));
        Assert.That(ex!.Code, Is.EqualTo(AuthErrorCodes.Generic));
        Assert.That(ex.Message, Does.Contain("nbf"));

        var withinSkew = TestKey.Claims(Now);
        withinSkew["nbf"] = Now.AddSeconds(30).ToUnixTimeSeconds();
        Assert.That((await auth.AuthenticateAsync("Token " + key.Token(withinSkew), default)).UserId, Is.EqualTo("user-1"));

        var notNumeric = TestKey.Claims(Now);
        notNumeric["nbf"] = "soon";
        Assert.That(await CodeOf(auth, "Token " + key.Token(notNumeric)), Is.EqualTo(AuthErrorCodes.Generic));
    }

    [Test]
    public async Task With_issuers_configured_iss_must_be_one_of_them()
    {
        var key = TestKey.Hmac(null);
        var auth = Authenticator(TestKey.Set(key), ["https://auth.example.com/", "https://auth2.example.com/"]);
        Dictionary<string, object> WithIss(object? iss)
        {
            var claims = TestKey.Claims(Now);
            if (iss is not null) claims["iss"] = iss;
            return claims;
        }

        Assert.That((await auth.AuthenticateAsync("Token " + key.Token(WithIss("https://auth2.example.com/")), default)).UserId, Is.EqualTo("user-1"));
        foreach (var iss in new object?[] { null, "https://evil.example.com/", "https://AUTH.example.com/", new[] { "https://auth.example.com/" } })
        {
            var ex = Assert.ThrowsAsync<PowerSyncException>(async () => await auth.AuthenticateAsync("Token " + key.Token(WithIss(iss)), default));
            Assert.That(ex!.Code, Is.EqualTo(AuthErrorCodes.Generic), $"iss {iss}");
            Assert.That(ex.Message, Does.Contain("iss"));
        }

        Assert.That((await Authenticator(TestKey.Set(key)).AuthenticateAsync("Token " + key.Token(WithIss("anyone")), default)).UserId,
            Is.EqualTo("user-1"), "no issuer configured: iss is not checked");

        var blank = new PowerSyncAuthOptions();
        blank.Issuers.Add(" ");
        Assert.That(blank.Problems(), Has.Some.Contains("Issuers"));
    }

    [Test]
    public async Task An_empty_sub_is_refused()
    {
        var key = TestKey.Hmac(null);
        var ex = Assert.ThrowsAsync<PowerSyncException>(async () =>
            await Authenticator(TestKey.Set(key)).AuthenticateAsync("Token " + key.Token(TestKey.Claims(Now, sub: "")), default));
        Assert.That(ex!.Code, Is.EqualTo(AuthErrorCodes.Generic));
        Assert.That(ex.Message, Does.Contain("sub"));
    }

    [Test]
    public async Task A_sub_that_is_neither_a_string_nor_a_number_is_refused()
    {
        var key = TestKey.Hmac(null);
        var auth = Authenticator(TestKey.Set(key));
        foreach (var sub in new object[] { true, new { id = 7 }, new object[] { 1, "a" } })
        {
            var claims = TestKey.Claims(Now);
            claims["sub"] = sub;
            var ex = Assert.ThrowsAsync<PowerSyncException>(async () => await auth.AuthenticateAsync("Token " + key.Token(claims), default));
            Assert.That(ex!.Code, Is.EqualTo(AuthErrorCodes.Generic));
            Assert.That(ex.Message, Does.Contain("'sub' (the user id) must be a string or a number"));
        }
        var real = TestKey.Claims(Now);
        real["sub"] = 1.5;
        Assert.That((await auth.AuthenticateAsync("Token " + key.Token(real), default)).UserId, Is.EqualTo("1.5"));
    }

    [Test]
    public async Task A_numeric_and_a_string_sub_are_different_users_to_the_sync_rules_and_share_the_text_form_like_the_official_service()
    {
        var key = TestKey.Hmac(null);
        var auth = Authenticator(TestKey.Set(key));
        var numeric = TestKey.Claims(Now);
        numeric["sub"] = 1;
        var numericUser = await auth.AuthenticateAsync("Token " + key.Token(numeric), default);
        var stringUser = await auth.AuthenticateAsync("Token " + key.Token(TestKey.Claims(Now, sub: "1")), default);

        var rules = PowerSync.Core.SyncRules.SyncRulesSet.Parse("""
            bucket_definitions:
              by_user:
                parameters: SELECT request.user_id() AS user_id
                data:
                  - SELECT * FROM lists WHERE owner_id = bucket.user_id
            """);
        string BucketOf(SyncUser user) =>
            rules.ResolveRequest(new PowerSync.Core.SyncRules.RequestParameters(user.Claims.GetRawText())).StaticBuckets.Single().Bucket;
        Assert.That(BucketOf(numericUser), Is.EqualTo("by_user[1]"));
        Assert.That(BucketOf(stringUser), Is.EqualTo("by_user[\"1\"]"));
        Assert.That((numericUser.UserId, stringUser.UserId), Is.EqualTo(("1", "1")), "write checkpoints and logs use sub's text form");
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
