using System.Globalization;
using System.Text.Json;
using PowerSync.Core.Storage;

namespace PowerSync.Core.Protocol;

/// <summary>
/// A subscription to a sync stream, as the client asked for it; <paramref name="Index"/> is its position in the
/// request's list (what the <c>checkpoint</c> line's <c>{"sub": i}</c> refers to), kept when repeats are merged.
/// </summary>
internal sealed record SubscriptionRequest(string Stream, JsonElement? Parameters, int? OverridePriority, int Index);

/// <summary>
/// A parsed <c>POST /sync/stream</c> body. Unknown fields are allowed (clients send more than the
/// server reads); every field that is read is checked, and a bad one is rejected with a message
/// naming it.
/// </summary>
internal sealed record SyncRequest(
    IReadOnlyDictionary<string, OpId> Buckets,
    bool RawData,
    JsonElement Parameters,
    string? ClientId,
    bool IncludeDefaultStreams,
    IReadOnlyList<SubscriptionRequest> Subscriptions)
{
    /// <summary>The longest client id accepted.</summary>
    public const int MaxClientIdLength = 256;

    /// <summary>Distinct stream subscriptions one request may hold unless configured otherwise.</summary>
    public const int DefaultMaxSubscriptions = 100;

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>A request with no buckets and no parameters.</summary>
    public static SyncRequest Empty { get; } = new(new Dictionary<string, OpId>(), true, EmptyObject, null, true, []);

    /// <summary>
    /// Parses a body; <paramref name="maxBuckets"/> bounds the bucket positions a client may send and
    /// <paramref name="maxSubscriptions"/> the distinct stream subscriptions (repeats are merged first).
    /// </summary>
    public static SyncRequest Parse(ReadOnlyMemory<byte> body, int maxBuckets, int maxSubscriptions = DefaultMaxSubscriptions)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw Invalid($"The request body is not valid JSON ({e.Message}).");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Invalid("The request body must be a JSON object.");

            var buckets = new Dictionary<string, OpId>(StringComparer.Ordinal);
            if (Property(root, "buckets", JsonValueKind.Array) is { } list)
            {
                if (list.GetArrayLength() > maxBuckets)
                    throw Invalid($"'buckets' lists {list.GetArrayLength()} buckets; at most {maxBuckets} are allowed per connection.");
                var i = 0;
                foreach (var entry in list.EnumerateArray())
                {
                    if (entry.ValueKind != JsonValueKind.Object) throw Invalid($"buckets[{i}] must be an object {{\"name\": \"...\", \"after\": \"<op id>\"}}.");
                    var name = Text(Property(entry, "name", JsonValueKind.String), $"buckets[{i}].name");
                    if (string.IsNullOrEmpty(name)) throw Invalid($"buckets[{i}].name must be a non-empty string.");
                    buckets[name] = ParseAfter(entry, i);
                    i++;
                }
            }

            var parameters = Property(root, "parameters", JsonValueKind.Object) is { } given ? WellFormed(given, "parameters").Clone() : EmptyObject;
            var clientId = Text(Property(root, "client_id", JsonValueKind.String), "client_id");
            if (ClientIdProblem(clientId) is { } problem) throw Invalid(problem);

            var includeDefaults = true;
            var subscriptions = new List<SubscriptionRequest>();
            if (Property(root, "streams", JsonValueKind.Object) is { } streams)
            {
                if (streams.TryGetProperty("include_defaults", out var include))
                {
                    includeDefaults = include.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        JsonValueKind.Null => true,
                        _ => throw Invalid("'streams.include_defaults' must be true or false."),
                    };
                }
                if (Property(streams, "subscriptions", JsonValueKind.Array) is { } subs)
                {
                    // Repeats of one subscription (same stream, parameters and priority) are merged into the first:
                    // each would only list the same buckets again. What remains is bounded.
                    var seen = new HashSet<(string, string?, int?)>();
                    var i = 0;
                    foreach (var sub in subs.EnumerateArray())
                    {
                        var parsed = ParseSubscription(sub, i++);
                        if (!seen.Add((parsed.Stream, parsed.Parameters?.GetRawText(), parsed.OverridePriority))) continue;
                        if (subscriptions.Count == maxSubscriptions)
                        {
                            throw new PowerSyncException(ProtocolErrorCodes.TooManySubscriptions,
                                $"Invalid sync request: 'streams.subscriptions' holds more than {maxSubscriptions} distinct subscriptions; " +
                                "subscribe to fewer streams or parameter sets on one connection, or raise MaxSubscriptionsPerConnection.");
                        }
                        subscriptions.Add(parsed);
                    }
                }
            }

            var rawData = Property(root, "raw_data", JsonValueKind.True) is not null;
            return new SyncRequest(buckets, rawData, parameters, clientId, includeDefaults, subscriptions);
        }
    }

    private static OpId ParseAfter(JsonElement entry, int index)
    {
        if (!entry.TryGetProperty("after", out var after) || after.ValueKind == JsonValueKind.Null) return OpId.Zero;
        var text = after.ValueKind switch
        {
            JsonValueKind.String => after.GetString(),
            JsonValueKind.Number => after.GetRawText(),
            _ => null,
        };
        if (text is null || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw Invalid($"buckets[{index}].after must be an op id: a string of digits from \"0\" to \"9223372036854775807\", not {after.GetRawText()}.");
        return new OpId(value);
    }

    private static SubscriptionRequest ParseSubscription(JsonElement sub, int index)
    {
        if (sub.ValueKind != JsonValueKind.Object) throw Invalid($"streams.subscriptions[{index}] must be an object.");
        var stream = Text(Property(sub, "stream", JsonValueKind.String), $"streams.subscriptions[{index}].stream");
        if (string.IsNullOrEmpty(stream)) throw Invalid($"streams.subscriptions[{index}].stream must name a stream.");
        JsonElement? parameters = null;
        if (sub.TryGetProperty("parameters", out var p) && p.ValueKind != JsonValueKind.Null)
        {
            if (p.ValueKind != JsonValueKind.Object) throw Invalid($"streams.subscriptions[{index}].parameters must be an object or null.");
            parameters = WellFormed(p, $"streams.subscriptions[{index}].parameters").Clone();
        }
        int? priority = null;
        if (sub.TryGetProperty("override_priority", out var o) && o.ValueKind != JsonValueKind.Null)
        {
            if (o.ValueKind != JsonValueKind.Number || !o.TryGetInt32(out var value) || value is < 0 or > 3)
                throw Invalid($"streams.subscriptions[{index}].override_priority must be 0, 1, 2, 3 or null.");
            priority = value;
        }
        return new SubscriptionRequest(stream, parameters, priority, index);
    }

    /// <summary>Why a client id cannot be used (too long, or not well-formed text), or null when it can.</summary>
    public static string? ClientIdProblem(string? clientId) => clientId switch
    {
        null => null,
        { Length: > MaxClientIdLength } => $"'client_id' is {clientId.Length} characters long; at most {MaxClientIdLength} are allowed.",
        _ when !IsWellFormed(clientId) => "'client_id' is not well-formed text: it holds a lone surrogate (an unpaired \\uD800-\\uDFFF).",
        _ => null,
    };

    /// <summary>Whether the text is valid UTF-16 (every surrogate paired), so it has a UTF-8 form.</summary>
    public static bool IsWellFormed(string text) => !HasLoneSurrogate(text);

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i])) return true;
        }
        return false;
    }

    /// <summary>A string property's text; invalid UTF-8 or an escaped lone surrogate is a 400 naming the field.</summary>
    private static string? Text(JsonElement? value, string field)
    {
        if (value is not { } element) return null;
        string text;
        try
        {
            text = element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Invalid($"{field} is not valid text: it holds invalid UTF-8 or an escaped lone surrogate.");
        }
        if (HasLoneSurrogate(text)) throw Invalid($"{field} is not valid text: it holds a lone surrogate.");
        return text;
    }

    /// <summary>Checks every name and string inside <paramref name="value"/> is valid text (the sync rules read them later).</summary>
    private static JsonElement WellFormed(JsonElement value, string field)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                Text(value, field);
                break;
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        throw Invalid($"a property name in {field} is not valid text: it holds invalid UTF-8 or an escaped lone surrogate.");
                    }
                    if (HasLoneSurrogate(name)) throw Invalid($"a property name in {field} holds a lone surrogate.");
                    WellFormed(property.Value, field);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray()) WellFormed(item, field);
                break;
        }
        return value;
    }

    /// <summary>The property when present with the expected kind; null when absent or null; an error when of another kind.</summary>
    private static JsonElement? Property(JsonElement obj, string name, JsonValueKind kind)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (kind == JsonValueKind.True)
        {
            return value.ValueKind switch
            {
                JsonValueKind.True => value,
                JsonValueKind.False => null,
                _ => throw Invalid($"'{name}' must be true or false."),
            };
        }
        if (value.ValueKind != kind) throw Invalid($"'{name}' must be {Describe(kind)}, not {value.ValueKind.ToString().ToLowerInvariant()}.");
        return value;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static PowerSyncException Invalid(string message) => new(ProtocolErrorCodes.InvalidRequest, "Invalid sync request: " + message);
}
