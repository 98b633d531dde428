using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PowerSync.Tests.Auth;

/// <summary>Signing keys, their public JWKs, and tokens made with them.</summary>
internal sealed class TestKey
{
    private TestKey(SecurityKey signing, string algorithm, JsonWebKey publicJwk)
    {
        Signing = signing;
        Algorithm = algorithm;
        PublicJwk = publicJwk;
    }

    public SecurityKey Signing { get; }
    public string Algorithm { get; }
    public JsonWebKey PublicJwk { get; }

    public static TestKey Rsa(string? kid)
    {
        var rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(rsa) { KeyId = kid };
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)) { KeyId = kid });
        return new TestKey(key, SecurityAlgorithms.RsaSha256, jwk);
    }

    public static TestKey Ec(string? kid)
    {
        var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = new ECDsaSecurityKey(ec) { KeyId = kid };
        var pub = ECDsa.Create(ec.ExportParameters(false));
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(pub) { KeyId = kid });
        return new TestKey(key, SecurityAlgorithms.EcdsaSha256, jwk);
    }

    public static TestKey Hmac(string? kid, int bytes = 32)
    {
        var secret = RandomNumberGenerator.GetBytes(bytes);
        var key = new SymmetricSecurityKey(secret) { KeyId = kid };
        var jwk = JsonWebKeyConverter.ConvertFromSymmetricSecurityKey(key);
        return new TestKey(key, SecurityAlgorithms.HmacSha256, jwk);
    }

    public static string Set(params TestKey[] keys) =>
        JsonSerializer.Serialize(new { keys = keys.Select(k => ToJson(k.PublicJwk)) });

    private static Dictionary<string, string> ToJson(JsonWebKey jwk)
    {
        var json = new Dictionary<string, string> { ["kty"] = jwk.Kty };
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value)) json[name] = value;
        }
        Add("kid", jwk.Kid);
        Add("n", jwk.N);
        Add("e", jwk.E);
        Add("crv", jwk.Crv);
        Add("x", jwk.X);
        Add("y", jwk.Y);
        Add("k", jwk.K);
        return json;
    }

    public string Token(object payload) =>
        new JsonWebTokenHandler().CreateToken(JsonSerializer.Serialize(payload), new SigningCredentials(Signing, Algorithm));

    /// <summary>A standard payload: sub, aud, iat now, exp in an hour (relative to <paramref name="now"/>).</summary>
    public static Dictionary<string, object> Claims(DateTimeOffset now, string sub = "user-1", object? aud = null) => new()
    {
        ["sub"] = sub,
        ["aud"] = aud ?? "powersync",
        ["iat"] = now.ToUnixTimeSeconds(),
        ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
    };

    /// <summary>
    /// A compact token over any header and payload bytes (not necessarily JSON, nor UTF-8), with a real
    /// HS256 signature by this key (an HMAC key): what only a holder of the key could send.
    /// </summary>
    public string SignRaw(byte[] header, byte[] payload)
    {
        var signed = Base64UrlEncoder.Encode(header) + "." + Base64UrlEncoder.Encode(payload);
        var mac = HMACSHA256.HashData(((SymmetricSecurityKey)Signing).Key, Encoding.ASCII.GetBytes(signed));
        return signed + "." + Base64UrlEncoder.Encode(mac);
    }

    public static string Unsigned(object payload) =>
        Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""") + "." + Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload)) + ".";
}

/// <summary>A JWKS endpoint on loopback whose key set the test can change.</summary>
internal sealed class JwksServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private volatile string _body = """{"keys":[]}""";
    private int _requests;

    public JwksServer()
    {
        Uri = new Uri(Infrastructure.LoopbackPorts.StartHttpListener(_listener), ".well-known/jwks.json");
        _loop = ServeAsync();
    }

    public Uri Uri { get; }
    public int Requests => Volatile.Read(ref _requests);
    public bool Failing { get; set; }

    public void Serve(string jwks) => _body = jwks;

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            Interlocked.Increment(ref _requests);
            context.Response.StatusCode = Failing ? 503 : 200;
            var bytes = Encoding.UTF8.GetBytes(_body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Close alone: after Stop, Close unregisters the port a second time, and the managed listener then
        // binds it again to do so, failing with "address already in use" when another test took the port.
        _listener.Close();
        await _loop;
    }
}
