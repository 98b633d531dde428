using System.Text;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>
/// JavaScript <c>toUpperCase</c>/<c>toLowerCase</c>: invariant simple case mapping plus the
/// unconditional full mappings of Unicode SpecialCasing.txt (<c>ß</c> → <c>SS</c>, <c>ﬁ</c> → <c>FI</c>,
/// <c>İ</c> → <c>i̇</c>) and the final-sigma rule.
/// </summary>
internal static class JsCaseMapping
{
    private static readonly Dictionary<char, string> UpperSpecial = new()
    {
        ['\u00DF'] = "SS", ['\uFB00'] = "FF", ['\uFB01'] = "FI", ['\uFB02'] = "FL", ['\uFB03'] = "FFI", ['\uFB04'] = "FFL",
        ['\uFB05'] = "ST", ['\uFB06'] = "ST", ['\u0149'] = "\u02BCN", ['\u01F0'] = "J\u030C", ['\u0390'] = "\u0399\u0308\u0301",
        ['\u03B0'] = "\u03A5\u0308\u0301", ['\u0587'] = "\u0535\u0552", ['\u1E96'] = "H\u0331", ['\u1E97'] = "T\u0308",
        ['\u1E98'] = "W\u030A", ['\u1E99'] = "Y\u030A", ['\u1E9A'] = "A\u02BE", ['\uFB13'] = "\u0544\u0546",
        ['\uFB14'] = "\u0544\u0535", ['\uFB15'] = "\u0544\u053B", ['\uFB16'] = "\u054E\u0546", ['\uFB17'] = "\u0544\u053D",
        ['\u1E9E'] = "\u1E9E",
    };

    public static string ToUpper(string text)
    {
        StringBuilder? sb = null;
        for (var i = 0; i < text.Length; i++)
        {
            if (UpperSpecial.TryGetValue(text[i], out var special))
            {
                sb ??= new StringBuilder(text.Length + 4).Append(text.AsSpan(0, i).ToString().ToUpperInvariant());
                sb.Append(special);
            }
            else
            {
                sb?.Append(char.ToUpperInvariant(text[i]));
            }
        }

        return sb?.ToString() ?? text.ToUpperInvariant();
    }

    public static string ToLower(string text)
    {
        var lower = text.ToLowerInvariant();
        if (text.AsSpan().IndexOfAny('\u0130', '\u03A3') < 0)
        {
            return lower;
        }

        var sb = new StringBuilder(text.Length + 2);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\u0130')
            {
                sb.Append("i\u0307");
            }
            else if (c == '\u03A3')
            {
                var afterLetter = i > 0 && char.IsLetter(text[i - 1]);
                var beforeLetter = i + 1 < text.Length && char.IsLetter(text[i + 1]);
                sb.Append(afterLetter && !beforeLetter ? '\u03C2' : '\u03C3');
            }
            else
            {
                sb.Append(lower[i]);
            }
        }

        return sb.ToString();
    }
}
