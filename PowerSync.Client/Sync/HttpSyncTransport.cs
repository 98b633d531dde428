using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PowerSync.Client.Sync;

/// <summary>
/// The HTTP transport: <c>POST {endpoint}/sync/stream</c> with <c>Authorization: Token &lt;jwt&gt;</c>
/// read as NDJSON, <c>GET {endpoint}/write-checkpoint2.json?client_id=</c> and <c>POST {endpoint}/sync/checkpoint-request</c>.
/// </summary>
internal sealed class HttpSyncTransport(HttpClient http) : ISyncTransport
{
    public async IAsyncEnumerable<SyncLine> StreamAsync(PowerSyncCredentials credentials, StreamingSyncRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, Combine(credentials.Endpoint, "sync/stream"))
        {
            Content = new StringContent(request.ToJson(), Encoding.UTF8, "application/json"),
        };
        message.Headers.Authorization = new AuthenticationHeaderValue("Token", credentials.Token);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        message.Headers.TryAddWithoutValidation("x-user-agent", "powersync-dotnet-client/0.1.0");
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // NDJSON split on '\n' in a byte buffer: each line is parsed from UTF-8 without a string copy.
            var buffer = new byte[64 * 1024];
            int start = 0, end = 0;
            while (true)
            {
                var length = Array.IndexOf(buffer, (byte)'\n', start, end - start) - start;
                if (length >= 0)
                {
                    var line = ParseLine(buffer, start, length);
                    start += length + 1;
                    if (line is not null) yield return line;
                    continue;
                }

                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }

                if (end == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    if (ParseLine(buffer, 0, end) is { } last) yield return last;
                    yield break;
                }

                end += read;
            }
        }
    }

    private static SyncLine? ParseLine(byte[] buffer, int start, int length)
    {
        var line = buffer.AsSpan(start, length);
        if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
        if (line.IsEmpty) return null;
        return SyncLineParser.Parse(line);
    }

    public async Task<long> GetWriteCheckpointAsync(PowerSyncCredentials credentials, string clientId, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, Combine(credentials.Endpoint, "write-checkpoint2.json?client_id=" + Uri.EscapeDataString(clientId)));
        message.Headers.Authorization = new AuthenticationHeaderValue("Token", credentials.Token);
        using var response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await ReadIdAsync(response, "write-checkpoint2.json", "write_checkpoint", 0, cancellationToken).ConfigureAwait(false);
    }

    public async Task<long?> PostCheckpointRequestAsync(PowerSyncCredentials credentials, string clientId, long requestId, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["client_id"] = clientId, ["checkpoint_request_id"] = requestId.ToString(CultureInfo.InvariantCulture) };
        using var message = new HttpRequestMessage(HttpMethod.Post, Combine(credentials.Endpoint, "sync/checkpoint-request"))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        message.Headers.Authorization = new AuthenticationHeaderValue("Token", credentials.Token);
        using var response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed) return null;
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await ReadIdAsync(response, "sync/checkpoint-request", "checkpoint_request_id", 1, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads <c>{"data":{"&lt;field&gt;":"&lt;id&gt;"}}</c> (also without the <c>data</c> wrapper, or with a number).</summary>
    private static async Task<long> ReadIdAsync(HttpResponseMessage response, string route, string field, long min, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement.TryGetProperty("data", out var data) ? data : doc.RootElement;
            var value = root.GetProperty(field);
            var id = value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, NumberStyles.None, CultureInfo.InvariantCulture) : value.GetInt64();
            if (id < min) throw new FormatException($"{field} must be at least {min}.");
            return id;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException or OverflowException)
        {
            throw new PowerSyncClientException(ClientErrorCodes.ProtocolError, $"{route} returned no valid {field}: {(text.Length > 500 ? text[..500] : text)}", e);
        }
    }

    private static Uri Combine(Uri endpoint, string relative)
    {
        var text = endpoint.ToString();
        return new Uri(text.EndsWith('/') ? text + relative : text + "/" + relative);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (text.Length > 500) text = text[..500];
        var code = (int)response.StatusCode switch
        {
            401 => ClientErrorCodes.Unauthorized,
            408 or 429 => ClientErrorCodes.SyncHttpError,
            >= 400 and < 500 => ClientErrorCodes.SyncRequestRejected,
            _ => ClientErrorCodes.SyncHttpError,
        };
        throw new PowerSyncClientException(code, $"The sync service answered {(int)response.StatusCode} {response.ReasonPhrase}: {text}");
    }
}
