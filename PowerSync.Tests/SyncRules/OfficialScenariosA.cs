namespace PowerSync.Tests.SyncRules;

/// <summary>
/// Scenarios (YAML, rows, parameter rows, requests) with the results of the official evaluator
/// (npm @powersync/service-sync-rules 0.38.1), generated once; the suite runs without node.
/// </summary>
internal static class OfficialScenariosA
{
    public static readonly string[] Cases =
    [
        """
        {"name": "global bucket with star", "yaml": "bucket_definitions:\n  global:\n    data:\n      - SELECT * FROM todos\n", "version": null, "rows": [{"table": "todos", "row": {"id": "t1", "n": {"i": "5"}, "r": {"r": "5"}, "neg0": {"r": "-0"}, "big": {"r": "1e21"}, "small": {"r": "1e-7"}, "txt": "a\"b\\c\n", "bl": {"b": "0102"}, "nul": null}}, {"table": "other", "row": {"id": "x"}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u1\"}"}], "rowResults": [{"rows": ["global[]|todos|t1|{\"id\":\"t1\",\"n\":5,\"r\":5.0,\"neg0\":0.0,\"big\":1e+21,\"small\":1e-7,\"txt\":\"a\\\"b\\\\c\\n\",\"nul\":null}"], "errors": 0}, {"rows": [], "errors": 0}], "requestResults": [["global[]|3"]]}
        """,
        """
        {"name": "integer id becomes text object id", "yaml": "bucket_definitions:\n  g:\n    data:\n      - SELECT id, name AS title FROM lists\n", "version": null, "rows": [{"table": "lists", "row": {"id": {"i": "42"}, "name": "L"}}, {"table": "lists", "row": {"id": {"r": "1.5"}, "name": "R"}}, {"table": "lists", "row": {"name": "noid"}}], "paramRows": [], "requests": [], "rowResults": [{"rows": ["g[]|lists|42|{\"id\":42,\"title\":\"L\"}"], "errors": 0}, {"rows": ["g[]|lists|1.5|{\"id\":1.5,\"title\":\"R\"}"], "errors": 0}, {"rows": ["g[]|lists||{\"title\":\"noid\"}"], "errors": 0}], "requestResults": []}
        """,
        """
        {"name": "by user with static parameter", "yaml": "bucket_definitions:\n  by_user:\n    parameters: SELECT request.user_id() AS user_id\n    data:\n      - SELECT * FROM todos WHERE owner_id = bucket.user_id\n", "version": null, "rows": [{"table": "todos", "row": {"id": "t1", "owner_id": "u1"}}, {"table": "todos", "row": {"id": "t2", "owner_id": null}}, {"table": "todos", "row": {"id": "t3", "owner_id": {"i": "7"}}}, {"table": "todos", "row": {"id": "t4", "owner_id": {"r": "7"}}}, {"table": "todos", "row": {"id": "t5", "owner_id": {"r": "7.5"}}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u1\"}"}, {"jwt": "{\"sub\":7}"}, {"jwt": "{\"sub\":true}"}, {"jwt": "{\"sub\":{\"a\":1}}"}], "rowResults": [{"rows": ["by_user[\"u1\"]|todos|t1|{\"id\":\"t1\",\"owner_id\":\"u1\"}"], "errors": 0}, {"rows": [], "errors": 0}, {"rows": ["by_user[7]|todos|t3|{\"id\":\"t3\",\"owner_id\":7}"], "errors": 0}, {"rows": ["by_user[7]|todos|t4|{\"id\":\"t4\",\"owner_id\":7.0}"], "errors": 0}, {"rows": ["by_user[7.5]|todos|t5|{\"id\":\"t5\",\"owner_id\":7.5}"], "errors": 0}], "requestResults": [["by_user[\"u1\"]|3"], ["by_user[7]|3"], ["by_user[1]|3"], ["by_user[\"{\\\"a\\\":1.0}\"]|3"]]}
        """,
        """
        {"name": "fan out in json array", "yaml": "bucket_definitions:\n  by_tag:\n    parameters: SELECT value AS tag FROM json_each(request.jwt() -> 'tags')\n    data:\n      - SELECT id FROM posts WHERE bucket.tag IN tags\n", "version": null, "rows": [{"table": "posts", "row": {"id": "p1", "tags": "[\"a\",\"b\",\"a\",1,1.5,null,true,{\"x\":1},[2],9007199254740993]"}}, {"table": "posts", "row": {"id": "p2", "tags": null}}, {"table": "posts", "row": {"id": "p3", "tags": "not json"}}, {"table": "posts", "row": {"id": "p4", "tags": "{\"a\":1}"}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u\",\"tags\":[\"a\",2,2.5,null,true]}"}, {"jwt": "{\"sub\":\"u\"}"}], "rowResults": [{"rows": ["by_tag[\"a\"]|posts|p1|{\"id\":\"p1\"}", "by_tag[\"a\"]|posts|p1|{\"id\":\"p1\"}", "by_tag[\"b\"]|posts|p1|{\"id\":\"p1\"}", "by_tag[1.5]|posts|p1|{\"id\":\"p1\"}", "by_tag[1]|posts|p1|{\"id\":\"p1\"}", "by_tag[9007199254740992]|posts|p1|{\"id\":\"p1\"}", "by_tag[[2]]|posts|p1|{\"id\":\"p1\"}", "by_tag[null]|posts|p1|{\"id\":\"p1\"}", "by_tag[true]|posts|p1|{\"id\":\"p1\"}", "by_tag[{\"x\":1}]|posts|p1|{\"id\":\"p1\"}"], "errors": 0}, {"rows": [], "errors": 0}, {"rows": [], "errors": 1}, {"rows": [], "errors": 1}], "requestResults": [["by_tag[\"a\"]|3", "by_tag[\"null\"]|3", "by_tag[1]|3", "by_tag[2.5]|3", "by_tag[2]|3"], []]}
        """,
        """
        {"name": "table lookup", "yaml": "bucket_definitions:\n  by_org:\n    parameters: SELECT org_id FROM memberships WHERE user_id = request.user_id()\n    data:\n      - SELECT * FROM projects WHERE org_id = bucket.org_id\n", "version": null, "rows": [{"table": "projects", "row": {"id": "p1", "org_id": "o1"}}], "paramRows": [{"table": "memberships", "row": {"id": "m1", "user_id": "u1", "org_id": "o1"}}, {"table": "memberships", "row": {"id": "m2", "user_id": "u1", "org_id": "o2"}}, {"table": "memberships", "row": {"id": "m3", "user_id": "u2", "org_id": {"i": "3"}}}, {"table": "memberships", "row": {"id": "m4", "user_id": null, "org_id": "o4"}}], "requests": [{"jwt": "{\"sub\":\"u1\"}"}, {"jwt": "{\"sub\":\"u2\"}"}, {"jwt": "{\"sub\":\"u3\"}"}], "rowResults": [{"rows": ["by_org[\"o1\"]|projects|p1|{\"id\":\"p1\",\"org_id\":\"o1\"}"], "errors": 0}], "requestResults": [["by_org[\"o1\"]|3", "by_org[\"o2\"]|3"], ["by_org[3]|3"], []]}
        """,
        """
        {"name": "table lookup with IN request array", "yaml": "bucket_definitions:\n  by_team:\n    parameters: SELECT id AS team_id FROM teams WHERE id IN token_parameters.team_ids\n    data:\n      - SELECT * FROM tasks WHERE team_id = bucket.team_id\n", "version": null, "rows": [], "paramRows": [{"table": "teams", "row": {"id": "a"}}, {"table": "teams", "row": {"id": "b"}}, {"table": "teams", "row": {"id": {"i": "5"}}}], "requests": [{"jwt": "{\"sub\":\"u1\",\"parameters\":{\"team_ids\":[\"a\",\"c\",5]}}"}, {"jwt": "{\"sub\":\"u1\",\"parameters\":{\"team_ids\":\"[\\\"b\\\"]\"}}"}], "rowResults": [], "requestResults": [["by_team[\"a\"]|3", "by_team[5]|3"], ["by_team[\"b\"]|3"]]}
        """,
        """
        {"name": "filter only static query", "yaml": "bucket_definitions:\n  admin:\n    parameters: SELECT WHERE token_parameters.is_admin\n    data:\n      - SELECT * FROM secrets\n", "version": null, "rows": [{"table": "secrets", "row": {"id": "s"}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u1\",\"parameters\":{\"is_admin\":true}}"}, {"jwt": "{\"sub\":\"u1\",\"parameters\":{\"is_admin\":false}}"}, {"jwt": "{\"sub\":\"u1\"}"}], "rowResults": [{"rows": ["admin[]|secrets|s|{\"id\":\"s\"}"], "errors": 0}], "requestResults": [["admin[]|3"], [], []]}
        """,
        """
        {"name": "two params and priority", "yaml": "bucket_definitions:\n  b:\n    priority: 1\n    parameters: SELECT request.user_id() AS u, token_parameters.region AS r\n    data:\n      - SELECT id, upper(name) AS name FROM items WHERE owner = bucket.u AND region = bucket.r AND archived = 0\n", "version": null, "rows": [{"table": "items", "row": {"id": "i1", "owner": "u1", "region": "eu", "archived": {"i": "0"}, "name": "x"}}, {"table": "items", "row": {"id": "i2", "owner": "u1", "region": "eu", "archived": {"i": "1"}, "name": "y"}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u1\",\"parameters\":{\"region\":\"eu\"}}"}], "rowResults": [{"rows": ["b[\"u1\",\"eu\"]|items|i1|{\"id\":\"i1\",\"name\":\"X\"}"], "errors": 0}, {"rows": [], "errors": 0}], "requestResults": [["b[\"u1\",\"eu\"]|1"]]}
        """,
        """
        {"name": "or on same parameter", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT request.user_id() AS u\n    data:\n      - SELECT * FROM t WHERE owner = bucket.u OR assignee = bucket.u\n", "version": null, "rows": [{"table": "t", "row": {"id": "1", "owner": "a", "assignee": "b"}}, {"table": "t", "row": {"id": "2", "owner": "a", "assignee": "a"}}], "paramRows": [], "requests": [], "rowResults": [{"rows": ["b[\"a\"]|t|1|{\"id\":\"1\",\"owner\":\"a\",\"assignee\":\"b\"}", "b[\"b\"]|t|1|{\"id\":\"1\",\"owner\":\"a\",\"assignee\":\"b\"}"], "errors": 0}, {"rows": ["b[\"a\"]|t|2|{\"id\":\"2\",\"owner\":\"a\",\"assignee\":\"a\"}", "b[\"a\"]|t|2|{\"id\":\"2\",\"owner\":\"a\",\"assignee\":\"a\"}"], "errors": 0}], "requestResults": []}
        """,
        """
        {"name": "or different params rejected", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT request.user_id() AS u, token_parameters.x AS x\n    data:\n      - SELECT * FROM t WHERE owner = bucket.u OR assignee = bucket.x\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "missing bucket parameter", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT request.user_id() AS u\n    data:\n      - SELECT * FROM t\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "unknown bucket parameter", "yaml": "bucket_definitions:\n  b:\n    data:\n      - SELECT * FROM t WHERE a = bucket.u\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "jwt claims reals", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT request.jwt() ->> 'n' AS n, token_parameters.n AS tn, request.jwt() -> 'obj' AS o, token_parameters.obj AS tobj\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u1\",\"n\":5,\"obj\":{\"k2\":2},\"parameters\":{\"n\":5,\"obj\":{\"k2\":2}}}"}], "rowResults": [], "requestResults": [["b[5,5,\"{\\\"k2\\\":2.0}\",\"{\\\"k2\\\":2.0}\"]|3"]]}
        """,
        """
        {"name": "user parameters", "yaml": "bucket_definitions:\n  b:\n    accept_potentially_dangerous_queries: true\n    parameters:\n      - SELECT user_parameters.project AS p\n      - SELECT request.parameter('project') AS p\n      - SELECT request.parameters() ->> 'project' AS p\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u1\"}", "params": "{\"project\":\"x1\"}"}, {"jwt": "{\"sub\":\"u1\"}", "params": "{\"project\":3}"}], "rowResults": [], "requestResults": [["b[\"x1\"]|3"], ["b[3]|3"]]}
        """,
        """
        {"name": "request conditions in lookup query", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT id AS org FROM orgs WHERE owner = request.user_id() AND token_parameters.active\n    data: []\n", "version": null, "rows": [], "paramRows": [{"table": "orgs", "row": {"id": "o1", "owner": "u1"}}], "requests": [{"jwt": "{\"sub\":\"u1\",\"parameters\":{\"active\":true}}"}, {"jwt": "{\"sub\":\"u1\",\"parameters\":{\"active\":0}}"}], "rowResults": [], "requestResults": [["b[\"o1\"]|3"], []]}
        """,
        """
        {"name": "versioned ids", "yaml": "config:\n  edition: 2\nbucket_definitions:\n  g:\n    data:\n      - SELECT * FROM t\n", "version": 7, "rows": [{"table": "t", "row": {"id": "1"}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u\"}"}], "rowResults": [{"rows": ["7#g[]|t|1|{\"id\":\"1\"}"], "errors": 0}], "requestResults": [["7#g[]|3"]]}
        """,
        """
        {"name": "json each with where", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT value AS p FROM json_each(request.jwt() -> 'ids') WHERE value != 'skip'\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u\",\"ids\":[\"a\",\"skip\",3,null]}"}], "rowResults": [], "requestResults": [["b[\"a\"]|3", "b[\"null\"]|3", "b[3]|3"]]}
        """,
        """
        {"name": "json each legacy null", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT value AS p FROM json_each(request.jwt() -> 'ids')\n    data: []\n", "version": null, "rows": [], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u\",\"ids\":[null,true,{\"a\":1},1.5,7]}"}], "rowResults": [], "requestResults": [["b[\"null\"]|3", "b[\"{\\\"a\\\":1.0}\"]|3", "b[1.5]|3", "b[1]|3", "b[7]|3"]]}
        """,
        """
        {"name": "alias as output table", "yaml": "bucket_definitions:\n  g:\n    data:\n      - SELECT id, a FROM todos AS items\n      - SELECT t.id, t.b FROM todos t WHERE t.b > 1\n", "version": null, "rows": [{"table": "todos", "row": {"id": "1", "a": "x", "b": {"i": "2"}}}], "paramRows": [], "requests": [], "rowResults": [{"rows": ["g[]|items|1|{\"id\":\"1\",\"a\":\"x\"}", "g[]|t|1|{\"id\":\"1\",\"b\":2}"], "errors": 0}], "requestResults": []}
        """,
        """
        {"name": "schema qualified", "yaml": "bucket_definitions:\n  g:\n    data:\n      - SELECT * FROM other.todos\n", "version": null, "rows": [{"schema": "other", "table": "todos", "row": {"id": "1"}}, {"table": "todos", "row": {"id": "2"}}], "paramRows": [], "requests": [], "rowResults": [{"rows": ["g[]|todos|1|{\"id\":\"1\"}"], "errors": 0}, {"rows": [], "errors": 0}], "requestResults": []}
        """,
        """
        {"name": "row errors", "yaml": "bucket_definitions:\n  g:\n    data:\n      - SELECT id, a = b AS eq FROM t\n      - SELECT id FROM t WHERE json_keys(a) = '[]'\n", "version": null, "rows": [{"table": "t", "row": {"id": "1", "a": {"b": "01"}, "b": {"b": "02"}}}], "paramRows": [], "requests": [], "rowResults": [{"rows": [], "errors": 2}], "requestResults": []}
        """,
        """
        {"name": "where filters", "yaml": "bucket_definitions:\n  g:\n    data:\n      - SELECT id FROM t WHERE a IS NOT NULL AND (b > 2 OR c = 'x') AND NOT d\n", "version": null, "rows": [{"table": "t", "row": {"id": "1", "a": {"i": "1"}, "b": {"i": "3"}, "c": "y", "d": {"i": "0"}}}, {"table": "t", "row": {"id": "2", "a": null, "b": {"i": "3"}}}, {"table": "t", "row": {"id": "3", "a": {"i": "1"}, "b": {"i": "1"}, "c": "x", "d": null}}, {"table": "t", "row": {"id": "4", "a": {"i": "1"}, "b": {"i": "1"}, "c": "z"}}], "paramRows": [], "requests": [], "rowResults": [{"rows": ["g[]|t|1|{\"id\":\"1\"}"], "errors": 0}, {"rows": [], "errors": 0}, {"rows": ["g[]|t|3|{\"id\":\"3\"}"], "errors": 0}, {"rows": [], "errors": 0}], "requestResults": []}
        """,
        """
        {"name": "priority param column", "yaml": "bucket_definitions:\n  b:\n    parameters: SELECT request.user_id() AS u, 0 AS _priority\n    data:\n      - SELECT * FROM t WHERE u = bucket.u\n", "version": null, "rows": [], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u\"}"}], "rowResults": [], "requestResults": [["b[\"u\"]|0"]]}
        """,
        """
        {"name": "multiple parameter queries", "yaml": "bucket_definitions:\n  b:\n    parameters:\n      - SELECT request.user_id() AS u\n      - SELECT id AS u FROM users WHERE manager = request.user_id()\n    data:\n      - SELECT * FROM t WHERE owner = bucket.u\n", "version": null, "rows": [], "paramRows": [{"table": "users", "row": {"id": "e1", "manager": "boss"}}, {"table": "users", "row": {"id": "e2", "manager": "boss"}}], "requests": [{"jwt": "{\"sub\":\"boss\"}"}], "rowResults": [], "requestResults": [["b[\"boss\"]|3", "b[\"e1\"]|3", "b[\"e2\"]|3"]]}
        """,
    ];
}
