"""What the web console's end-to-end tests share: a fresh ledger made by
the real CLI in a temp dir, the real unioncard-server started on a free
loopback port (port 0; the port is read from the server's own log line),
and an HTTP client that keeps cookies and finds each form's CSRF token.
Everything started here is stopped by stop() (and at exit)."""

import atexit
import http.cookiejar
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

BUILD = os.environ["UC_BUILD_DIR"]
UC = os.path.join(BUILD, "src", "tools", "unioncard")
SERVER = os.path.join(BUILD, "src", "server", "unioncard-server")
PASSWORD = "correct horse battery"

UNITS = """code,name,parent,exempt
TP,LĐLĐ huyện Tuy Phước,52,0
AN,LĐLĐ thị xã An Nhơn,52,0
TP01,CĐCS Trường THPT Tuy Phước,TP,0
AN01,CĐCS Bệnh viện An Nhơn,AN,0
"""

HEADER = "full_name,date_of_birth,gender,national_id,position,joined_on,mandatory"
GOOD_ROWS = [
    "Huỳnh Lê Diễm Tuyết,12/03/1985,nữ,052185000123,Phó Trưởng ban,2010-05-01,1",
    "Dương Lê Hồng Thủy,1979-11-30,nữ,052179000456,Giáo viên,01/09/2001,0",
    "Nguyễn Văn Đức,05/06/1990,nam,052090000789,\"Kế toán, thủ quỹ\",2015-01-15,no",
]


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def ok(msg):
    print("ok - " + msg)


class Fixture:
    def __init__(self, server_args=()):
        self.tmp = tempfile.mkdtemp(prefix="uc-web.")
        self.ledger = os.path.join(self.tmp, "ledger.db")
        self.env = dict(os.environ, UNIONCARD_LEDGER=self.ledger,
                        UNIONCARD_PASSWORD=PASSWORD,
                        UNIONCARD_KDF_ITERATIONS="1000")
        self.servers = []
        atexit.register(self.stop)
        pw = os.path.join(self.tmp, "pw")
        with open(pw, "w") as f:
            f.write(PASSWORD + "\n")
        self.uc(None, "init", "--province", "52", "--name",
                "LĐLĐ tỉnh Bình Định", "--admin", "admin")
        units = os.path.join(self.tmp, "units.csv")
        with open(units, "w") as f:
            f.write(UNITS)
        self.uc("admin", "unit", "import", units)
        for name, unit, role in [("printer", "52", "printer"),
                                 ("TP.approver", "TP", "approver"),
                                 ("AN.approver", "AN", "approver"),
                                 ("TP01.approver", "TP01", "approver"),
                                 ("TP01.clerk", "TP01", "clerk"),
                                 ("AN01.clerk", "AN01", "clerk")]:
            self.uc("admin", "account", "add", name, "--unit", unit,
                    "--role", role, "--password-file", pw)
        self.base = self.start(*server_args)

    def uc(self, who, *args):
        cmd = [UC] + (["--as", who] if who else []) + list(args)
        p = subprocess.run(cmd, env=self.env, capture_output=True,
                           text=True)
        if p.returncode != 0:
            fail("%s: %s" % (" ".join(cmd), p.stderr))
        return p.stdout

    def start(self, *extra):
        """Start a server on the fixture's ledger; its base URL."""
        log = open(os.path.join(self.tmp, "server%d.log" %
                                len(self.servers)), "w+")
        # --config /dev/null: never this host's /etc/unioncard/server.conf
        # (a --config in extra comes later and wins)
        p = subprocess.Popen([SERVER, "--config", "/dev/null", "--ledger",
                              self.ledger, "--listen", "127.0.0.1:0",
                              "--insecure-cookies"] +
                             list(extra), stderr=subprocess.PIPE, text=True)
        self.servers.append(p)
        # the first line names the port; read it, then keep draining
        line = p.stderr.readline()
        m = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if not m:
            fail("server did not start: " + line + p.stderr.read())
        log.write(line)

        import threading

        def drain():
            for l in p.stderr:
                log.write(l)
                log.flush()
        threading.Thread(target=drain, daemon=True).start()
        self.log = log
        return m.group(1)

    def server_log(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def sql(self, q, *args):
        db = sqlite3.connect(self.ledger)
        try:
            return db.execute(q, args).fetchall()
        finally:
            db.close()

    def state(self):
        """The ledger's rows but the audit trail and login bookkeeping:
        what "nothing changed" compares."""
        db = sqlite3.connect(self.ledger)
        try:
            out = []
            for (t,) in db.execute(
                    "SELECT name FROM sqlite_schema WHERE type = 'table'"
                    " AND name NOT IN ('audit', 'audit_head',"
                    " 'login_refusals', 'accounts') ORDER BY name"):
                out.append((t, db.execute(
                    'SELECT * FROM "%s" ORDER BY 1' % t).fetchall()))
            return out
        finally:
            db.close()

    def stop(self):
        for p in self.servers:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.servers = []
        if os.environ.get("UC_KEEP_TMP") is None:
            shutil.rmtree(self.tmp, ignore_errors=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


class Client:
    """A browser without a browser: cookies, forms, no redirects
    followed (the tests look at each 303)."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.op = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())
        self.csrf = None

    def req(self, method, path, data=None, headers=None, ctype=None):
        h = dict(headers or {})
        if ctype:
            h["Content-Type"] = ctype
        r = urllib.request.Request(self.base + path, data=data,
                                   method=method, headers=h)
        try:
            resp = self.op.open(r, timeout=120)
        except urllib.error.HTTPError as e:
            resp = e
        body = resp.read().decode("utf-8", "replace")
        m = re.search(r'name="csrf" value="([0-9a-f]+)"', body)
        if m:
            self.csrf = m.group(1)
        return resp.status, resp.headers, body

    def get(self, path):
        return self.req("GET", path)

    def post(self, path, fields, csrf=True):
        f = dict(fields)
        if csrf and "csrf" not in f:
            f["csrf"] = self.csrf or ""
        return self.req("POST", path,
                        urllib.parse.urlencode(f).encode(),
                        ctype="application/x-www-form-urlencoded")

    def upload(self, path, name, content, csrf=True):
        bound = "----uc-test-boundary"
        parts = []
        if csrf:
            parts.append(("--%s\r\nContent-Disposition: form-data;"
                          ' name="csrf"\r\n\r\n%s\r\n' %
                          (bound, self.csrf)).encode())
        parts.append(("--%s\r\nContent-Disposition: form-data;"
                      ' name="csv"; filename="%s"\r\nContent-Type:'
                      " text/csv\r\n\r\n" % (bound, name)).encode())
        parts.append(content)
        parts.append(("\r\n--%s--\r\n" % bound).encode())
        return self.req("POST", path, b"".join(parts),
                        ctype="multipart/form-data; boundary=" + bound)

    def login(self, account, password=PASSWORD):
        self.get("/login")
        return self.post("/login", {"account": account,
                                    "password": password})
