using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Admin;
using PowerSync.Core.Auth;
using PowerSync.Tool;

namespace PowerSync.Tests.Tool;

/// <summary><c>powersync token</c> checked by PowerSync's own authenticator, and the help and usage errors of the command line.</summary>
public sealed class ToolTokenAndUsageTests
{
    private const string Key = "a-development-secret-of-32-bytes!";

    [Test]
    public async Task A_token_with_its_jwks_passes_PowerSyncs_authenticator_with_its_claims()
    {
        var jwks = await ToolRun.RunAsync("token", "--jwks", "--key", Key);
        var token = await ToolRun.RunAsync("token", "--user", "alice", "--key", Key, "--audience", "my-app", "--expires", "30m", "--claims", """{"role":"admin"}""");

        Assert.That((jwks.ExitCode, token.ExitCode), Is.EqualTo((PowerSyncTool.Ok, PowerSyncTool.Ok)), jwks + "\n" + token);
        Assert.That(token.Lines, Has.Count.EqualTo(1), "the token alone, for $(powersync token ...)");
        var options = new PowerSyncAuthOptions { Jwks = jwks.Stdout.Trim() };
        options.Audiences.Add("my-app");
        using var keys = new JwksKeySource(options, null, TimeProvider.System);
        var user = await new JwtAuthenticator(options, keys, TimeProvider.System).AuthenticateAsync("Bearer " + token.Lines[0], CancellationToken.None);
        Assert.That(user.UserId, Is.EqualTo("alice"));
        Assert.That(user.Claims.GetProperty("role").GetString(), Is.EqualTo("admin"));
        Assert.That(user.ExpiresAt - DateTimeOffset.UtcNow, Is.InRange(TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(30)));

        var other = new PowerSyncAuthOptions { Jwks = DevelopmentTokens.Jwks("another-development-secret-32-bytes") };
        other.Audiences.Add("my-app");
        using var otherKeys = new JwksKeySource(other, null, TimeProvider.System);
        Assert.ThrowsAsync(Is.InstanceOf<PowerSyncException>(),
            () => new JwtAuthenticator(other, otherKeys, TimeProvider.System).AuthenticateAsync("Bearer " + token.Lines[0], CancellationToken.None),
            "a key set of another secret refuses it");
    }

    [Test]
    public async Task The_json_token_document_has_the_token_and_its_expiry()
    {
        var run = await ToolRun.RunAsync("token", "--user", "bob", "--key", Key, "--json");

        Assert.That(run.ExitCode, Is.EqualTo(PowerSyncTool.Ok), run.ToString());
        Assert.That(run.Json.GetProperty("token").GetString(), Does.Match(@"^[\w-]+\.[\w-]+\.[\w-]+$"));
        Assert.That(run.Json.GetProperty("expires_at").GetDateTimeOffset() - DateTimeOffset.UtcNow, Is.InRange(TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(60)));
        Assert.That((run.Json.GetProperty("user_id").GetString(), run.Json.GetProperty("audience").GetString()), Is.EqualTo(("bob", "powersync")));
    }

    [TestCase(new[] { "token", "--user", "alice", "--key", "short" }, "error: [PSYNC_N5005] The signing key has 5 bytes; HS256 needs at least 32 (256 bits). Use a longer random secret.")]
    [TestCase(new[] { "token", "--user", "alice", "--key", Key, "--expires", "soon" }, "error: --expires: 'soon' is not a duration; give a positive number with s, m, h or d, e.g. 90s, 30m, 1h, 7d.")]
    [TestCase(new[] { "token", "--user", "alice", "--key", Key, "--claims", """{"exp":1}""" }, "error: [PSYNC_N5005] The claims cannot set 'exp': it is set from the user id, audience and lifetime.")]
    [TestCase(new[] { "token", "--key", Key }, "error: token needs the user: --user <id> (the token's sub), or --jwks to print the key set.")]
    [TestCase(new[] { "token", "--jwks", "--key", Key, "--user", "alice" }, "error: --jwks prints the key set only: leave out --user.")]
    [TestCase(new[] { "status" }, "error: Missing: --store <bucket store file> (or PowerSync:StoragePath in --config).")]
    [TestCase(new[] { "validate", "--rules", "x.yaml" }, "error: Missing: --connection <connection string> (or PowerSync:SourceConnectionString in --config).")]
    [TestCase(new[] { "status", "--store" }, "error: Option --store needs a value: --store <bucket store file>.")]
    [TestCase(new[] { "status", "--user", "x" }, "error: Option --user does not apply to 'status' (it is for: preview, token).")]
    [TestCase(new[] { "status", "--store", "a", "--store", "b" }, "error: Option --store is given twice.")]
    [TestCase(new[] { "stats" }, "error: Unknown command 'stats'; did you mean 'status'. Commands: validate, preview, status, compact, token.")]
    [TestCase(new[] { "status", "--stor", "x" }, "error: Unknown option '--stor' (did you mean --store?). See powersync --help.")]
    [TestCase(new[] { "compact", "--engine", "mongo", "--store", "x" }, "error: --engine: 'mongo' is not a storage engine; use sqlite or litedb.")]
    [TestCase(new string[0], "error: Give a command: validate, preview, status, compact, token (powersync --help lists them).")]
    public async Task Bad_arguments_are_a_usage_error_with_a_specific_message(string[] args, string message)
    {
        var run = await ToolRun.RunAsync(args);

        Assert.That(run.ExitCode, Is.EqualTo(PowerSyncTool.UsageError), run.ToString());
        Assert.That(run.Stderr.Trim(), Is.EqualTo(message));
        Assert.That(run.Stdout, Is.Empty);
    }

    [Test]
    public async Task A_usage_error_with_json_is_also_a_json_document()
    {
        var run = await ToolRun.RunAsync("status", "--json");

        Assert.That(run.ExitCode, Is.EqualTo(PowerSyncTool.UsageError));
        Assert.That(run.Json.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("usage"));
        Assert.That(run.Json.GetProperty("error").GetProperty("message").GetString(), Does.StartWith("Missing: --store"));
    }

    [Test]
    public async Task Help_lists_the_commands_and_each_command_has_its_own()
    {
        var general = await ToolRun.RunAsync("--help");
        var preview = await ToolRun.RunAsync("preview", "--help");
        var viaHelp = await ToolRun.RunAsync("help", "compact");

        Assert.That(general.ExitCode, Is.EqualTo(PowerSyncTool.Ok));
        foreach (var command in new[] { "validate", "preview", "status", "compact", "token" })
            Assert.That(general.Stdout, Does.Contain($"\n  {command} "), command);
        Assert.That(preview.Stdout, Does.StartWith("Usage: powersync preview --user <id>"));
        Assert.That(preview.Stdout, Does.Contain("""--claims <json>   further JWT claims, e.g. '{"role":"admin"}'"""));
        Assert.That(viaHelp.Stdout, Does.StartWith("Usage: powersync compact --store <file>"));
    }
}
