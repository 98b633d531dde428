using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using PowerSync.Core.Auth;

namespace PowerSync.Core.Hosting;

/// <summary>
/// Binds <see cref="PowerSyncOptions"/> from a configuration section (keys named as its properties, any case;
/// <c>Auth</c> a section of its own; lists as <c>Key:0</c>, <c>Key:1</c> or JSON arrays). Unlike the general binder it
/// stops at nothing: every key that is not a setting and every value of the wrong type becomes a problem of the
/// options, reported with the others (<see cref="HostingErrorCodes.InvalidOptions"/>) when the app starts, so a
/// misspelt key is an error rather than a default silently kept.
/// </summary>
internal static class PowerSyncConfiguration
{
    public static void Bind(IConfiguration configuration, PowerSyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration is not IConfigurationSection && configuration.GetSection("PowerSync").Exists())
        {
            // Every key of the app's configuration would be "not a setting": say the one thing to change.
            options.ConfigurationProblems.Add("AddPowerSync(configuration) was given the app's whole configuration: give its section, configuration.GetSection(\"PowerSync\").");
            return;
        }
        BindObject(configuration, options, options.ConfigurationProblems);
    }

    private static void BindObject(IConfiguration configuration, object target, List<string> problems)
    {
        var settings = target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance);
        foreach (var entry in configuration.GetChildren())
        {
            var setting = Array.Find(settings, p => string.Equals(p.Name, entry.Key, StringComparison.OrdinalIgnoreCase));
            if (setting is null)
            {
                problems.Add($"{entry.Path}: not a setting of {target.GetType().Name} (which has {string.Join(", ", settings.Select(p => p.Name))}).");
            }
            else if (setting.PropertyType == typeof(PowerSyncAuthOptions))
            {
                if (entry.Value is { Length: > 0 }) problems.Add($"{entry.Path}: give a section of settings (such as {entry.Path}:Audiences:0), not a value.");
                else BindObject(entry, setting.GetValue(target)!, problems);
            }
            else if (setting.CanWrite)
            {
                if (entry.Value is null && entry.GetChildren().Any()) problems.Add($"{entry.Path}: give a value, not a section.");
                else if (entry.Value is null) SetNull(setting, target);
                else if (Convert(entry, setting.PropertyType, problems, out var value)) setting.SetValue(target, value);
            }
            else
            {
                BindList(entry, setting, target, problems);
            }
        }
    }

    /// <summary>A JSON <c>null</c>: clears a text setting, leaves any other at its value.</summary>
    private static void SetNull(PropertyInfo setting, object target)
    {
        if (setting.PropertyType == typeof(string)) setting.SetValue(target, null);
    }

    /// <summary>Adds the items of a list section (<c>Key:0</c>, <c>Key:1</c>, ...) to a list setting, in order.</summary>
    private static void BindList(IConfigurationSection entry, PropertyInfo setting, object target, List<string> problems)
    {
        var itemType = setting.PropertyType.GetGenericArguments()[0];
        var list = (System.Collections.IList)setting.GetValue(target)!;
        var items = entry.GetChildren().ToList();
        if (items.Count == 0 && entry.Value is { Length: > 0 })
        {
            problems.Add($"{entry.Path}: give a list (a JSON array, or keys {entry.Path}:0, {entry.Path}:1, ...), not a single value.");
            return;
        }
        foreach (var item in items)
        {
            if (item.Value is null) problems.Add($"{item.Path}: give a value, not a section.");
            else if (Convert(item, itemType, problems, out var value)) list.Add(value);
        }
    }

    /// <summary>A configuration value as <paramref name="type"/>; false (with the problem added) when it is not one.</summary>
    private static bool Convert(IConfigurationSection entry, Type type, List<string> problems, out object? value)
    {
        value = null;
        if (type == typeof(string))
        {
            value = entry.Value;
            return true;
        }
        try
        {
            value = TypeDescriptor.GetConverter(type).ConvertFromInvariantString(entry.Value!);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            // Only non-text settings get here (numbers, durations, switches, URIs): their values are no secrets.
            problems.Add($"{entry.Path}: '{entry.Value}' is not {Expected(type)}.");
            return false;
        }
    }

    private static string Expected(Type type) => type switch
    {
        _ when type == typeof(int) => "a whole number",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(TimeSpan) => "a duration ([d.]hh:mm:ss, e.g. 00:00:30)",
        _ when type == typeof(Uri) => "a URI",
        { IsEnum: true } => "one of " + string.Join(", ", Enum.GetNames(type)),
        _ => string.Create(CultureInfo.InvariantCulture, $"a {type.Name}"),
    };
}
