using System.Globalization;
using System.Text;

namespace PowerSync.Client.LocalDatabase;

/// <summary>Positional <c>?</c> placeholders and argument values for Microsoft.Data.Sqlite commands.</summary>
internal static class SqlStatement
{
    public static object ToSqlite(object? value) => value switch
    {
        null => DBNull.Value,
        bool b => b ? 1L : 0L,
        Guid g => g.ToString(),
        Enum e => Convert.ToInt64(e, CultureInfo.InvariantCulture),
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
        _ => value,
    };

    /// <summary>Rewrites each bare <c>?</c> outside strings, identifiers and comments to <c>@pN</c>.</summary>
    internal static string NumberPlaceholders(string sql, out int count)
    {
        count = 0;
        var sb = new StringBuilder(sql.Length + 16);
        for (var i = 0; i < sql.Length; i++)
        {
            var c = sql[i];
            switch (c)
            {
                case '\'' or '"' or '`' or '[':
                {
                    var close = c == '[' ? ']' : c;
                    var end = sql.IndexOf(close, i + 1);
                    while (end >= 0 && close != ']' && end + 1 < sql.Length && sql[end + 1] == close) end = sql.IndexOf(close, end + 2);
                    end = end < 0 ? sql.Length - 1 : end;
                    sb.Append(sql, i, end - i + 1);
                    i = end;
                    break;
                }

                case '-' when i + 1 < sql.Length && sql[i + 1] == '-':
                {
                    var end = sql.IndexOf('\n', i);
                    end = end < 0 ? sql.Length - 1 : end;
                    sb.Append(sql, i, end - i + 1);
                    i = end;
                    break;
                }

                case '/' when i + 1 < sql.Length && sql[i + 1] == '*':
                {
                    var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    end = end < 0 ? sql.Length - 1 : end + 1;
                    sb.Append(sql, i, end - i + 1);
                    i = end;
                    break;
                }

                case '?' when i + 1 >= sql.Length || !char.IsAsciiDigit(sql[i + 1]):
                    count++;
                    sb.Append("@p").Append(count.ToString(CultureInfo.InvariantCulture));
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        return sb.ToString();
    }
}
