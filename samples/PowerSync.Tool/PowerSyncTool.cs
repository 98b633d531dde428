using System.Globalization;
using PowerSync.Core;
using PowerSync.Core.Admin;

namespace PowerSync.Tool;

/// <summary>
/// The <c>powersync</c> command-line tool: parses the arguments, calls <see cref="PowerSyncAdmin"/> (or
/// <see cref="DevelopmentTokens"/>), and renders the result for people or, with <c>--json</c>, as one JSON document.
/// Problems go to stderr as one specific message, never a stack trace.
/// </summary>
public static class PowerSyncTool
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and found problems (validate: errors, or warnings with --strict; status: the source cannot be queried).</summary>
    public const int ProblemsFound = 1;

    /// <summary>The command line is not valid (an unknown option, a missing setting, a value that cannot be used).</summary>
    public const int UsageError = 2;

    /// <summary>The command could not be carried out (source unreachable, store missing or in use, invalid rules, ...).</summary>
    public const int Failed = 3;

    private static readonly string[] TokenOnlyOptions = ["--user", "--claims", "--expires", "--audience"];

    /// <summary>Runs the tool on the console; Ctrl+C cancels the command.</summary>
    public static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return await RunAsync(args, Console.Out, Console.Error, cancel.Token).ConfigureAwait(false);
    }

    /// <summary>Runs one command line, writing its output to <paramref name="stdout"/> and problems to <paramref name="stderr"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var json = ToolArguments.WantsJson(args);
        try
        {
            var parsed = ToolArguments.Parse(args);
            if (parsed.Help)
            {
                await stdout.WriteLineAsync(Usage.For(parsed.Command ?? "")).ConfigureAwait(false);
                return Ok;
            }
            if (parsed.Command is null)
            {
                throw new UsageException($"Give a command: {string.Join(", ", ToolArguments.Commands)} (powersync --help lists them).");
            }
            return parsed.Command switch
            {
                "validate" => await ValidateAsync(parsed, json, stdout, cancellationToken).ConfigureAwait(false),
                "preview" => await PreviewAsync(parsed, json, stdout, cancellationToken).ConfigureAwait(false),
                "status" => await StatusAsync(parsed, json, stdout, cancellationToken).ConfigureAwait(false),
                "compact" => await CompactAsync(parsed, json, stdout, cancellationToken).ConfigureAwait(false),
                _ => await TokenAsync(parsed, json, stdout, stderr).ConfigureAwait(false),
            };
        }
        catch (UsageException e)
        {
            return await FailAsync(stdout, stderr, json, "usage", e.Message, UsageError).ConfigureAwait(false);
        }
        catch (PowerSyncException e)
        {
            // A flag's value that cannot be used (claims, parameters, key) is a usage error too.
            var exit = e.Code is AdminErrorCodes.InvalidPreviewRequest or AdminErrorCodes.InvalidTokenRequest ? UsageError : Failed;
            return await FailAsync(stdout, stderr, json, e.Code, e.Message, exit).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return await FailAsync(stdout, stderr, json, "cancelled", "Cancelled.", Failed).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return await FailAsync(stdout, stderr, json, "io", e.Message, Failed).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Still one line, not a stack trace: what failed and where, for a bug report.
            return await FailAsync(stdout, stderr, json, "unexpected", $"{e.GetType().Name}: {e.Message} (at {e.TargetSite?.DeclaringType?.Name}.{e.TargetSite?.Name})", Failed).ConfigureAwait(false);
        }
    }

    private static async Task<int> ValidateAsync(ToolArguments args, bool json, TextWriter stdout, CancellationToken ct)
    {
        var options = Need(ToolSettings.From(args), connection: true, rules: true);
        var report = await new PowerSyncAdmin(options).ValidateAsync(ct).ConfigureAwait(false);
        if (json) await JsonOutput.WriteAsync(stdout, report).ConfigureAwait(false);
        else await TextOutput.ValidationAsync(stdout, report).ConfigureAwait(false);
        return report.HasErrors || (args.Has("--strict") && report.HasWarnings) ? ProblemsFound : Ok;
    }

    private static async Task<int> PreviewAsync(ToolArguments args, bool json, TextWriter stdout, CancellationToken ct)
    {
        var user = args["--user"] ?? throw new UsageException("preview needs the user: --user <id> (the token's sub).");
        var options = Need(ToolSettings.From(args), connection: true, rules: true);
        var preview = await new PowerSyncAdmin(options).PreviewAsync(new PreviewRequest(user, args["--claims"], args["--params"]), ct).ConfigureAwait(false);
        if (json) await JsonOutput.WriteAsync(stdout, preview).ConfigureAwait(false);
        else await TextOutput.PreviewAsync(stdout, preview).ConfigureAwait(false);
        return Ok;
    }

    private static async Task<int> StatusAsync(ToolArguments args, bool json, TextWriter stdout, CancellationToken ct)
    {
        var options = Need(ToolSettings.From(args), store: true);
        var status = await new PowerSyncAdmin(options).StatusAsync(ct).ConfigureAwait(false);
        if (json) await JsonOutput.WriteAsync(stdout, status).ConfigureAwait(false);
        else await TextOutput.StatusAsync(stdout, status).ConfigureAwait(false);
        return status.SourceError is null ? Ok : ProblemsFound;
    }

    private static async Task<int> CompactAsync(ToolArguments args, bool json, TextWriter stdout, CancellationToken ct)
    {
        var options = Need(ToolSettings.From(args), store: true);
        var report = await new PowerSyncAdmin(options).CompactAsync(ct).ConfigureAwait(false);
        if (json) await JsonOutput.WriteAsync(stdout, report).ConfigureAwait(false);
        else await TextOutput.CompactionAsync(stdout, report).ConfigureAwait(false);
        return Ok;
    }

    private static async Task<int> TokenAsync(ToolArguments args, bool json, TextWriter stdout, TextWriter stderr)
    {
        var key = args["--key"] ?? throw new UsageException("token needs the signing secret: --key <secret> (at least 32 bytes).");
        if (args.Has("--jwks"))
        {
            var given = TokenOnlyOptions.FirstOrDefault(args.Has);
            if (given is not null) throw new UsageException($"--jwks prints the key set only: leave out {given}.");
            await stdout.WriteLineAsync(DevelopmentTokens.Jwks(key, args["--kid"])).ConfigureAwait(false);
            return Ok;
        }
        var user = args["--user"] ?? throw new UsageException("token needs the user: --user <id> (the token's sub), or --jwks to print the key set.");
        var request = new DevelopmentTokenRequest(user, key) { ClaimsJson = args["--claims"], KeyId = args["--kid"] };
        if (args["--audience"] is { } audience) request = request with { Audience = audience };
        if (args["--expires"] is { } expires) request = request with { Lifetime = Duration(expires) };
        var token = DevelopmentTokens.Create(request);
        if (request.Lifetime > TimeSpan.FromDays(1))
        {
            await stderr.WriteLineAsync(
                "warning: the token lives longer than 1 day, which PowerSync refuses unless Auth.MaxLifetime is raised (PSYNC_S2104).").ConfigureAwait(false);
        }
        if (json) await JsonOutput.WriteAsync(stdout, new { token.Token, token.ExpiresAt, UserId = user, request.Audience }).ConfigureAwait(false);
        else await stdout.WriteLineAsync(token.Token).ConfigureAwait(false);
        return Ok;
    }

    /// <summary>The settings a command cannot do without, named by the flags that give them.</summary>
    private static PowerSyncAdminOptions Need(PowerSyncAdminOptions options, bool connection = false, bool rules = false, bool store = false)
    {
        var missing = new List<string>();
        if (connection && string.IsNullOrWhiteSpace(options.SourceConnectionString)) missing.Add("--connection <connection string> (or PowerSync:SourceConnectionString in --config)");
        if (rules && options.SyncRules is null && string.IsNullOrWhiteSpace(options.SyncRulesPath)) missing.Add("--rules <sync-rules.yaml> (or PowerSync:SyncRulesPath in --config)");
        if (store && string.IsNullOrWhiteSpace(options.StoragePath)) missing.Add("--store <bucket store file> (or PowerSync:StoragePath in --config)");
        return missing.Count == 0 ? options : throw new UsageException("Missing: " + string.Join("; ", missing) + ".");
    }

    /// <summary>A lifetime: a number with s, m, h or d.</summary>
    private static TimeSpan Duration(string text)
    {
        var unit = text.Length > 0 ? text[^1] : ' ';
        if (text.Length > 1 && double.TryParse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) && amount > 0)
        {
            var duration = unit switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => (TimeSpan?)null,
            };
            if (duration is { } d) return d;
        }
        throw new UsageException($"--expires: '{text}' is not a duration; give a positive number with s, m, h or d, e.g. 90s, 30m, 1h, 7d.");
    }

    private static async Task<int> FailAsync(TextWriter stdout, TextWriter stderr, bool json, string code, string message, int exitCode)
    {
        await stderr.WriteLineAsync(code is "usage" or "cancelled" or "io" or "unexpected" ? $"error: {message}" : $"error: [{code}] {message}").ConfigureAwait(false);
        if (json) await JsonOutput.WriteErrorAsync(stdout, code, message).ConfigureAwait(false);
        return exitCode;
    }
}
