using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PowerSync.Client.LocalDatabase;

/// <summary>
/// Prepared commands of one connection, by SQL text: a statement (and the triggers it fires) is
/// compiled once, then only re-bound. Used by one operation at a time, like its connection.
/// </summary>
internal sealed class StatementCache(SqliteConnection connection) : IDisposable
{
    private const int Capacity = 256;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteConnection Connection => connection;

    /// <summary>The prepared command for <paramref name="sql"/> with <paramref name="args"/> bound; do not dispose it.</summary>
    public SqliteCommand Get(string sql, IReadOnlyList<object?>? args)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            if (_commands.Count >= Capacity) Clear();
            command = Create(sql);
            _commands[sql] = command;
        }

        Bind(command, args);
        return command;
    }

    /// <summary>
    /// A new command for <paramref name="sql"/> with <paramref name="args"/> bound, outside the cache, for a statement
    /// that must be compiled against the schema of the moment (an <c>EXPLAIN</c>); the caller disposes it.
    /// </summary>
    public SqliteCommand GetUncached(string sql, IReadOnlyList<object?>? args)
    {
        var command = Create(sql);
        try
        {
            Bind(command, args);
            return command;
        }
        catch
        {
            command.Dispose();
            throw;
        }
    }

    private SqliteCommand Create(string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = SqlStatement.NumberPlaceholders(sql, out var count);
        for (var i = 1; i <= count; i++) command.Parameters.Add(new SqliteParameter("@p" + i.ToString(CultureInfo.InvariantCulture), DBNull.Value));
        return command;
    }

    private static void Bind(SqliteCommand command, IReadOnlyList<object?>? args)
    {
        var given = args?.Count ?? 0;
        if (given != command.Parameters.Count)
            throw new ArgumentException($"The SQL has {command.Parameters.Count} '?' placeholders but {given} arguments were given.", nameof(args));
        for (var i = 0; i < given; i++) command.Parameters[i].Value = SqlStatement.ToSqlite(args![i]);
    }

    public void Clear()
    {
        foreach (var command in _commands.Values) command.Dispose();
        _commands.Clear();
    }

    public void Dispose() => Clear();
}
