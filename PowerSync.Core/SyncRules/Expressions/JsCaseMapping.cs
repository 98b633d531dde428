using System.Text;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>
/// JavaScript <c>toUpperCase</c>/<c>toLowerCase</c>: the full Unicode default case mapping. Per code point, the
/// mapping is .NET's invariant simple one except where JavaScript differs (the multi-character mappings of
/// SpecialCasing.txt such as <c>ß</c> → <c>SS</c>, <c>ﬁ</c> → <c>FI</c>, <c>İ</c> → <c>i̇</c>, and any code point
/// whose Unicode data differs between the two): those come from <see cref="JsCaseTables"/>, generated from Node.
/// Lower-casing <c>Σ</c> applies the final-sigma rule with the Cased and Case_Ignorable properties. ASCII text takes
/// a fast path.
/// </summary>
internal static class JsCaseMapping
{
    private const char CapitalSigma = '\u03A3';

    public static string ToUpper(string text) =>
        System.Text.Ascii.IsValid(text) ? text.ToUpperInvariant() : Map(text, JsCaseTables.Upper, upper: true);

    public static string ToLower(string text) =>
        System.Text.Ascii.IsValid(text) ? text.ToLowerInvariant() : Map(text, JsCaseTables.Lower, upper: false);

    private static string Map(string text, System.Collections.Frozen.FrozenDictionary<int, string> differences, bool upper)
    {
        var sb = new StringBuilder(text.Length + 4);
        Span<char> buffer = stackalloc char[2];
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                sb.Append(text[i]); // a lone surrogate maps to itself
                i++;
                continue;
            }

            if (!upper && rune.Value == CapitalSigma)
            {
                sb.Append(IsFinalSigma(text, i) ? '\u03C2' : '\u03C3');
            }
            else if (differences.TryGetValue(rune.Value, out var mapped))
            {
                sb.Append(mapped);
            }
            else
            {
                var cased = upper ? Rune.ToUpperInvariant(rune) : Rune.ToLowerInvariant(rune);
                sb.Append(buffer[..cased.EncodeToUtf16(buffer)]);
            }

            i += consumed;
        }

        return sb.ToString();
    }

    /// <summary>
    /// Unicode's Final_Sigma condition for the sigma at <paramref name="at"/>: a cased code point before it and none after
    /// it, case-ignorable ones skipped on both sides.
    /// </summary>
    private static bool IsFinalSigma(string text, int at)
    {
        var before = false;
        for (var i = at; i > 0;)
        {
            Rune.DecodeLastFromUtf16(text.AsSpan(0, i), out var rune, out var consumed);
            i -= consumed;
            if (IsCaseIgnorable(rune.Value)) continue;
            before = IsCased(rune.Value);
            break;
        }

        if (!before)
        {
            return false;
        }

        for (var i = at + 1; i < text.Length;)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed);
            i += consumed;
            if (IsCaseIgnorable(rune.Value)) continue;
            return !IsCased(rune.Value);
        }

        return true;
    }

    private static bool IsCased(int codePoint) => InRanges(JsCaseTables.CasedRanges, codePoint);

    private static bool IsCaseIgnorable(int codePoint) => InRanges(JsCaseTables.CaseIgnorableRanges, codePoint);

    /// <summary>Whether <paramref name="codePoint"/> is in one of the sorted inclusive ranges (start, end pairs).</summary>
    private static bool InRanges(int[] ranges, int codePoint)
    {
        int lo = 0, hi = (ranges.Length / 2) - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (codePoint < ranges[2 * mid]) hi = mid - 1;
            else if (codePoint > ranges[(2 * mid) + 1]) lo = mid + 1;
            else return true;
        }

        return false;
    }
}
