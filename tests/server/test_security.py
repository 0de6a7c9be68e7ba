"""The web console's security, through HTTP against the real server on a
fresh ledger: every refusal is checked on the wire (status, headers) and
in the ledger (nothing changed, the refusal audited)."""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from weblib import (Fixture, Client, HEADER, GOOD_ROWS, PASSWORD, SERVER,
                    fail, ok)

fx = Fixture()
base = fx.base


def csv(rows):
    return ("\r\n".join([HEADER] + rows) + "\r\n").encode()


def must(cond, msg):
    if not cond:
        fail(msg)


# --- every response carries the headers -----------------------------------
c = Client(base)
seen = set()
for method, path, data in [("GET", "/healthz", None), ("GET", "/login", None),
                           ("GET", "/members", None), ("GET", "/nope", None),
                           ("POST", "/login", b"account=x")]:
    st, h, body = c.req(method, path, data,
                        ctype="application/x-www-form-urlencoded")
    seen.add(st)
    csp = h.get("Content-Security-Policy", "")
    must("default-src 'none'" in csp and "frame-ancestors 'none'" in csp,
         "%s %s: CSP missing or weak: %r" % (method, path, csp))
    must(h.get("X-Content-Type-Options") == "nosniff", path + ": nosniff")
    must(h.get("Referrer-Policy") == "no-referrer", path + ": referrer")
must(seen >= {200, 303, 403}, "statuses seen: %r" % seen)
st, h, body = Client(base).get("/healthz")
must(st == 200 and body == "ok", "healthz: %d %r" % (st, body))
ok("healthz answers ok; CSP, nosniff, Referrer-Policy on 200, 303, 403, 404")

# the session cookie's flags; Secure (and __Host-) unless told otherwise
st, h, body = Client(base).get("/login")
cookie = h.get("Set-Cookie", "")
must("HttpOnly" in cookie and "SameSite=Strict" in cookie and
     "Path=/" in cookie, "cookie flags: " + cookie)
p = subprocess.Popen([SERVER, "--ledger", fx.ledger, "--listen",
                      "127.0.0.1:0"], stderr=subprocess.PIPE, text=True)
line = p.stderr.readline()
port = line.rsplit(":", 1)[1].split()[0]
st, h, body = Client("http://127.0.0.1:" + port).get("/login")
p.terminate()
p.wait()
cookie = h.get("Set-Cookie", "")
must(cookie.startswith("__Host-uc_session=") and "; Secure" in cookie,
     "default cookie not Secure/__Host-: " + cookie)
r = subprocess.run([SERVER, "--ledger", fx.ledger, "--listen",
                    "0.0.0.0:0", "--insecure-cookies"], capture_output=True,
                   text=True)
must(r.returncode == 2 and "loopback" in r.stderr,
     "--insecure-cookies off loopback: %d %s" % (r.returncode, r.stderr))
ok("session cookie HttpOnly, SameSite=Strict; Secure + __Host- by default;"
   " --insecure-cookies only on loopback")

# --- POST without a valid CSRF token: 403, nothing changed ----------------
clerk = Client(base)
clerk.get("/login")
pre = [k.value for k in clerk.jar]
st, h, _ = clerk.post("/login", {"account": "TP01.clerk",
                                 "password": PASSWORD})
must(st == 303, "clerk sign-in: %d" % st)
post = [k.value for k in clerk.jar]
must(len(pre) == 1 and len(post) == 1 and pre != post,
     "sign-in must make a new session id")
clerk.get("/members")
before = fx.state()
for fields in [{}, {"csrf": ""}, {"csrf": "0" * 64},
               {"csrf": clerk.csrf[:-1] + ("0" if clerk.csrf[-1] != "0"
                                           else "1")}]:
    st, _, body = clerk.post("/members/submit", fields, csrf=False)
    must(st == 403, "submit with csrf %r: %d" % (fields, st))
st, _, _ = clerk.upload("/members/import", "m.csv", csv(GOOD_ROWS),
                        csrf=False)
must(st == 403, "upload without csrf: %d" % st)
must(fx.state() == before, "a POST without csrf changed the ledger")
# sign-in itself needs the token of the form it came from
anon = Client(base)
st, h, _ = anon.post("/login", {"account": "TP01.clerk",
                                "password": PASSWORD}, csrf=False)
must(st == 403 and "Set-Cookie" not in h, "login without csrf: %d" % st)
must(fx.state() == before, "changed")
must("csrf refused" in fx.server_log(), "csrf refusal not in the log")
ok("POST without (or with a wrong) csrf: 403 on forms, upload and sign-in;"
   " ledger unchanged; logged")

# --- a too-large upload: 413 before the body is read, nothing changed -----
big = os.path.join(fx.tmp, "big.csv")
with open(big, "wb") as f:
    f.write(HEADER.encode() + b"\n")
    f.truncate(50 * 1024 * 1024)
cookie_arg = "; ".join("%s=%s" % (k.name, k.value) for k in clerk.jar)
for extra in [[], ["-H", "Transfer-Encoding: chunked"]]:
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w",
                        "%{http_code}", "-b", cookie_arg, "-F",
                        "csrf=" + clerk.csrf, "-F", "csv=@" + big] + extra +
                       [base + "/members/import"], capture_output=True,
                       text=True)
    must(r.stdout == "413", "50 MB upload %r: %r" % (extra, r.stdout))
must(fx.state() == before, "a too-large upload changed the ledger")
ok("50 MB upload (with Content-Length, and chunked): 413, nothing changed")

# --- the clerk's story up to a submitted request, for the scope tests ----
st, _, body = clerk.upload("/members/import", "m.csv", csv(GOOD_ROWS))
must(st == 303, "clean upload: %d %s" % (st, body[:300]))
st, _, _ = clerk.post("/members/submit", {})
must(st == 303, "submit")
fx.uc("TP.approver", "member", "approve", "--unit", "TP01", "--all")
st, _, _ = clerk.post("/requests/new", {"type": "regular"})
must(st == 303, "request new")
rid = fx.sql("SELECT max(id) FROM requests")[0][0]
st, _, _ = clerk.post("/requests/submit", {"id": str(rid)})
must(st == 303, "request submit")
must(fx.sql("SELECT status FROM requests WHERE id = ?", rid)[0][0] ==
     "submitted", "request submitted")

# --- an approver approving its own unit's request --------------------------
own = Client(base)
must(own.login("TP01.approver")[0] == 303, "TP01.approver signs in")
own.get("/requests")
before = fx.state()
st, _, body = own.post("/requests/approve", {"id": str(rid)})
must(st == 403, "own unit's request approved: %d" % st)
must("own unit" in body, "the page should say why: " + body[-400:])
must(fx.state() == before, "refused approval changed the ledger")
must(fx.sql("SELECT action FROM audit ORDER BY id DESC LIMIT 1")[0][0] ==
     "refused:request.approve", "refusal not audited")
# and another district's approver, whatever URL is typed
other = Client(base)
must(other.login("AN.approver")[0] == 303, "AN.approver signs in")
other.get("/queue")
st, _, _ = other.post("/requests/approve", {"id": str(rid)})
must(st == 403 and fx.state() == before, "AN.approver approved TP01's")
st, _, _ = other.post("/queue/approve", {"unit": "TP01"})
must(st == 403 and fx.state() == before, "AN.approver approved members")
ok("an approver cannot approve its own unit's request, nor another"
   " district's (403, audited, nothing changed)")

# --- another unit's member in a URL ----------------------------------------
an_csv = os.path.join(fx.tmp, "an.csv")
with open(an_csv, "w") as f:
    f.write(HEADER + "\nLê Thị Cúc,01/01/1980,nữ,052180000999,Y tá,"
            "2005-01-01,0\n")
fx.uc("AN01.clerk", "member", "import", "--unit", "AN01", an_csv)
st, _, body = clerk.get("/member?key=052180000999")
must(st == 403 and "Lê Thị Cúc" not in body and "052180000999" not in
     body.split("<main")[1].split("id=\"why\"")[0],
     "another unit's member shown: %d" % st)
must(fx.sql("SELECT action FROM audit ORDER BY id DESC LIMIT 1")[0][0] ==
     "refused:member.show", "member.show refusal not audited")
st, h, body = clerk.get("/api/v1/members?unit=AN01")
must(st == 403 and h.get("Content-Type") == "application/json" and
     "Cúc" not in body, "API gave another unit: %d %s" % (st, body))
st, _, body = clerk.get("/members?q=cuc")
must("Cúc" not in body, "search reached another unit")
st, _, body = clerk.get("/member?key=052185000123")
must(st == 200 and "Huỳnh Lê Diễm Tuyết" in body, "own member: %d" % st)
ok("another unit's member by URL, API or search: refused (403, audited)")

# --- untrusted text is escaped --------------------------------------------
x_csv = os.path.join(fx.tmp, "x.csv")
with open(x_csv, "w") as f:
    f.write(HEADER + "\n<script>alert(1)</script>,01/01/1981,nam,"
            "052081000111,\"<b onmouseover=x>\",2005-01-01,0\n")
r = subprocess.run([os.path.join(os.environ["UC_BUILD_DIR"], "src", "tools",
                                 "unioncard"), "--as", "TP01.clerk",
                    "member", "import", "--unit", "TP01", x_csv],
                   env=fx.env, capture_output=True, text=True)
if r.returncode == 0:
    st, _, body = clerk.get("/members")
    must("<script>alert" not in body and "&lt;script&gt;alert(1)" in body,
         "a member's name reached the page unescaped")
    ok("a name with markup is shown escaped")
else:
    ok("a name with markup is refused by the library's import: "
       + r.stderr.strip().splitlines()[-1])

# --- a busy ledger: 503 "try again", nothing half-saved --------------------
import sqlite3
busy_csv = csv(["Trần Văn Bận,01/01/1988,nam,052088000222,CN,2012-01-01,0"])
lock = sqlite3.connect(fx.ledger, isolation_level=None)
lock.execute("BEGIN IMMEDIATE")
before = fx.state()
# the library waits out its busy timeout, then says busy
st, _, body = clerk.upload("/members/import", "busy.csv", busy_csv)
lock.execute("ROLLBACK")
lock.close()
must(st == 503 and "Hệ thống đang bận" in body,
     "busy ledger: %d %s" % (st, body[-300:]))
must(fx.state() == before, "a busy ledger's upload changed something")
st, _, _ = clerk.upload("/members/import", "busy.csv", busy_csv)
must(st == 303 and fx.sql("SELECT count(*) FROM members WHERE national_id"
                          " = '052088000222'")[0][0] == 1,
     "the same upload once the ledger is free")
ok("a busy ledger answers 503 'try again' and saves nothing; the same"
   " upload then succeeds")

# --- an expired session ----------------------------------------------------
old = clerk.jar
st, _, _ = clerk.post("/logout", {})
must(st == 303, "logout")
replay = Client(base)
for k in old:
    replay.jar.set_cookie(k)
st, h, _ = replay.get("/members")
must(st == 303 and h.get("Location") == "/login", "ended session reused")
for opt in ["--idle-timeout", "--session-lifetime"]:
    short = fx.start(opt, "0")
    c = Client(short)
    st, h, _ = c.login("TP01.clerk")
    must(st == 303, opt + ": sign-in")
    before = fx.state()
    st, h, _ = c.get("/members")
    must(st == 303 and h.get("Location") == "/login",
         opt + " 0: session still alive (%d)" % st)
    st, _, _ = c.post("/members/submit", {})
    must(st == 403 and fx.state() == before, opt + ": POST after expiry")
ok("a signed-out session, or one past its idle timeout or lifetime, leads"
   " to sign-in and changes nothing")

# --- 20 wrong passwords: refused, locked, audited --------------------------
before_audit = fx.sql("SELECT count(*) FROM audit WHERE action ="
                      " 'refused:login'")[0][0]
c = Client(base)
bodies = set()
for i in range(20):
    st, h, body = c.login("AN01.clerk", "wrong password %d" % i)
    must(st == 422, "wrong password %d: %d" % (i, st))
    bodies.add(body.split('id="error-summary"')[1].split("</div>")[0])
must(len(bodies) == 1, "refusals worded differently: %r" % bodies)
st, _, _ = c.login("AN01.clerk")
must(st == 422, "a locked account signed in with the right password")
lk = fx.sql("SELECT failed_logins, locked_until FROM accounts WHERE"
            " name = 'AN01.clerk'")[0]
must(lk[0] >= 5 and lk[1] is not None, "not locked: %r" % (lk,))
after_audit = fx.sql("SELECT count(*) FROM audit WHERE action ="
                     " 'refused:login'")[0][0]
must(after_audit > before_audit, "refused logins not audited")
ok("20 wrong passwords: the same refusal each time, account locked (%d"
   " failed), the right one refused while locked, %d audit rows" %
   (lk[0], after_audit - before_audit))

# --- --help teaches; the man page names every option ------------------------
r = subprocess.run([SERVER, "--help"], capture_output=True, text=True)
must(r.returncode == 0 and "Example:" in r.stdout, "--help")
page = open(os.path.join(os.environ["UC_SOURCE_DIR"], "docs", "man",
                         "unioncard-server.1")).read().replace("\\-", "-")
for w in sorted(set(re.findall(r"--[a-z][a-z-]*", r.stdout))):
    must(re.search(r"(^|[^a-z-])%s([^a-z-]|$)" % re.escape(w), page, re.M),
         "unioncard-server.1 does not mention " + w)
must(".SH EXAMPLES" in page, "man page without examples")
r = subprocess.run([SERVER, "--bogus"], capture_output=True, text=True)
must(r.returncode == 2 and "'--bogus'" in r.stderr, "unknown option")
r = subprocess.run([SERVER, "--ledger", os.path.join(fx.tmp, "nope.db")],
                   capture_output=True, text=True)
must(r.returncode == 2 and "nope.db" in r.stderr, "missing ledger named")
ok("--help with an example; the man page names every option; a bad option"
   " or a missing ledger is named (exit 2)")

# --- the shipped config file, a bad one, and TLS directly ----------------
conf = os.path.join(os.environ["UC_SOURCE_DIR"], "dist", "server.conf")
short = fx.start("--config", conf, "--ledger", fx.ledger)
st, _, body = Client(short).get("/healthz")
must(st == 200, "server with dist/server.conf")
bad = os.path.join(fx.tmp, "bad.conf")
with open(bad, "w") as f:
    f.write("# comment\nledger = %s\nlisten 127.0.0.1:0\n" % fx.ledger)
r = subprocess.run([SERVER, "--config", bad], capture_output=True, text=True)
must(r.returncode == 2 and "line 3" in r.stderr, "bad config: " + r.stderr)
key = os.path.join(fx.tmp, "key.pem")
cert = os.path.join(fx.tmp, "cert.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out",
                cert, "-days", "1", "-subj", "/CN=127.0.0.1"],
               check=True, capture_output=True)
p = subprocess.Popen([SERVER, "--ledger", fx.ledger, "--listen",
                      "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key],
                     stderr=subprocess.PIPE, text=True)
line = p.stderr.readline()
url = line.split("listening on ")[1].split()[0]
r = subprocess.run(["curl", "-s", "-i", "--cacert", cert, url + "/login"],
                   capture_output=True, text=True)
p.terminate()
p.wait()
must(url.startswith("https://") and "200 OK" in r.stdout and
     "Strict-Transport-Security" in r.stdout and
     "__Host-uc_session=" in r.stdout and "; Secure" in r.stdout,
     "TLS: %s %s" % (url, r.stdout[:300] + r.stderr))
ok("dist/server.conf starts the server; a bad config line is named;"
   " HTTPS directly with HSTS and a Secure cookie")

fx.stop()
