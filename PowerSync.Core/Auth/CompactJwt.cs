using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace PowerSync.Core.Auth;

/// <summary>
/// A token in the compact JWS form (<c>header.payload.signature</c>), decoded and checked strictly
/// before the signature library sees it: anything a client can send that is not such a token (wrong
/// number of parts, bad base64url, a header or payload that is not a JSON object of UTF-8 text,
/// duplicate names, nesting too deep) is a <c>PSYNC_S2101</c> that says which part is wrong. The
/// messages never repeat the token, and header values they name are cut short.
/// </summary>
internal sealed record CompactJwt(string Token, string Alg, string? Kid, JsonElement Payload)
{
    /// <summary>Longest token accepted: the signature library's own limit (HTTP servers cap headers lower, Kestrel at 32 KiB).</summary>
    public const int MaxLength = TokenValidationParameters.DefaultMaximumTokenSizeInBytes;

    private const int MaxShownLength = 40;

    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 32 };

    public static CompactJwt Parse(string token)
    {
        if (token.Length > MaxLength)
            throw Malformed($"The token is {token.Length} characters long; at most {MaxLength} are accepted.");
        var parts = token.Split('.');
        if (parts.Length == 5)
            throw Malformed("The token has five parts, the shape of an encrypted token (JWE): only signed tokens (JWS, header.payload.signature) are accepted.");
        if (parts.Length != 3)
            throw Malformed($"The token has {parts.Length} part(s) separated by '.'; a JWT has three: header.payload.signature, each base64url.");

        using var header = ParseJson(Decode(parts[0], "header"), "header");
        var alg = StringMember(header.RootElement, "alg");
        var kid = StringMember(header.RootElement, "kid");
        Decode(parts[2], "signature");
        using var payload = ParseJson(Decode(parts[1], "payload"), "payload");
        if (!IsValidText(payload.RootElement))
            throw Malformed("The token's payload holds a string that is not valid Unicode (an unpaired surrogate escape).");
        return new CompactJwt(token, alg ?? "", string.IsNullOrEmpty(kid) ? null : kid, payload.RootElement.Clone());
    }

    /// <summary>A value from the token, fit for an error message: at most 40 characters, control characters replaced.</summary>
    public static string Shown(string value)
    {
        var shown = value.Length > MaxShownLength ? value[..MaxShownLength] + "…" : value;
        return string.Create(shown.Length, shown, (span, s) =>
        {
            for (var i = 0; i < s.Length; i++) span[i] = char.IsControl(s[i]) || char.IsSurrogate(s[i]) ? '?' : s[i];
        });
    }

    private static byte[] Decode(string part, string name)
    {
        // RFC 7515: base64url without padding. A length of 4n+1 characters can encode no byte sequence.
        foreach (var c in part)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
                throw Malformed($"The token's {name} is not base64url (only A-Z, a-z, 0-9, '-' and '_', no padding).");
        }
        if (part.Length % 4 == 1)
            throw Malformed($"The token's {name} is not base64url: {part.Length} characters cannot encode whole bytes.");
        var bytes = new byte[Base64Url.GetMaxDecodedLength(part.Length)];
        // Refuses what no encoder writes, too: unused low bits of the last character that are not zero.
        if (Base64Url.DecodeFromChars(part, bytes, out _, out var written) != OperationStatus.Done)
            throw Malformed($"The token's {name} is not base64url (its last character has bits no encoder sets).");
        return written == bytes.Length ? bytes : bytes[..written];
    }

    private static JsonDocument ParseJson(byte[] utf8, string name)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, Strict);
        }
        catch (JsonException)
        {
            throw Malformed($"The token's {name} is not a JSON object in UTF-8 (or it repeats a name, or nests deeper than {Strict.MaxDepth} levels).");
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw Malformed($"The token's {name} must be a JSON object.");
        }
        return document;
    }

    /// <summary>Whether every name and string in the value decodes to valid UTF-16 (JSON may escape a lone surrogate).</summary>
    private static bool IsValidText(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return TryGetString(value, out _);
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    if (!IsValidText(item)) return false;
                }
                return true;
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    if (!NameIsValidText(property) || !IsValidText(property.Value)) return false;
                }
                return true;
            default:
                return true;
        }
    }

    private static bool NameIsValidText(JsonProperty property)
    {
        try
        {
            return property.Name is not null;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool TryGetString(JsonElement value, out string? text)
    {
        try
        {
            text = value.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            text = null;
            return false;
        }
    }

    private static string? StringMember(JsonElement header, string name)
    {
        if (!header.TryGetProperty(name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.String)
            throw Malformed($"The token header's '{name}' must be a string.");
        return TryGetString(value, out var text) ? text : throw Malformed($"The token header's '{name}' is not valid Unicode text.");
    }

    private static PowerSyncException Malformed(string message) => new(AuthErrorCodes.Generic, message);
}
