using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Microsoft.Data.Sqlite;

namespace PowerSync.Client.LocalDatabase;

/// <summary>
/// Maps result rows to records (by constructor parameter name) or classes (by settable property name).
/// Names match case-insensitively, ignoring underscores, so <c>list_id</c> maps to <c>ListId</c>.
/// One instance per database; mappers are cached per type.
/// </summary>
internal sealed class RowMapper
{
    private readonly ConcurrentDictionary<Type, Func<SqliteDataReader, object?>> _mappers = new();

    public async Task<List<T>> ReadAllAsync<T>(SqliteCommand command, CancellationToken cancellationToken)
    {
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var rows = new List<T>();
            Func<SqliteDataReader, object?>? map = null;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                map ??= _mappers.GetOrAdd(typeof(T), t => Build(t, reader));
                rows.Add((T)map(reader)!);
            }

            return rows;
        }
    }

    private static Func<SqliteDataReader, object?> Build(Type type, SqliteDataReader reader)
    {
        if (IsScalar(type)) return r => Convert(r.GetValue(0), type, r.GetName(0));
        if (type.IsAssignableFrom(typeof(Dictionary<string, object?>)))
        {
            return r =>
            {
                var d = new Dictionary<string, object?>(r.FieldCount, StringComparer.Ordinal);
                for (var i = 0; i < r.FieldCount; i++) d[r.GetName(i)] = r.IsDBNull(i) ? null : r.GetValue(i);
                return d;
            };
        }

        var columns = new Dictionary<string, int>();
        for (var i = 0; i < reader.FieldCount; i++) columns.TryAdd(Normalize(reader.GetName(i)), i);

        var ctor = type.GetConstructors()
            .Where(c => c.GetParameters().All(p => columns.ContainsKey(Normalize(p.Name!)) || p.HasDefaultValue))
            .OrderByDescending(c => c.GetParameters().Length)
            .FirstOrDefault()
            ?? throw new PowerSyncClientException(ClientErrorCodes.RowMapping,
                $"Cannot map rows to {type.Name}: no public constructor whose parameters all match result columns ({string.Join(", ", columns.Keys)}). Add a parameterless constructor or rename the columns.");
        var parameters = ctor.GetParameters();
        var ctorSlots = parameters.Select(p => columns.TryGetValue(Normalize(p.Name!), out var i) ? i : -1).ToArray();
        var ctorNames = new HashSet<string>(parameters.Select(p => Normalize(p.Name!)));
        var setters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic && !ctorNames.Contains(Normalize(p.Name)) && columns.ContainsKey(Normalize(p.Name)))
            .Select(p => (Property: p, Index: columns[Normalize(p.Name)]))
            .ToArray();
        return r =>
        {
            var values = new object?[parameters.Length];
            for (var i = 0; i < parameters.Length; i++)
                values[i] = ctorSlots[i] < 0 ? parameters[i].DefaultValue : Convert(r.GetValue(ctorSlots[i]), parameters[i].ParameterType, parameters[i].Name!);
            var instance = ctor.Invoke(values);
            foreach (var (property, index) in setters) property.SetValue(instance, Convert(r.GetValue(index), property.PropertyType, property.Name));
            return instance;
        };
    }

    private static bool IsScalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(byte[]) || t == typeof(Guid)
            || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(object);
    }

    private static string Normalize(string name) => name.Replace("_", "", StringComparison.Ordinal).ToUpperInvariant();

    private static object? Convert(object value, Type target, string name)
    {
        if (value is DBNull)
        {
            if (!target.IsValueType || Nullable.GetUnderlyingType(target) is not null) return null;
            throw new PowerSyncClientException(ClientErrorCodes.RowMapping, $"Column '{name}' is NULL but maps to non-nullable {target.Name}; make it nullable.");
        }

        var t = Nullable.GetUnderlyingType(target) ?? target;
        try
        {
            if (t.IsInstanceOfType(value)) return value;
            if (t == typeof(bool)) return System.Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0;
            if (t == typeof(Guid)) return Guid.Parse((string)value);
            if (t == typeof(DateTime)) return DateTime.Parse((string)value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            if (t == typeof(DateTimeOffset)) return DateTimeOffset.Parse((string)value, CultureInfo.InvariantCulture);
            if (t.IsEnum) return value is string s ? Enum.Parse(t, s, true) : Enum.ToObject(t, value);
            if (t == typeof(string)) return System.Convert.ToString(value, CultureInfo.InvariantCulture);
            return System.Convert.ChangeType(value, t, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            throw new PowerSyncClientException(ClientErrorCodes.RowMapping, $"Column '{name}' holds a {value.GetType().Name} that cannot be converted to {t.Name}.", e);
        }
    }
}
