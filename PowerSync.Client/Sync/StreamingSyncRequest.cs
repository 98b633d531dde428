using System.Globalization;
using System.Text.Json.Nodes;

namespace PowerSync.Client.Sync;

/// <summary>
/// The request body of <c>POST /sync/stream</c>, built in one place: what the client has (<see cref="Buckets"/>), who it
/// is (<see cref="ClientId"/>) and what the connection adds (<see cref="For"/> takes it from the connection options). A
/// new part of the request is a property here and a line in <see cref="ToJson"/>.
/// </summary>
/// <param name="Buckets">Buckets the client has, with the last op id it holds for each.</param>
/// <param name="ClientId">The client id (<c>ps_kv.client_id</c>), used to key write checkpoints.</param>
internal sealed record StreamingSyncRequest(IReadOnlyList<(string Name, long After)> Buckets, string ClientId)
{
    /// <summary>Client parameters as a JSON object (<c>request.parameters()</c> in the sync rules).</summary>
    public string ParametersJson { get; init; } = "{}";

    /// <summary>The app's metadata for the service's logs (<c>app_metadata</c>), or null to send none.</summary>
    public IReadOnlyDictionary<string, string>? AppMetadata { get; init; }

    /// <summary>The stream subscriptions (<c>streams</c>), or null to send none.</summary>
    public StreamRequest? Streams { get; init; }

    /// <summary>The request of a connection with <paramref name="options"/>.</summary>
    public static StreamingSyncRequest For(PowerSyncConnectionOptions options, string clientId, IReadOnlyList<(string Name, long After)> buckets, StreamRequest? streams = null) =>
        new(buckets, clientId) { ParametersJson = options.ParametersJson().ToJsonString(), AppMetadata = options.AppMetadata, Streams = streams };

    public string ToJson()
    {
        var body = new JsonObject
        {
            ["buckets"] = new JsonArray(Buckets.Select(b => (JsonNode)new JsonObject
            {
                ["name"] = b.Name,
                ["after"] = b.After.ToString(CultureInfo.InvariantCulture),
            }).ToArray()),
            ["include_checksum"] = true,
            ["raw_data"] = true,
            ["client_id"] = ClientId,
            ["parameters"] = JsonNode.Parse(ParametersJson),
        };
        if (Streams is { } streams) body["streams"] = streams.ToJson();
        if (AppMetadata is { Count: > 0 } metadata)
            body["app_metadata"] = new JsonObject(metadata.Select(m => new KeyValuePair<string, JsonNode?>(m.Key, m.Value)));
        return body.ToJsonString();
    }
}
