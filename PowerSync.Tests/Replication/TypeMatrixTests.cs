using Npgsql;
using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Replication;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Tests.Replication;

/// <summary>
/// The type matrix of the official service's <c>pg_test.test.ts</c> ("test replication", "date formats",
/// custom types, multiranges) replayed through pgoutput on the private Postgres, with its expected values.
/// </summary>
public sealed class TypeMatrixTests
{
    internal const string CreateScalarTable = """
        CREATE TABLE test_data(
            id serial primary key, text text, uuid uuid, varchar varchar(255), bool bool, bytea bytea,
            int2 int2, int4 int4, int8 int8, float4 float4, float8 float8, numeric numeric,
            json json, jsonb jsonb, pg_lsn pg_lsn, date date, time time, timestamp timestamp,
            timestamptz timestamptz, interval interval, macaddr macaddr, inet inet, oid oid);
        """;

    internal const string InsertScalars = """
        INSERT INTO test_data(id, text, uuid, varchar, bool, bytea, int2, int4, int8, numeric, float4, float8)
        VALUES(1, 'text', 'baeb2514-4c57-436d-b3cc-c1256211656d', 'varchar', true, 'test', 1000, 1000000, 9007199254740993, 18014398509481982123, 3.14, 314);
        INSERT INTO test_data(id, json, jsonb) VALUES(2, '{"test": "thing" }', '{"test": "thing" }');
        INSERT INTO test_data(id, date, time, timestamp, timestamptz) VALUES(3, '2023-03-06', '15:47', '2023-03-06 15:47', '2023-03-06 15:47+02');
        INSERT INTO test_data(id, pg_lsn, interval, macaddr, inet, oid) VALUES(4, '016/B374D848', '1 hour', '00:00:5e:00:53:af', '127.0.0.1', 1007);
        INSERT INTO test_data(id, date, time, timestamp, timestamptz) VALUES(5, '-infinity'::date, 'allballs'::time, '-infinity'::timestamp, '-infinity'::timestamptz);
        INSERT INTO test_data(id, timestamp, timestamptz) VALUES(6, 'epoch'::timestamp, 'epoch'::timestamptz);
        INSERT INTO test_data(id, timestamp, timestamptz) VALUES(7, 'infinity'::timestamp, 'infinity'::timestamptz);
        INSERT INTO test_data(id, timestamptz) VALUES(8, '0022-02-03 12:13:14+03'::timestamptz);
        INSERT INTO test_data(id, timestamptz) VALUES(9, '10022-02-03 12:13:14+03'::timestamptz);
        INSERT INTO test_data(id, float4, float8, time, timestamp, timestamptz) VALUES(10, 'NaN', '-Infinity', '17:42:01.12', '2023-03-06 15:47:12.4', '2023-03-06 15:47:00.123456+02');
        """;

    internal const string CreateArrayTable = """
        CREATE TABLE test_data_arrays(
            id serial primary key, text text[], uuid uuid[], varchar varchar(255)[], bool bool[], bytea bytea[],
            int2 int2[], int4 int4[], int8 int8[], float4 float4[], float8 float8[], numeric numeric[],
            json json[], jsonb jsonb[], pg_lsn pg_lsn[], date date[], time time[], timestamp timestamp[],
            timestamptz timestamptz[], interval interval[], macaddr macaddr[], inet inet[], oid oid[],
            multidimensional text[][]);
        """;

    internal const string InsertArrays = """
        INSERT INTO test_data_arrays(id, text, uuid, varchar, bool, bytea, int2, int4, int8, numeric)
        VALUES(1, ARRAY['text', '}te][xt{"'], '{"baeb2514-4c57-436d-b3cc-c1256211656d"}', '{"varchar"}', '{true}', '{"test"}', '{1000}', '{1000000}', '{9007199254740993}', '{18014398509481982123}');
        INSERT INTO test_data_arrays(id, json, jsonb)
        VALUES(2, ARRAY['{"test": "thing"}' :: json, '{"test": "}te][xt{"}' :: json], ARRAY['{"test": "thing", "foo": 5.0, "bignum": 18014398509481982123, "bool":true}' :: jsonb]);
        INSERT INTO test_data_arrays(id, date, time, timestamp, timestamptz)
        VALUES(3, ARRAY['2023-03-06'::date], ARRAY['15:47'::time], ARRAY['2023-03-06 15:47'::timestamp], ARRAY['2023-03-06 15:47+02'::timestamptz, '2023-03-06 15:47:00.123450+02'::timestamptz]);
        INSERT INTO test_data_arrays(id, pg_lsn, interval, macaddr, inet, oid)
        VALUES(4, ARRAY['016/B374D848'::pg_lsn], ARRAY['1 hour'::interval], ARRAY['00:00:5e:00:53:af'::macaddr], ARRAY['127.0.0.1'::inet], ARRAY[1007::oid]);
        INSERT INTO test_data_arrays(id, text, uuid, varchar, bool, bytea, int2, int4, int8, numeric)
        VALUES(5, ARRAY[]::text[], ARRAY[]::uuid[], ARRAY[]::varchar[], ARRAY[]::bool[], ARRAY[]::bytea[], ARRAY[]::int2[], ARRAY[]::int4[], ARRAY[]::int8[], ARRAY[]::numeric[]);
        INSERT INTO test_data_arrays(id, multidimensional) VALUES(6, ARRAY[['one', 1], ['two', 2], ['three', Null]]::TEXT[]);
        INSERT INTO test_data_arrays(id, multidimensional) VALUES(7, ARRAY[[], [], []]::TEXT[]);
        INSERT INTO test_data_arrays(id, multidimensional) VALUES(8, ARRAY[]::TEXT[]);
        INSERT INTO test_data_arrays(id, multidimensional) VALUES(9, ARRAY[NULL]::TEXT[]);
        INSERT INTO test_data_arrays(id, multidimensional) VALUES(10, ARRAY['null']::TEXT[]);
        INSERT INTO test_data_arrays(id, float4, float8, bool) VALUES(11, '{1.5,2,NaN}', '{1e21,1e-7,-0.5,Infinity}', '{t,f,NULL}');
        """;

    internal const string CreateCustomTypes = """
        CREATE DOMAIN rating_value AS FLOAT CHECK (VALUE BETWEEN 0 AND 5);
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE TYPE composite AS (foo rating_value[], bar TEXT, mood mood);
        CREATE TYPE nested_composite AS (a BOOLEAN, b composite);
        CREATE TABLE test_custom(
            id serial primary key, rating rating_value, composite composite, nested_composite nested_composite,
            boxes box[], mood mood, moods mood[], ranges int4multirange[], span int8range);
        """;

    internal const string InsertCustom = """
        INSERT INTO test_custom (rating, composite, nested_composite, boxes, mood, moods, ranges, span)
        VALUES (1, (ARRAY[2,3], 'bar', 'sad'::mood), (TRUE, (ARRAY[2,3], 'bar', 'sad'::mood)),
                ARRAY[box(point '(1,2)', point '(3,4)'), box(point '(5, 6)', point '(7,8)')],
                'happy', ARRAY['sad'::mood, 'happy'::mood],
                ARRAY[int4multirange(int4range(2, 4), int4range(5, 7, '(]'))]::int4multirange[], '[10,)');
        """;

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    internal static async Task<List<Dictionary<string, SqliteValue>>> MapAsync(TestDatabase db, List<CapturedRow> rows, ValueMappingOptions options, CancellationToken ct)
    {
        await using var dataSource = NpgsqlDataSource.Create(db.ConnectionString);
        var catalog = new PostgresTypeCatalog(dataSource);
        await catalog.EnsureLoadedAsync(rows.SelectMany(r => r.Columns.Select(c => c.TypeOid)), ct);
        var mapper = new PostgresValueMapper(catalog, options);
        return rows.Select(r => r.Columns.ToDictionary(c => c.Name, c => mapper.Map(c.Text, c.TypeOid))).ToList();
    }

    private static SqliteValue T(string text) => SqliteValue.FromText(text);

    private static SqliteValue I(long value) => SqliteValue.FromInteger(value);

    private static SqliteValue R(double value) => SqliteValue.FromReal(value);

    [Test]
    public async Task Scalar_types_replicate_to_the_official_sqlite_values_in_legacy_and_iso_formats()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync(CreateScalarTable, ct);
        var captured = await PgOutputTestCapture.CaptureInsertsAsync(db, InsertScalars, ct);
        var legacy = await MapAsync(db, captured, ValueMappingOptions.Legacy, ct);
        var iso = await MapAsync(db, captured, ValueMappingOptions.SyncStreams, ct);
        var millis = await MapAsync(db, captured, new ValueMappingOptions(timestampsIso8601: true, timestampMaxPrecision: 3), ct);
        var seconds = await MapAsync(db, captured, new ValueMappingOptions(timestampsIso8601: true, timestampMaxPrecision: 0), ct);

        Assert.Multiple(() =>
        {
            Assert.That(legacy[0]["id"], Is.EqualTo(I(1)));
            Assert.That(legacy[0]["text"], Is.EqualTo(T("text")));
            Assert.That(legacy[0]["uuid"], Is.EqualTo(T("baeb2514-4c57-436d-b3cc-c1256211656d")));
            Assert.That(legacy[0]["varchar"], Is.EqualTo(T("varchar")));
            Assert.That(legacy[0]["bool"], Is.EqualTo(I(1)));
            Assert.That(legacy[0]["bytea"], Is.EqualTo(SqliteValue.FromBlob([116, 101, 115, 116])));
            Assert.That(legacy[0]["int2"], Is.EqualTo(I(1000)));
            Assert.That(legacy[0]["int4"], Is.EqualTo(I(1000000)));
            Assert.That(legacy[0]["int8"], Is.EqualTo(I(9007199254740993)));
            Assert.That(legacy[0]["float4"], Is.EqualTo(R(3.14)));
            Assert.That(legacy[0]["float8"], Is.EqualTo(R(314)));
            Assert.That(legacy[0]["numeric"], Is.EqualTo(T("18014398509481982123")));
            Assert.That(legacy[0]["json"], Is.EqualTo(SqliteValue.Null));

            Assert.That(legacy[1]["json"], Is.EqualTo(T("{\"test\": \"thing\" }")));
            Assert.That(legacy[1]["jsonb"], Is.EqualTo(T("{\"test\": \"thing\"}")));

            Assert.That(legacy[2]["date"], Is.EqualTo(T("2023-03-06")));
            Assert.That(legacy[2]["time"], Is.EqualTo(T("15:47:00")));
            Assert.That(legacy[2]["timestamp"], Is.EqualTo(T("2023-03-06 15:47:00")));
            Assert.That(legacy[2]["timestamptz"], Is.EqualTo(T("2023-03-06 13:47:00Z")));
            Assert.That(iso[2]["time"], Is.EqualTo(T("15:47:00.000000")));
            Assert.That(iso[2]["timestamp"], Is.EqualTo(T("2023-03-06T15:47:00.000000")));
            Assert.That(iso[2]["timestamptz"], Is.EqualTo(T("2023-03-06T13:47:00.000000Z")));

            Assert.That(legacy[3]["pg_lsn"], Is.EqualTo(T("00000016/B374D848")));
            Assert.That(legacy[3]["interval"], Is.EqualTo(T("01:00:00")));
            Assert.That(legacy[3]["macaddr"], Is.EqualTo(T("00:00:5e:00:53:af")));
            Assert.That(legacy[3]["inet"], Is.EqualTo(T("127.0.0.1")));
            Assert.That(legacy[3]["oid"], Is.EqualTo(I(1007)));

            Assert.That(legacy[4]["date"], Is.EqualTo(T("0000-01-01")));
            Assert.That(legacy[4]["time"], Is.EqualTo(T("00:00:00")));
            Assert.That(legacy[4]["timestamp"], Is.EqualTo(T("0000-01-01 00:00:00")));
            Assert.That(legacy[4]["timestamptz"], Is.EqualTo(T("0000-01-01 00:00:00Z")));
            Assert.That(iso[4]["timestamp"], Is.EqualTo(T("0000-01-01T00:00:00.000000")));
            Assert.That(iso[4]["timestamptz"], Is.EqualTo(T("0000-01-01T00:00:00.000000Z")));

            Assert.That(legacy[5]["timestamp"], Is.EqualTo(T("1970-01-01 00:00:00")));
            Assert.That(legacy[5]["timestamptz"], Is.EqualTo(T("1970-01-01 00:00:00Z")));
            Assert.That(iso[5]["timestamp"], Is.EqualTo(T("1970-01-01T00:00:00.000000")));

            Assert.That(legacy[6]["timestamp"], Is.EqualTo(T("9999-12-31 23:59:59")));
            Assert.That(legacy[6]["timestamptz"], Is.EqualTo(T("9999-12-31 23:59:59Z")));
            Assert.That(iso[6]["timestamptz"], Is.EqualTo(T("9999-12-31T23:59:59.000000Z")));

            Assert.That(legacy[7]["timestamptz"], Is.EqualTo(T("0022-02-03 09:13:14Z")));
            Assert.That(iso[7]["timestamptz"], Is.EqualTo(T("0022-02-03T09:13:14.000000Z")));
            Assert.That(legacy[8]["timestamptz"], Is.EqualTo(SqliteValue.Null), "year 10022 is out of range");

            Assert.That(double.IsNaN(legacy[9]["float4"].AsReal), Is.True);
            Assert.That(legacy[9]["float8"], Is.EqualTo(R(double.NegativeInfinity)));
            Assert.That(legacy[9]["time"], Is.EqualTo(T("17:42:01.12")));
            Assert.That(legacy[9]["timestamp"], Is.EqualTo(T("2023-03-06 15:47:12.4")));
            Assert.That(legacy[9]["timestamptz"], Is.EqualTo(T("2023-03-06 13:47:00.123456Z")));
            Assert.That(iso[9]["time"], Is.EqualTo(T("17:42:01.120000")));
            Assert.That(iso[9]["timestamp"], Is.EqualTo(T("2023-03-06T15:47:12.400000")));
            Assert.That(iso[9]["timestamptz"], Is.EqualTo(T("2023-03-06T13:47:00.123456Z")));
            Assert.That(millis[9]["time"], Is.EqualTo(T("17:42:01.120")));
            Assert.That(millis[9]["timestamp"], Is.EqualTo(T("2023-03-06T15:47:12.400")));
            Assert.That(millis[9]["timestamptz"], Is.EqualTo(T("2023-03-06T13:47:00.123Z")), "trimmed, not rounded");
            Assert.That(seconds[9]["timestamp"], Is.EqualTo(T("2023-03-06T15:47:12")));
            Assert.That(seconds[9]["timestamptz"], Is.EqualTo(T("2023-03-06T13:47:00Z")));
        });
    }

    [Test]
    public async Task Arrays_replicate_as_the_official_json_text()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync(CreateArrayTable, ct);
        var captured = await PgOutputTestCapture.CaptureInsertsAsync(db, InsertArrays, ct);
        var legacy = await MapAsync(db, captured, ValueMappingOptions.Legacy, ct);
        var iso = await MapAsync(db, captured, ValueMappingOptions.SyncStreams, ct);

        Assert.Multiple(() =>
        {
            Assert.That(legacy[0]["text"], Is.EqualTo(T("[\"text\",\"}te][xt{\\\"\"]")));
            Assert.That(legacy[0]["uuid"], Is.EqualTo(T("[\"baeb2514-4c57-436d-b3cc-c1256211656d\"]")));
            Assert.That(legacy[0]["varchar"], Is.EqualTo(T("[\"varchar\"]")));
            Assert.That(legacy[0]["bool"], Is.EqualTo(T("[1]")));
            Assert.That(legacy[0]["bytea"], Is.EqualTo(T("[null]")));
            Assert.That(legacy[0]["int2"], Is.EqualTo(T("[1000]")));
            Assert.That(legacy[0]["int4"], Is.EqualTo(T("[1000000]")));
            Assert.That(legacy[0]["int8"], Is.EqualTo(T("[9007199254740993]")));
            Assert.That(legacy[0]["numeric"], Is.EqualTo(T("[\"18014398509481982123\"]")));

            Assert.That(legacy[1]["json"], Is.EqualTo(T("[{\"test\": \"thing\"},{\"test\": \"}te][xt{\"}]")));
            Assert.That(legacy[1]["jsonb"], Is.EqualTo(T("[{\"foo\": 5.0, \"bool\": true, \"test\": \"thing\", \"bignum\": 18014398509481982123}]")));

            Assert.That(legacy[2]["date"], Is.EqualTo(T("[\"2023-03-06\"]")));
            Assert.That(legacy[2]["time"], Is.EqualTo(T("[\"15:47:00\"]")));
            Assert.That(legacy[2]["timestamp"], Is.EqualTo(T("[\"2023-03-06 15:47:00\"]")));
            Assert.That(legacy[2]["timestamptz"], Is.EqualTo(T("[\"2023-03-06 13:47:00Z\",\"2023-03-06 13:47:00.12345Z\"]")));
            Assert.That(iso[2]["timestamptz"], Is.EqualTo(T("[\"2023-03-06T13:47:00.000000Z\",\"2023-03-06T13:47:00.123450Z\"]")));
            Assert.That(iso[2]["time"], Is.EqualTo(T("[\"15:47:00.000000\"]")));

            Assert.That(legacy[3]["pg_lsn"], Is.EqualTo(T("[\"00000016/B374D848\"]")));
            Assert.That(legacy[3]["interval"], Is.EqualTo(T("[\"01:00:00\"]")));
            Assert.That(legacy[3]["macaddr"], Is.EqualTo(T("[\"00:00:5e:00:53:af\"]")));
            Assert.That(legacy[3]["inet"], Is.EqualTo(T("[\"127.0.0.1\"]")));
            Assert.That(legacy[3]["oid"], Is.EqualTo(T("[1007]")));

            foreach (var column in new[] { "text", "uuid", "varchar", "bool", "bytea", "int2", "int4", "int8", "numeric" })
                Assert.That(legacy[4][column], Is.EqualTo(T("[]")), column);

            Assert.That(legacy[5]["multidimensional"], Is.EqualTo(T("[[\"one\",\"1\"],[\"two\",\"2\"],[\"three\",null]]")));
            Assert.That(legacy[6]["multidimensional"], Is.EqualTo(T("[]")));
            Assert.That(legacy[7]["multidimensional"], Is.EqualTo(T("[]")));
            Assert.That(legacy[8]["multidimensional"], Is.EqualTo(T("[null]")));
            Assert.That(legacy[9]["multidimensional"], Is.EqualTo(T("[\"null\"]")));

            Assert.That(legacy[10]["float4"], Is.EqualTo(T("[1.5,2.0,NaN]")));
            Assert.That(legacy[10]["float8"], Is.EqualTo(T("[1e+21,1e-7,-0.5,Infinity]")));
            Assert.That(legacy[10]["bool"], Is.EqualTo(T("[1,0,null]")));
        });
    }

    [Test]
    public async Task Custom_types_are_raw_text_in_legacy_mode_and_json_with_custom_postgres_types()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync(CreateCustomTypes, ct);
        var captured = await PgOutputTestCapture.CaptureInsertsAsync(db, InsertCustom, ct);
        var legacy = (await MapAsync(db, captured, ValueMappingOptions.Legacy, ct))[0];
        var custom = (await MapAsync(db, captured, ValueMappingOptions.SyncStreams, ct))[0];

        Assert.Multiple(() =>
        {
            Assert.That(legacy["rating"], Is.EqualTo(T("1")));
            Assert.That(legacy["composite"], Is.EqualTo(T("(\"{2,3}\",bar,sad)")));
            Assert.That(legacy["nested_composite"], Is.EqualTo(T("(t,\"(\"\"{2,3}\"\",bar,sad)\")")));
            Assert.That(legacy["boxes"], Is.EqualTo(T("[\"(3\",\"4)\",\"(1\",\"2);(7\",\"8)\",\"(5\",\"6)\"]")));
            Assert.That(legacy["mood"], Is.EqualTo(T("happy")));
            Assert.That(legacy["moods"], Is.EqualTo(T("{sad,happy}")));
            Assert.That(legacy["ranges"], Is.EqualTo(T("{\"{[2,4),[6,8)}\"}")));
            Assert.That(legacy["span"], Is.EqualTo(T("[10,)")));

            Assert.That(custom["rating"], Is.EqualTo(R(1)));
            Assert.That(custom["composite"], Is.EqualTo(T("{\"foo\":[2.0,3.0],\"bar\":\"bar\",\"mood\":\"sad\"}")));
            Assert.That(custom["nested_composite"], Is.EqualTo(T("{\"a\":1,\"b\":{\"foo\":[2.0,3.0],\"bar\":\"bar\",\"mood\":\"sad\"}}")));
            Assert.That(custom["boxes"], Is.EqualTo(T("[\"(3,4),(1,2)\",\"(7,8),(5,6)\"]")));
            Assert.That(custom["mood"], Is.EqualTo(T("happy")));
            Assert.That(custom["moods"], Is.EqualTo(T("[\"sad\",\"happy\"]")));
            Assert.That(custom["ranges"], Is.EqualTo(T(
                "[[{\"lower\":2,\"upper\":4,\"lower_exclusive\":0,\"upper_exclusive\":1},{\"lower\":6,\"upper\":8,\"lower_exclusive\":0,\"upper_exclusive\":1}]]")));
            Assert.That(custom["span"], Is.EqualTo(T("{\"lower\":10,\"upper\":null,\"lower_exclusive\":0,\"upper_exclusive\":1}")));
        });
    }
}
