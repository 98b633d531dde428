namespace PowerSync.Tool;

/// <summary>
/// A parsed command line: <c>powersync &lt;command&gt; [--option value | --option=value | --switch]...</c>.
/// Every option is known in advance; an unknown, repeated or misplaced one is a <see cref="UsageException"/>.
/// </summary>
internal sealed class ToolArguments
{
    /// <summary>Options taking a value, with the commands each applies to (null: every command but token).</summary>
    private static readonly Dictionary<string, string[]?> ValueOptions = new(StringComparer.Ordinal)
    {
        ["--config"] = null,
        ["--connection"] = null,
        ["--rules"] = ["validate", "preview"],
        ["--store"] = null,
        ["--engine"] = null,
        ["--publication"] = ["validate", "preview"],
        ["--user"] = ["preview", "token"],
        ["--claims"] = ["preview", "token"],
        ["--params"] = ["preview"],
        ["--key"] = ["token"],
        ["--audience"] = ["token"],
        ["--expires"] = ["token"],
        ["--kid"] = ["token"],
    };

    private static readonly Dictionary<string, string[]?> Switches = new(StringComparer.Ordinal)
    {
        ["--json"] = ["validate", "preview", "status", "compact", "token"],
        ["--strict"] = ["validate"],
        ["--jwks"] = ["token"],
    };

    public static readonly string[] Commands = ["validate", "preview", "status", "compact", "token"];

    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _switches;

    private ToolArguments(string? command, bool help, Dictionary<string, string> values, HashSet<string> switches)
    {
        Command = command;
        Help = help;
        _values = values;
        _switches = switches;
    }

    /// <summary>The command, or null when none was given.</summary>
    public string? Command { get; }

    /// <summary>Whether help was asked for (<c>--help</c>, <c>-h</c> or <c>help</c>).</summary>
    public bool Help { get; }

    /// <summary>Whether <c>--json</c> was given (looked for before parsing, so that usage errors honour it too).</summary>
    public static bool WantsJson(IEnumerable<string> args) => args.Contains("--json", StringComparer.Ordinal);

    public string? this[string option] => _values.GetValueOrDefault(option);

    public bool Has(string option) => _values.ContainsKey(option) || _switches.Contains(option);

    /// <exception cref="UsageException">The command line is not valid; the message says why.</exception>
    public static ToolArguments Parse(IReadOnlyList<string> args)
    {
        string? command = null;
        var help = false;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var switches = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "-?")
            {
                help = true;
                continue;
            }
            if (!arg.StartsWith('-'))
            {
                if (command is null && arg == "help")
                {
                    help = true;
                    command = "";
                }
                else if (command is null or "") command = Commands.Contains(arg, StringComparer.Ordinal) || command == "" ? arg : throw UnknownCommand(arg);
                else throw new UsageException($"Unexpected argument '{arg}': '{command}' takes options only (see powersync {command} --help).");
                continue;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? arg[..equals] : arg;
            if (Switches.ContainsKey(name))
            {
                if (equals > 0) throw new UsageException($"Option {name} takes no value (got '{arg}').");
                if (!switches.Add(name)) throw new UsageException($"Option {name} is given twice.");
                continue;
            }
            if (!ValueOptions.ContainsKey(name)) throw UnknownOption(name);
            string value;
            if (equals > 0) value = arg[(equals + 1)..];
            else if (i + 1 < args.Count && !IsOptionName(args[i + 1])) value = args[++i];
            else throw new UsageException($"Option {name} needs a value: {name} <{Placeholder(name)}>.");
            if (!values.TryAdd(name, value)) throw new UsageException($"Option {name} is given twice.");
        }

        if (command == "" && !help) command = null;
        if (command is { Length: > 0 } && !Commands.Contains(command, StringComparer.Ordinal)) throw UnknownCommand(command);
        if (command is { Length: > 0 } && !help)
        {
            foreach (var option in values.Keys.Concat(switches))
            {
                var applies = ValueOptions.TryGetValue(option, out var commands) ? commands : Switches[option];
                var appliesTo = applies ?? Commands.Where(c => c != "token").ToArray();
                if (!appliesTo.Contains(command, StringComparer.Ordinal))
                    throw new UsageException($"Option {option} does not apply to '{command}' (it is for: {string.Join(", ", appliesTo)}).");
            }
        }
        return new ToolArguments(command is "" ? null : command, help, values, switches);
    }

    /// <summary>What an option's value is, for messages.</summary>
    public static string Placeholder(string option) => option switch
    {
        "--config" => "appsettings.json",
        "--connection" => "connection string",
        "--rules" => "sync-rules.yaml",
        "--store" => "bucket store file",
        "--engine" => "sqlite|litedb",
        "--publication" => "name",
        "--user" => "user id",
        "--claims" or "--params" => "json object",
        "--key" => "secret",
        "--audience" => "aud",
        "--expires" => "duration, e.g. 1h",
        "--kid" => "key id",
        _ => "value",
    };

    /// <summary>An option name (not a negative number or a lone dash, which can be values).</summary>
    private static bool IsOptionName(string arg) => arg.StartsWith("--", StringComparison.Ordinal) || arg is "-h" or "-?";

    private static UsageException UnknownCommand(string command)
    {
        var close = Commands.FirstOrDefault(c => c.StartsWith(command[..Math.Min(3, command.Length)], StringComparison.OrdinalIgnoreCase));
        return new UsageException($"Unknown command '{command}'{(close is null ? "" : $"; did you mean '{close}'")}. Commands: {string.Join(", ", Commands)}.");
    }

    private static UsageException UnknownOption(string option)
    {
        var known = ValueOptions.Keys.Concat(Switches.Keys).Append("--help").ToList();
        var close = known.FirstOrDefault(k => k.StartsWith(option[..Math.Min(4, option.Length)], StringComparison.OrdinalIgnoreCase) && option.Length > 2);
        return new UsageException($"Unknown option '{option}'{(close is null ? "" : $" (did you mean {close}?)")}. See powersync --help.");
    }
}
