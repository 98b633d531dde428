using System.Buffers.Binary;
using System.Text;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>
/// <c>st_asgeojson</c>, <c>st_astext</c>, <c>st_x</c>, <c>st_y</c> over PostGIS (E)WKB, given as a blob or
/// hex text. Only POINT geometries are decoded; any other geometry type is a row evaluation error
/// that says so (the official evaluator supports all WKB types).
/// </summary>
internal static class GeometryFunctions
{
    private static (double X, double Y)? ParsePoint(SqliteValue value)
    {
        byte[] wkb;
        switch (value.Type)
        {
            case SqliteType.Blob:
                wkb = value.AsBlob;
                break;
            case SqliteType.Text:
                try
                {
                    wkb = Convert.FromHexString(value.AsText);
                }
                catch (FormatException)
                {
                    throw new SqlEvaluationException("Invalid geometry: not hex-encoded WKB");
                }

                break;
            default:
                return null;
        }

        if (wkb.Length < 5)
        {
            throw new SqlEvaluationException("Invalid geometry: WKB too short");
        }

        var little = wkb[0] == 1;
        var span = wkb.AsSpan(1);
        var type = little ? BinaryPrimitives.ReadUInt32LittleEndian(span) : BinaryPrimitives.ReadUInt32BigEndian(span);
        var offset = 5;
        if ((type & 0x20000000) != 0)
        {
            offset += 4; // EWKB SRID
        }

        if ((type & 0xFFFF) != 1 || (type & 0xC0000000) != 0)
        {
            throw new SqlEvaluationException("Geometry type not supported: only POINT (2D) geometries are supported by st_* functions in PowerSync for .NET");
        }

        if (wkb.Length < offset + 16)
        {
            throw new SqlEvaluationException("Invalid geometry: WKB too short");
        }

        var xs = wkb.AsSpan(offset, 8);
        var ys = wkb.AsSpan(offset + 8, 8);
        return little
            ? (BinaryPrimitives.ReadDoubleLittleEndian(xs), BinaryPrimitives.ReadDoubleLittleEndian(ys))
            : (BinaryPrimitives.ReadDoubleBigEndian(xs), BinaryPrimitives.ReadDoubleBigEndian(ys));
    }

    public static SqliteValue X(SqliteValue value) => ParsePoint(value) is { } p ? SqliteValue.FromReal(p.X) : SqliteValue.Null;

    public static SqliteValue Y(SqliteValue value) => ParsePoint(value) is { } p ? SqliteValue.FromReal(p.Y) : SqliteValue.Null;

    public static SqliteValue AsText(SqliteValue value) =>
        ParsePoint(value) is { } p ? SqliteValue.FromText($"POINT({JsNumberFormat.Format(p.X)} {JsNumberFormat.Format(p.Y)})") : SqliteValue.Null;

    public static SqliteValue AsGeoJson(SqliteValue value)
    {
        if (ParsePoint(value) is not { } p)
        {
            return SqliteValue.Null;
        }

        var sb = new StringBuilder("{\"type\":\"Point\",\"coordinates\":[");
        JsonText.AppendDataReal(sb, p.X);
        sb.Append(',');
        JsonText.AppendDataReal(sb, p.Y);
        return SqliteValue.FromText(sb.Append("]}").ToString());
    }
}
