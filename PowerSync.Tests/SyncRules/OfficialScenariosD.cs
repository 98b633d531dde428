namespace PowerSync.Tests.SyncRules;

/// <summary>
/// Scenarios (YAML, rows, parameter rows, requests) with the results of the official evaluator
/// (npm @powersync/service-sync-rules 0.38.1), generated once; the suite runs without node.
/// </summary>
internal static class OfficialScenariosD
{
    public static readonly string[] Cases =
    [
        """
        {"name": "stream by user", "yaml": "config:\n  edition: 2\nstreams:\n  my_lists:\n    query: SELECT * FROM lists WHERE owner_id = auth.user_id()\n    auto_subscribe: true\n", "version": null, "rows": [{"table": "lists", "row": {"id": "l1", "owner_id": "u1"}}, {"table": "lists", "row": {"id": "l2", "owner_id": null}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u1\"}"}, {"jwt": "{\"sub\":\"u1\"}", "defaults": false}], "rowResults": [{"rows": ["my_lists|0[\"u1\"]|lists|l1|{\"id\":\"l1\",\"owner_id\":\"u1\"}"], "errors": 0}, {"rows": [], "errors": 0}], "requestResults": [["my_lists|0[\"u1\"]|3"], []]}
        """,
        """
        {"name": "stream not auto subscribed", "yaml": "config:\n  edition: 2\nstreams:\n  list:\n    query: SELECT * FROM todos WHERE list_id = subscription.parameter('list')\n", "version": null, "rows": [{"table": "todos", "row": {"id": "t1", "list_id": "l1"}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u1\"}"}, {"jwt": "{\"sub\":\"u1\"}", "subs": [{"stream": "list", "params": "{\"list\":\"l1\"}"}, {"stream": "list", "params": "{\"list\":\"l2\"}", "priority": 1}]}, {"jwt": "{\"sub\":\"u1\"}", "subs": [{"stream": "list", "params": null}]}], "rowResults": [{"rows": ["list|0[\"l1\"]|todos|t1|{\"id\":\"t1\",\"list_id\":\"l1\"}"], "errors": 0}], "requestResults": [[], ["list|0[\"l1\"]|3", "list|0[\"l2\"]|1"], ["list|0[null]|3"]]}
        """,
        """
        {"name": "stream subquery", "yaml": "config:\n  edition: 2\nstreams:\n  todos:\n    query: SELECT * FROM todos WHERE list_id IN (SELECT id FROM lists WHERE owner_id = auth.user_id())\n    auto_subscribe: true\n", "version": null, "rows": [{"table": "todos", "row": {"id": "t1", "list_id": "l1"}}], "paramRows": [{"table": "lists", "row": {"id": "l1", "owner_id": "u1"}}, {"table": "lists", "row": {"id": "l2", "owner_id": "u1"}}, {"table": "lists", "row": {"id": "l3", "owner_id": "u2"}}], "requests": [{"jwt": "{\"sub\":\"u1\"}"}, {"jwt": "{\"sub\":\"u3\"}"}], "rowResults": [{"rows": ["todos|0[\"l1\"]|todos|t1|{\"id\":\"t1\",\"list_id\":\"l1\"}"], "errors": 0}], "requestResults": [["todos|0[\"l1\"]|3", "todos|0[\"l2\"]|3"], []]}
        """,
        """
        {"name": "stream exists subquery", "yaml": "config:\n  edition: 2\nstreams:\n  admin:\n    query: SELECT * FROM secrets WHERE auth.user_id() IN (SELECT id FROM users WHERE is_admin = 1)\n    auto_subscribe: true\n", "version": null, "rows": [{"table": "secrets", "row": {"id": "s1"}}], "paramRows": [{"table": "users", "row": {"id": "u1", "is_admin": {"i": "1"}}}, {"table": "users", "row": {"id": "u2", "is_admin": {"i": "0"}}}], "requests": [{"jwt": "{\"sub\":\"u1\"}"}, {"jwt": "{\"sub\":\"u2\"}"}], "rowResults": [{"rows": ["admin|0[]|secrets|s1|{\"id\":\"s1\"}"], "errors": 0}], "requestResults": [["admin|0[]|3"], []]}
        """,
        """
        {"name": "stream or variants", "yaml": "config:\n  edition: 2\nstreams:\n  s:\n    query: SELECT * FROM t WHERE owner = auth.user_id() OR assignee = auth.user_id()\n    auto_subscribe: true\n", "version": null, "rows": [{"table": "t", "row": {"id": "1", "owner": "a", "assignee": "b"}}, {"table": "t", "row": {"id": "2", "owner": "a", "assignee": "a"}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"a\"}"}], "rowResults": [{"rows": ["s|0[\"a\"]|t|1|{\"id\":\"1\",\"owner\":\"a\",\"assignee\":\"b\"}", "s|1[\"b\"]|t|1|{\"id\":\"1\",\"owner\":\"a\",\"assignee\":\"b\"}"], "errors": 0}, {"rows": ["s|0[\"a\"]|t|2|{\"id\":\"2\",\"owner\":\"a\",\"assignee\":\"a\"}", "s|1[\"a\"]|t|2|{\"id\":\"2\",\"owner\":\"a\",\"assignee\":\"a\"}"], "errors": 0}], "requestResults": [["s|0[\"a\"]|3", "s|1[\"a\"]|3"]]}
        """,
        """
        {"name": "stream in row array and param array", "yaml": "config:\n  edition: 2\nstreams:\n  s:\n    query: SELECT * FROM t WHERE auth.user_id() IN members AND region IN subscription.parameter('regions')\n", "version": null, "rows": [{"table": "t", "row": {"id": "1", "members": "[\"a\",\"b\"]", "region": "eu"}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"a\"}", "subs": [{"stream": "s", "params": "{\"regions\":[\"eu\",\"us\"]}"}]}], "rowResults": [{"rows": ["s|0[\"a\",\"eu\"]|t|1|{\"id\":\"1\",\"members\":\"[\\\"a\\\",\\\"b\\\"]\",\"region\":\"eu\"}", "s|0[\"b\",\"eu\"]|t|1|{\"id\":\"1\",\"members\":\"[\\\"a\\\",\\\"b\\\"]\",\"region\":\"eu\"}"], "errors": 0}], "requestResults": [["s|0[\"a\",\"eu\"]|3", "s|0[\"a\",\"us\"]|3"]]}
        """,
        """
        {"name": "stream connection parameter missing", "yaml": "config:\n  edition: 2\nstreams:\n  s:\n    query: SELECT * FROM t WHERE org = connection.parameter('org')\n    auto_subscribe: true\n", "version": null, "rows": [{"table": "t", "row": {"id": "1", "org": "o"}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"a\"}"}, {"jwt": "{\"sub\":\"a\"}", "params": "{\"org\":\"o\"}"}], "rowResults": [{"rows": ["s|0[\"o\"]|t|1|{\"id\":\"1\",\"org\":\"o\"}"], "errors": 0}], "requestResults": [["s|0[null]|3"], ["s|0[\"o\"]|3"]]}
        """,
        """
        {"name": "stream request filter", "yaml": "config:\n  edition: 2\nstreams:\n  s:\n    query: SELECT * FROM t WHERE auth.parameter('role') = 'admin' AND kind = 'x'\n    auto_subscribe: true\n", "version": null, "rows": [{"table": "t", "row": {"id": "1", "kind": "x"}}, {"table": "t", "row": {"id": "2", "kind": "y"}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"a\",\"role\":\"admin\"}"}, {"jwt": "{\"sub\":\"a\",\"role\":\"user\"}"}], "rowResults": [{"rows": ["s|0[]|t|1|{\"id\":\"1\",\"kind\":\"x\"}"], "errors": 0}, {"rows": [], "errors": 0}], "requestResults": [["s|0[]|3"], []]}
        """,
        """
        {"name": "stream not in static", "yaml": "config:\n  edition: 2\nstreams:\n  s:\n    query: SELECT * FROM t WHERE n NOT IN '[1]' AND NOT (kind = 'z')\n    auto_subscribe: true\n", "version": null, "rows": [{"table": "t", "row": {"id": "1", "n": {"i": "1"}, "kind": "x"}}, {"table": "t", "row": {"id": "2", "n": {"i": "2"}, "kind": "x"}}, {"table": "t", "row": {"id": "3", "n": {"i": "2"}, "kind": "z"}}], "paramRows": [], "requests": [], "rowResults": [{"rows": [], "errors": 0}, {"rows": ["s|0[]|t|2|{\"id\":\"2\",\"n\":2,\"kind\":\"x\"}"], "errors": 0}, {"rows": [], "errors": 0}], "requestResults": []}
        """,
        """
        {"name": "stream negated subquery rejected", "yaml": "config:\n  edition: 2\nstreams:\n  s:\n    query: SELECT * FROM t WHERE id NOT IN (SELECT x FROM u WHERE y = auth.user_id())\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "stream in edition 1 rejected", "yaml": "streams:\n  s:\n    query: SELECT * FROM t\n", "version": null, "rows": [], "paramRows": [], "requests": [], "errors": 1}
        """,
        """
        {"name": "stream two parameters and subquery", "yaml": "config:\n  edition: 2\nstreams:\n  s:\n    query: SELECT * FROM issues WHERE project_id IN (SELECT project_id FROM members WHERE user_id = auth.user_id()) AND status = subscription.parameter('status')\n", "version": null, "rows": [{"table": "issues", "row": {"id": "i1", "project_id": "p1", "status": "open"}}], "paramRows": [{"table": "members", "row": {"user_id": "u", "project_id": "p1"}}, {"table": "members", "row": {"user_id": "u", "project_id": "p2"}}], "requests": [{"jwt": "{\"sub\":\"u\"}", "subs": [{"stream": "s", "params": "{\"status\":\"open\"}"}]}], "rowResults": [{"rows": ["s|0[\"p1\",\"open\"]|issues|i1|{\"id\":\"i1\",\"project_id\":\"p1\",\"status\":\"open\"}"], "errors": 0}], "requestResults": [["s|0[\"p1\",\"open\"]|3", "s|0[\"p2\",\"open\"]|3"]]}
        """,
        """
        {"name": "stream overlap", "yaml": "config:\n  edition: 2\nstreams:\n  s:\n    query: SELECT * FROM posts WHERE tags && (SELECT tag FROM follows WHERE user_id = auth.user_id())\n    auto_subscribe: true\n", "version": null, "rows": [{"table": "posts", "row": {"id": "p", "tags": "[\"a\",\"b\"]"}}], "paramRows": [{"table": "follows", "row": {"user_id": "u", "tag": "b"}}], "requests": [{"jwt": "{\"sub\":\"u\"}"}], "rowResults": [{"rows": ["s|0[\"a\"]|posts|p|{\"id\":\"p\",\"tags\":\"[\\\"a\\\",\\\"b\\\"]\"}", "s|0[\"b\"]|posts|p|{\"id\":\"p\",\"tags\":\"[\\\"a\\\",\\\"b\\\"]\"}"], "errors": 0}], "requestResults": [["s|0[\"b\"]|3"]]}
        """,
        """
        {"name": "stream with bucket definitions", "yaml": "config:\n  edition: 2\nbucket_definitions:\n  g:\n    data:\n      - SELECT * FROM t\nstreams:\n  s:\n    query: SELECT * FROM t WHERE o = auth.user_id()\n    auto_subscribe: true\n", "version": 3, "rows": [{"table": "t", "row": {"id": "1", "o": "u"}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u\"}"}], "rowResults": [{"rows": ["3#g[]|t|1|{\"id\":\"1\",\"o\":\"u\"}", "3#s|0[\"u\"]|t|1|{\"id\":\"1\",\"o\":\"u\"}"], "errors": 0}], "requestResults": [["3#g[]|3", "3#s|0[\"u\"]|3"]]}
        """,
        """
        {"name": "stream subscription parameters function", "yaml": "config:\n  edition: 2\nstreams:\n  s:\n    query: SELECT * FROM t WHERE o = subscription.parameters() ->> 'o' AND n = subscription.parameter('n')\n", "version": null, "rows": [{"table": "t", "row": {"id": "1", "o": "x", "n": {"i": "2"}}}], "paramRows": [], "requests": [{"jwt": "{\"sub\":\"u\"}", "subs": [{"stream": "s", "params": "{\"o\":\"x\",\"n\":2}"}]}], "rowResults": [{"rows": ["s|0[\"x\",2]|t|1|{\"id\":\"1\",\"o\":\"x\",\"n\":2}"], "errors": 0}], "requestResults": [["s|0[\"x\",2]|3"]]}
        """,
    ];
}
