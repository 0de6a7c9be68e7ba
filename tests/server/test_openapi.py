"""docs/openapi.yaml against the server's real answers: every answer the
API gives in a real session (a clerk's members before and after
approval, each refusal) must match the documented schema of its status
code, with no field undocumented and none missing; the answer of
/api/v1/members equals `member list --json` byte for byte."""

import json
import os
import re
import sys

import yaml

sys.path.insert(0, os.path.dirname(__file__))
from weblib import Fixture, Client, HEADER, GOOD_ROWS, fail, ok

spec = yaml.safe_load(open(os.path.join(os.environ["UC_SOURCE_DIR"],
                                        "docs", "openapi.yaml")))


def resolve(s):
    while "$ref" in s:
        node = spec
        for part in s["$ref"].lstrip("#/").split("/"):
            node = node[part]
        s = node
    return s


def check(value, schema, where):
    """The subset of OpenAPI 3.0 schemas the file uses."""
    s = resolve(schema)
    if value is None:
        if not s.get("nullable"):
            fail("%s: null where %r" % (where, s))
        return
    t = s.get("type")
    types = {"string": str, "boolean": bool, "array": list, "object": dict,
             "integer": int}
    if t and not isinstance(value, types[t]):
        fail("%s: %r is not %s" % (where, value, t))
    if "enum" in s and value not in s["enum"]:
        fail("%s: %r not in %r" % (where, value, s["enum"]))
    if "pattern" in s and not re.search(s["pattern"], value):
        fail("%s: %r does not match %s" % (where, value, s["pattern"]))
    if s.get("format") == "date" and not re.fullmatch(
            r"\d{4}-\d{2}-\d{2}", value):
        fail("%s: %r is not a date" % (where, value))
    if t == "array":
        for i, v in enumerate(value):
            check(v, s["items"], "%s[%d]" % (where, i))
    if t == "object":
        props = s.get("properties", {})
        for k in s.get("required", []):
            if k not in value:
                fail("%s: %s missing" % (where, k))
        if s.get("additionalProperties") is False:
            for k in value:
                if k not in props:
                    fail("%s: %s is not documented" % (where, k))
        for k, v in value.items():
            if k in props:
                check(v, props[k], where + "." + k)


checked = set()


def answer(client, path, want_status, headers=None):
    st, h, body = client.req("GET", path, headers=headers)
    if st != want_status:
        fail("%s: %d, wanted %d: %s" % (path, st, want_status, body))
    op = spec["paths"][path.split("?")[0]]["get"]
    doc = op["responses"].get(str(st))
    if doc is None:
        fail("%s: status %d not documented" % (path, st))
    ctype = h.get("Content-Type", "").split(";")[0]
    if ctype not in doc["content"]:
        fail("%s %d: content type %s not documented" % (path, st, ctype))
    value = json.loads(body) if ctype == "application/json" else body
    check(value, doc["content"][ctype]["schema"], "%s %d" % (path, st))
    checked.add((path.split("?")[0], st))
    return value, body


fx = Fixture()
anon = Client(fx.base)
answer(anon, "/healthz", 200)
answer(anon, "/api/v1/members?unit=TP01", 401)

clerk = Client(fx.base)
clerk.login("TP01.clerk")
answer(clerk, "/api/v1/members?unit=TP01", 200)
csv = os.path.join(fx.tmp, "m.csv")
with open(csv, "w") as f:
    f.write("\n".join([HEADER] + GOOD_ROWS) + "\n")
fx.uc("TP01.clerk", "member", "import", "--unit", "TP01", csv)
fx.uc("TP01.clerk", "member", "submit", "--unit", "TP01")
fx.uc("TP.approver", "member", "approve", "--unit", "TP01",
      "--national-id", "052185000123")
fx.uc("TP.approver", "member", "reject", "--unit", "TP01",
      "--national-id", "052179000456", "--reason", "Sai ngày sinh")
value, body = answer(clerk, "/api/v1/members?unit=TP01", 200)
if sorted(m["status"] for m in value) != ["approved", "rejected",
                                           "submitted"]:
    fail("statuses: %r" % value)
cli = fx.uc("TP01.clerk", "member", "list", "--unit", "TP01", "--json")
if cli.strip() != body.strip():
    fail("API and `member list --json` differ:\n%s\n%s" % (body, cli))
answer(clerk, "/api/v1/members", 400)
answer(clerk, "/api/v1/members?unit=AN01", 403)
answer(clerk, "/api/v1/members?unit=NOPE", 404)
answer(clerk, "/api/v1/members?unit=TP01", 401,
       headers={"Authorization": "Bearer abc"})

# an API token acts as its account, without a session
token = fx.uc("admin", "token", "add", "tp01-sync", "--account",
              "TP01.clerk").strip()
if not re.fullmatch(r"uct_[A-Za-z0-9_-]{43}", token):
    fail("token: %r" % token)
if fx.sql("SELECT count(*) FROM api_tokens WHERE instr(sha256, ?) > 0",
          token.encode())[0][0] != 0:
    fail("the token itself is in the ledger")
script = Client(fx.base)
bearer = {"Authorization": "Bearer " + token}
value, body2 = answer(script, "/api/v1/members?unit=TP01", 200, bearer)
if body2 != body:
    fail("the token's answer differs from the session's")
answer(script, "/api/v1/members?unit=AN01", 403, bearer)
answer(script, "/api/v1/members?unit=TP01", 401,
       {"Authorization": "Bearer " + token[:-1] + ("A" if token[-1] != "A"
                                                   else "B")})
fx.uc("admin", "token", "revoke", "tp01-sync")
answer(script, "/api/v1/members?unit=TP01", 401, bearer)
if "token refused" not in fx.server_log() or token in fx.server_log():
    fail("the log should note refused tokens, never a token")

# every documented answer was seen
documented = {(p, int(c)) for p, item in spec["paths"].items()
              for c in item["get"]["responses"]}
if documented != checked:
    fail("documented but not checked: %r" % (documented - checked))
ok("docs/openapi.yaml matches %d real answers (every documented status);"
   " /api/v1/members is `member list --json`, by session and by token;"
   " a revoked or altered token is 401" % len(checked))
fx.stop()
