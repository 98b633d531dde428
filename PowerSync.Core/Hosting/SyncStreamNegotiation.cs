using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace PowerSync.Core.Hosting;

/// <summary>
/// Content negotiation of <c>POST /sync/stream</c>, as the official service does it: BSON lines only when the
/// <c>Accept</c> header prefers <c>application/vnd.powersync.bson-stream</c> to <c>application/x-ndjson</c> (by
/// quality, then by the more specific match; a tie, no header, or neither acceptable gives NDJSON), and gzip when
/// <c>Accept-Encoding</c> allows it at least as much as no encoding.
/// </summary>
internal static class SyncStreamNegotiation
{
    public const string NdJson = "application/x-ndjson";

    public const string Bson = "application/vnd.powersync.bson-stream";

    public static bool PrefersBson(StringValues accept)
    {
        if (StringValues.IsNullOrEmpty(accept) || !MediaTypeHeaderValue.TryParseList(accept, out var types)) return false;
        var bson = Acceptance(types, "application", "vnd.powersync.bson-stream");
        var ndjson = Acceptance(types, "application", "x-ndjson");
        return bson.Quality > 0 && (bson.Quality > ndjson.Quality || (bson.Quality == ndjson.Quality && bson.Specificity > ndjson.Specificity));
    }

    /// <summary>The quality the most specific matching range gives the type (0 when none matches), and how specific that range is.</summary>
    private static (double Quality, int Specificity) Acceptance(IList<MediaTypeHeaderValue> ranges, string type, string subtype)
    {
        var best = (Quality: 0.0, Specificity: -1);
        foreach (var range in ranges)
        {
            var specificity = range.MatchesAllTypes ? 0
                : !range.Type.Equals(type, StringComparison.OrdinalIgnoreCase) ? -1
                : range.MatchesAllSubTypes ? 1
                : range.SubType.Equals(subtype, StringComparison.OrdinalIgnoreCase) ? 2
                : -1;
            if (specificity > best.Specificity) best = (range.Quality ?? 1, specificity);
        }
        return best;
    }

    public static bool AcceptsGzip(StringValues acceptEncoding)
    {
        if (StringValues.IsNullOrEmpty(acceptEncoding) || !StringWithQualityHeaderValue.TryParseList(acceptEncoding, out var codings)) return false;
        double? gzip = null, any = null, identity = null;
        foreach (var coding in codings)
        {
            var quality = coding.Quality ?? 1;
            if (coding.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) || coding.Value.Equals("x-gzip", StringComparison.OrdinalIgnoreCase)) gzip = Math.Max(gzip ?? 0, quality);
            else if (coding.Value.Equals("*", StringComparison.Ordinal)) any = quality;
            else if (coding.Value.Equals("identity", StringComparison.OrdinalIgnoreCase)) identity = quality;
        }
        var gzipQuality = gzip ?? any ?? 0;
        return gzipQuality > 0 && gzipQuality >= (identity ?? 0);
    }
}
