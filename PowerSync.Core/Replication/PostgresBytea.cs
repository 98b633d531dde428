namespace PowerSync.Core.Replication;

/// <summary>Decodes Postgres' text output of <c>bytea</c>: the hex format (<c>\x0a0b</c>) and the legacy escape format.</summary>
internal static class PostgresBytea
{
    public static byte[] Decode(string text)
    {
        if (text.StartsWith("\\x", StringComparison.Ordinal))
        {
            if (text.Length % 2 != 0) throw new FormatException("bytea hex text has an odd number of digits");
            return Convert.FromHexString(text.AsSpan(2));
        }

        // bytea_output = 'escape': printable bytes as is, '\\' for a backslash, '\ooo' octal for the rest.
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\\')
            {
                if (c > 0xFF) throw new FormatException("bytea escape text contains a non-byte character");
                bytes.Add((byte)c);
            }
            else if (i + 1 < text.Length && text[i + 1] == '\\')
            {
                bytes.Add((byte)'\\');
                i++;
            }
            else if (i + 3 < text.Length && IsOctal(text[i + 1]) && IsOctal(text[i + 2]) && IsOctal(text[i + 3]))
            {
                bytes.Add((byte)(((text[i + 1] - '0') << 6) | ((text[i + 2] - '0') << 3) | (text[i + 3] - '0')));
                i += 3;
            }
            else
            {
                throw new FormatException("bytea escape text has an invalid backslash sequence");
            }
        }
        return [.. bytes];
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
