using System.Collections.Frozen;

namespace PowerSync.Core.Replication;

/// <summary>OIDs of the built-in Postgres types the value mapping treats specially (fixed in every Postgres).</summary>
internal static class PostgresTypeOids
{
    public const uint Bool = 16;
    public const uint Bytea = 17;
    public const uint Int8 = 20;
    public const uint Int2 = 21;
    public const uint Int4 = 23;
    public const uint Text = 25;
    public const uint Oid = 26;
    public const uint Json = 114;
    public const uint Float4 = 700;
    public const uint Float8 = 701;
    public const uint Varchar = 1043;
    public const uint Date = 1082;
    public const uint Time = 1083;
    public const uint Timestamp = 1114;
    public const uint TimestampTz = 1184;
    public const uint Numeric = 1700;
    public const uint Uuid = 2950;
    public const uint PgLsn = 3220;
    public const uint Jsonb = 3802;
    public const uint Box = 603;
    public const uint BoxArray = 1020;

    /// <summary>
    /// Built-in array types (<c>pg_type.typarray</c> -> element), as the official service lists them.
    /// Arrays of these are JSON in every mode; arrays of other types only with <c>custom_postgres_types</c>.
    /// </summary>
    public static readonly FrozenDictionary<uint, uint> BuiltinArrayElements = new Dictionary<uint, uint>
    {
        [1000] = 16, [1001] = 17, [1002] = 18, [1003] = 19, [1016] = 20, [1005] = 21, [1006] = 22,
        [1007] = 23, [1008] = 24, [1009] = 25, [1028] = 26, [1010] = 27, [1011] = 28, [1012] = 29,
        [1013] = 30, [210] = 71, [270] = 75, [272] = 81, [273] = 83, [199] = 114, [143] = 142,
        [271] = 5069, [1017] = 600, [1018] = 601, [1019] = 602, [1020] = 603, [1027] = 604, [629] = 628,
        [1021] = 700, [1022] = 701, [719] = 718, [791] = 790, [1040] = 829, [1041] = 869, [651] = 650,
        [775] = 774, [1034] = 1033, [1014] = 1042, [1015] = 1043, [1182] = 1082, [1183] = 1083,
        [1115] = 1114, [1185] = 1184, [1187] = 1186, [1270] = 1266, [1561] = 1560, [1563] = 1562,
        [1231] = 1700, [2201] = 1790, [2207] = 2202, [2208] = 2203, [2209] = 2204, [2210] = 2205,
        [4192] = 4191, [2211] = 2206, [4097] = 4096, [4090] = 4089, [2951] = 2950, [3221] = 3220,
        [3643] = 3614, [3644] = 3642, [3645] = 3615, [3735] = 3734, [3770] = 3769, [3807] = 3802,
        [4073] = 4072,
    }.ToFrozenDictionary();

    /// <summary>The scalar types the mapper decodes by OID (every other scalar is synced as its text).</summary>
    public static readonly FrozenSet<uint> DecodedScalars = new[]
    {
        Text, Uuid, Varchar, Bool, Bytea, Int2, Int4, Oid, Int8, Float4, Float8, Date, Timestamp, TimestampTz, Time, Json, Jsonb, PgLsn,
    }.ToFrozenSet();
}
