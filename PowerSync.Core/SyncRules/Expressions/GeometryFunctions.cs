using System.Buffers.Binary;
using System.Text;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>
/// <c>st_asgeojson</c>, <c>st_astext</c>, <c>st_x</c>, <c>st_y</c> over PostGIS geometry: WKB or EWKB given as a blob or
/// as hex text, read and printed exactly as the official evaluator does (it uses the wkx library): every geometry type
/// (POINT to GEOMETRYCOLLECTION, nested), ISO and EWKB dimension codes, SRIDs (read and dropped), both byte orders.
/// Hex text is decoded as Node's <c>Buffer.from(text, 'hex')</c> does: up to the first pair that is not two hex digits.
/// Input that ends early or names an unknown geometry type is an evaluation error; any other value type gives NULL.
/// </summary>
internal static class GeometryFunctions
{
    public static SqliteValue X(SqliteValue value) => Parse(value) is Point p ? SqliteValue.FromReal(p.X) : SqliteValue.Null;

    public static SqliteValue Y(SqliteValue value) => Parse(value) is Point p ? SqliteValue.FromReal(p.Y) : SqliteValue.Null;

    public static SqliteValue AsText(SqliteValue value) => Print(value, static (g, sb) => g.AppendWkt(sb));

    public static SqliteValue AsGeoJson(SqliteValue value) => Print(value, static (g, sb) => g.AppendGeoJson(sb));

    private static SqliteValue Print(SqliteValue value, Action<Geometry, StringBuilder> print)
    {
        if (Parse(value) is not { } geometry)
        {
            return SqliteValue.Null;
        }

        var sb = new StringBuilder();
        print(geometry, sb);
        return SqliteValue.FromText(sb.ToString());
    }

    private static Geometry? Parse(SqliteValue value)
    {
        var bytes = value.Type switch
        {
            SqliteType.Blob => value.AsBlob,
            SqliteType.Text => DecodeHexPrefix(value.AsText),
            _ => null,
        };
        return bytes is null ? null : new WkbReader(bytes).ReadGeometry(parentIsEwkb: false);
    }

    /// <summary>The bytes of the leading hex pairs of <paramref name="text"/> (either case); decoding stops at the first pair that is not two hex digits, and a lone last digit is dropped.</summary>
    internal static byte[] DecodeHexPrefix(string text)
    {
        var bytes = new byte[text.Length / 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            var high = HexDigit(text[2 * i]);
            var low = HexDigit(text[(2 * i) + 1]);
            if (high < 0 || low < 0)
            {
                return bytes.AsSpan(0, i).ToArray();
            }

            bytes[i] = (byte)((high << 4) | low);
        }

        return bytes;
    }

    private static int HexDigit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>Reads (E)WKB. The byte order is the reader's: each geometry header sets it for what follows.</summary>
    private sealed class WkbReader(byte[] bytes)
    {
        private int _position;
        private bool _bigEndian;

        public Geometry ReadGeometry(bool parentIsEwkb)
        {
            _bigEndian = Take(1)[0] == 0;
            var code = ReadUInt32();
            var isEwkb = (code & 0xE0000000) != 0;
            if ((code & 0x20000000) != 0)
            {
                ReadUInt32(); // SRID: not part of any output
            }

            bool hasZ = false, hasM = false;
            uint type;
            if (!isEwkb && !parentIsEwkb)
            {
                // ISO codes: 1000s Z, 2000s M, 3000s ZM.
                (type, hasZ, hasM) = code switch
                {
                    >= 1000 and < 2000 => (code - 1000, true, false),
                    >= 2000 and < 3000 => (code - 2000, false, true),
                    >= 3000 and < 4000 => (code - 3000, true, true),
                    _ => (code, false, false),
                };
            }
            else
            {
                // EWKB (or a member of an EWKB collection): flag bits, the type in the low four bits.
                hasZ = (code & 0x80000000) != 0;
                hasM = (code & 0x40000000) != 0;
                type = code & 0xF;
            }

            return type switch
            {
                1 => ReadPoint(hasZ, hasM),
                2 => new LineString(hasZ, hasM, ReadPoints(hasZ, hasM)),
                3 => ReadPolygon(hasZ, hasM),
                >= 4 and <= 7 => ReadMembers((GeometryKind)type, hasZ, hasM, isEwkb),
                _ => throw new SqlEvaluationException($"Invalid geometry: geometry type {type} is not supported (WKB type code {code})"),
            };
        }

        private Point ReadPoint(bool hasZ, bool hasM) =>
            new(ReadDouble(), ReadDouble(), hasZ ? ReadDouble() : null, hasM ? ReadDouble() : null);

        private List<Point> ReadPoints(bool hasZ, bool hasM)
        {
            var count = ReadUInt32();
            var points = new List<Point>();
            for (var i = 0u; i < count; i++)
            {
                points.Add(ReadPoint(hasZ, hasM));
            }

            return points;
        }

        private Polygon ReadPolygon(bool hasZ, bool hasM)
        {
            var rings = ReadUInt32();
            var exterior = rings > 0 ? ReadPoints(hasZ, hasM) : [];
            var interior = new List<List<Point>>();
            for (var i = 1u; i < rings; i++)
            {
                interior.Add(ReadPoints(hasZ, hasM));
            }

            return new Polygon(hasZ, hasM, exterior, interior);
        }

        private Members ReadMembers(GeometryKind kind, bool hasZ, bool hasM, bool isEwkb)
        {
            var count = ReadUInt32();
            var members = new List<Geometry>();
            for (var i = 0u; i < count; i++)
            {
                members.Add(ReadGeometry(isEwkb));
            }

            return new Members(kind, hasZ, hasM, members);
        }

        private uint ReadUInt32() => _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(Take(4)) : BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

        private double ReadDouble() => _bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(Take(8)) : BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

        private ReadOnlySpan<byte> Take(int length)
        {
            if (bytes.Length - _position < length)
            {
                throw new SqlEvaluationException($"Invalid geometry: the WKB ends at byte {bytes.Length}, {length} more bytes were expected at byte {_position}");
            }

            _position += length;
            return bytes.AsSpan(_position - length, length);
        }
    }

    private enum GeometryKind
    {
        Point = 1,
        LineString = 2,
        Polygon = 3,
        MultiPoint = 4,
        MultiLineString = 5,
        MultiPolygon = 6,
        GeometryCollection = 7,
    }

    private abstract class Geometry(GeometryKind kind, bool hasZ, bool hasM)
    {
        public GeometryKind Kind { get; } = kind;

        public bool HasZ { get; } = hasZ;

        public bool HasM { get; } = hasM;

        public abstract void AppendWkt(StringBuilder sb);

        /// <summary>The GeoJSON <c>coordinates</c> member; false when the geometry has none (a collection).</summary>
        public abstract bool AppendGeoJsonCoordinates(StringBuilder sb);

        public virtual void AppendGeoJson(StringBuilder sb)
        {
            sb.Append("{\"type\":\"").Append(Kind).Append("\",\"coordinates\":");
            AppendGeoJsonCoordinates(sb);
            sb.Append('}');
        }

        /// <summary>Inside a MULTILINESTRING or MULTIPOLYGON: the member's text without its type.</summary>
        public virtual void AppendInnerWkt(StringBuilder sb) =>
            throw new SqlEvaluationException($"Invalid geometry: a {Kind} cannot be printed as a member of a multi geometry");

        /// <summary>The WKT type: <c>POINT</c>, <c>POINT Z </c>, <c>POINT ZM EMPTY</c>, <c>POINT EMPTY</c>.</summary>
        protected void AppendWktType(StringBuilder sb, bool isEmpty)
        {
            sb.Append(Kind.ToString().ToUpperInvariant());
            sb.Append(HasZ && HasM ? " ZM " : HasZ ? " Z " : HasM ? " M " : isEmpty ? " " : string.Empty);
            if (isEmpty)
            {
                sb.Append("EMPTY");
            }
        }

        /// <summary>A coordinate with this geometry's dimensions; a value the member lacks prints as <c>undefined</c>.</summary>
        protected void AppendWktCoordinate(StringBuilder sb, Geometry member)
        {
            var point = member as Point;
            AppendWktNumber(sb, point?.X);
            sb.Append(' ');
            AppendWktNumber(sb, point?.Y);
            if (HasZ)
            {
                sb.Append(' ');
                AppendWktNumber(sb, point?.Z);
            }

            if (HasM)
            {
                sb.Append(' ');
                AppendWktNumber(sb, point?.M);
            }
        }

        protected void AppendWktCoordinates(StringBuilder sb, List<Point> points, string open)
        {
            sb.Append(open);
            foreach (var point in points)
            {
                AppendWktCoordinate(sb, point);
                sb.Append(',');
            }

            sb.Length--; // the last comma, or the opening parenthesis of an empty list
            sb.Append(')');
        }

        protected void AppendGeoJsonPositions(StringBuilder sb, List<Point> points)
        {
            sb.Append('[');
            for (var i = 0; i < points.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(',');
                }

                points[i].AppendPosition(sb, HasZ);
            }

            sb.Append(']');
        }

        private static void AppendWktNumber(StringBuilder sb, double? value) =>
            sb.Append(value is { } v ? JsNumberFormat.Format(v) : "undefined");
    }

    private sealed class Point(double x, double y, double? z, double? m) : Geometry(GeometryKind.Point, z.HasValue, m.HasValue)
    {
        public double X { get; } = x;

        public double Y { get; } = y;

        public double? Z { get; } = z;

        public double? M { get; } = m;

        public override void AppendWkt(StringBuilder sb)
        {
            AppendWktType(sb, isEmpty: false);
            sb.Append('(');
            AppendWktCoordinate(sb, this);
            sb.Append(')');
        }

        public override bool AppendGeoJsonCoordinates(StringBuilder sb)
        {
            AppendPosition(sb, HasZ);
            return true;
        }

        /// <summary>A GeoJSON position: x, y and, when asked for, z (m is never part of it).</summary>
        public void AppendPosition(StringBuilder sb, bool withZ)
        {
            sb.Append('[');
            JsonText.AppendDataReal(sb, X);
            sb.Append(',');
            JsonText.AppendDataReal(sb, Y);
            if (withZ && Z is { } z)
            {
                sb.Append(',');
                JsonText.AppendDataReal(sb, z);
            }

            sb.Append(']');
        }
    }

    private sealed class LineString(bool hasZ, bool hasM, List<Point> points) : Geometry(GeometryKind.LineString, hasZ, hasM)
    {
        public override void AppendWkt(StringBuilder sb)
        {
            AppendWktType(sb, points.Count == 0);
            if (points.Count > 0)
            {
                AppendInnerWkt(sb);
            }
        }

        public override void AppendInnerWkt(StringBuilder sb) => AppendWktCoordinates(sb, points, "(");

        public override bool AppendGeoJsonCoordinates(StringBuilder sb)
        {
            AppendGeoJsonPositions(sb, points);
            return true;
        }
    }

    private sealed class Polygon(bool hasZ, bool hasM, List<Point> exterior, List<List<Point>> interior) : Geometry(GeometryKind.Polygon, hasZ, hasM)
    {
        public override void AppendWkt(StringBuilder sb)
        {
            AppendWktType(sb, exterior.Count == 0);
            if (exterior.Count > 0)
            {
                AppendInnerWkt(sb);
            }
        }

        public override void AppendInnerWkt(StringBuilder sb)
        {
            AppendWktCoordinates(sb, exterior, "((");
            foreach (var ring in interior)
            {
                AppendWktCoordinates(sb, ring, ",(");
            }

            sb.Append(')');
        }

        /// <summary>The rings; an empty exterior ring is left out, empty interior rings are not.</summary>
        public override bool AppendGeoJsonCoordinates(StringBuilder sb)
        {
            sb.Append('[');
            var first = true;
            foreach (var ring in exterior.Count > 0 ? interior.Prepend(exterior) : interior)
            {
                if (!first)
                {
                    sb.Append(',');
                }

                first = false;
                AppendGeoJsonPositions(sb, ring);
            }

            sb.Append(']');
            return true;
        }
    }

    /// <summary>A MULTIPOINT, MULTILINESTRING, MULTIPOLYGON or GEOMETRYCOLLECTION: members of any type, each with its own header.</summary>
    private sealed class Members(GeometryKind kind, bool hasZ, bool hasM, List<Geometry> members) : Geometry(kind, hasZ, hasM)
    {
        public override void AppendWkt(StringBuilder sb)
        {
            AppendWktType(sb, members.Count == 0);
            if (members.Count == 0)
            {
                return;
            }

            sb.Append('(');
            foreach (var member in members)
            {
                switch (Kind)
                {
                    case GeometryKind.MultiPoint: AppendWktCoordinate(sb, member); break;
                    case GeometryKind.GeometryCollection: member.AppendWkt(sb); break;
                    default: member.AppendInnerWkt(sb); break;
                }

                sb.Append(',');
            }

            sb.Length--;
            sb.Append(')');
        }

        public override void AppendGeoJson(StringBuilder sb)
        {
            if (Kind != GeometryKind.GeometryCollection)
            {
                base.AppendGeoJson(sb);
                return;
            }

            sb.Append("{\"type\":\"GeometryCollection\",\"geometries\":[");
            for (var i = 0; i < members.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(',');
                }

                members[i].AppendGeoJson(sb);
            }

            sb.Append("]}");
        }

        /// <summary>Each member's coordinates (<c>null</c> for a member without any, a collection).</summary>
        public override bool AppendGeoJsonCoordinates(StringBuilder sb)
        {
            if (Kind == GeometryKind.GeometryCollection)
            {
                return false;
            }

            sb.Append('[');
            for (var i = 0; i < members.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(',');
                }

                if (!members[i].AppendGeoJsonCoordinates(sb))
                {
                    sb.Append("null");
                }
            }

            sb.Append(']');
            return true;
        }
    }
}
