using System.Text.Encodings.Web;

namespace PowerSync.Core.Protocol;

/// <summary>
/// String escaping as <c>JSON.stringify</c> does it, which is what the official service sends: only
/// <c>"</c>, <c>\</c> and control characters are escaped (<c>\b \f \n \r \t</c>, the rest as lowercase
/// <c>\u00xx</c>); non-ASCII text, emoji, DEL and U+2028 go out as they are. The built-in encoders
/// escape more (the relaxed one still escapes DEL, U+2028 and everything outside the BMP).
/// <see cref="DataLineWriter"/> escapes data lines the same way without a JSON writer.
/// </summary>
internal sealed class JsonStringifyEncoder : JavaScriptEncoder
{
    public static readonly JsonStringifyEncoder Instance = new();

    private static readonly System.Buffers.SearchValues<char> MustEscape = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), '"', '\\']);

    private JsonStringifyEncoder()
    {
    }

    public override int MaxOutputCharactersPerInputCharacter => 6;

    /// <summary>The letter after the backslash for characters with a short escape (<c>\n</c>, <c>\"</c>, ...), else 0 (then <c>\u00xx</c>).</summary>
    public static byte ShortEscape(int character) => character switch
    {
        '"' => (byte)'"',
        '\\' => (byte)'\\',
        '\b' => (byte)'b',
        '\f' => (byte)'f',
        '\n' => (byte)'n',
        '\r' => (byte)'r',
        '\t' => (byte)'t',
        _ => 0,
    };

    /// <summary>A lowercase hex digit, as <c>JSON.stringify</c> writes them.</summary>
    public static byte HexDigit(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    public override bool WillEncode(int unicodeScalar) => unicodeScalar is < 0x20 or '"' or '\\';

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength) =>
        new ReadOnlySpan<char>(text, textLength).IndexOfAny(MustEscape);

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var output = new Span<char>(buffer, bufferLength);
        numberOfCharactersWritten = 0;
        if (!WillEncode(unicodeScalar))
        {
            // Asked for a scalar that needs no escape: written as itself.
            if (!new System.Text.Rune(unicodeScalar).TryEncodeToUtf16(output, out var written)) return false;
            numberOfCharactersWritten = written;
            return true;
        }

        var letter = (char)ShortEscape(unicodeScalar);
        var length = letter == '\0' ? 6 : 2;
        if (output.Length < length) return false;
        output[0] = '\\';
        if (letter != '\0')
        {
            output[1] = letter;
        }
        else
        {
            output[1] = 'u';
            output[2] = '0';
            output[3] = '0';
            output[4] = (char)HexDigit(unicodeScalar >> 4);
            output[5] = (char)HexDigit(unicodeScalar & 0xF);
        }

        numberOfCharactersWritten = length;
        return true;
    }
}
