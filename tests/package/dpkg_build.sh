#!/bin/sh
# Build the Debian packages from a copy of the tree with
# 'dpkg-buildpackage -us -uc', unpack them into a temp root (dpkg -x: no
# package is installed on the machine) and run the installed tools from
# there: --version, --help and a subcommand's help, as a user of the
# packages would.  Checks what each package holds: the production tools,
# their man pages and bash completion, the shared library, the headers
# and pkg-config file; never the test tools or their headers.
set -eu

S="${UC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/uc-deb.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

for t in dpkg-buildpackage dh dpkg-deb; do
	command -v "$t" >/dev/null || fail "$t missing: run scripts/deps"
done

# the tree as git sees it (tracked and new files, not the build dirs);
# from a tarball, all of it but the build dirs
mkdir "$TMP/src"
if git -C "$S" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$S" && git ls-files -co --exclude-standard |
		while IFS= read -r f; do
			if [ -e "$f" ]; then printf '%s\n' "$f"; fi
		done | xargs -d '\n' cp --parents -t "$TMP/src")
else
	(cd "$S" && tar -cf - --exclude='./build*' --exclude=./demo-out \
	    --exclude='./obj-*' .) | (cd "$TMP/src" && tar -xf -)
fi
# source and binary packages, unsigned
(cd "$TMP/src" && dpkg-buildpackage -us -uc >"$TMP/build.log" 2>&1) ||
	{ tail -40 "$TMP/build.log" >&2; fail "dpkg-buildpackage failed"; }
ls "$TMP"/unioncard_*.tar.* >/dev/null 2>&1 || fail "no source package"
ok "dpkg-buildpackage -us -uc: source and binary packages"

ver=$(sed -n '1s/.*(\(.*\)).*/\1/p' "$S/debian/changelog")
arch=$(dpkg --print-architecture)
multi=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for p in libunioncard0 unioncard libunioncard-dev; do
	deb="$TMP/${p}_${ver}_${arch}.deb"
	[ -f "$deb" ] || fail "no $p package ($(ls "$TMP"/*.deb 2>/dev/null))"
	dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$TMP/$p.files"
	dpkg-deb -x "$deb" "$TMP/root"
done
ok "three packages: libunioncard0 unioncard libunioncard-dev"

has() { grep -qx "$2" "$TMP/$1.files" || fail "$1 lacks $2"; }
hasnt() { ! grep -q "$2" "$TMP/$1.files" || fail "$1 ships $2"; }
has unioncard /usr/bin/unioncard
has unioncard /usr/bin/unioncard-verify
has unioncard /usr/share/man/man1/unioncard.1.gz
has unioncard /usr/share/man/man1/unioncard-verify.1.gz
has unioncard /usr/share/bash-completion/completions/unioncard
has libunioncard0 "/usr/lib/$multi/libunioncard.so.0"
has libunioncard-dev /usr/include/unioncard/ledger.h
has libunioncard-dev "/usr/lib/$multi/libunioncard.so"
has libunioncard-dev "/usr/lib/$multi/libunioncard.a"
has libunioncard-dev "/usr/lib/$multi/pkgconfig/unioncard.pc"
for p in libunioncard0 unioncard libunioncard-dev; do
	hasnt "$p" 'unioncard-vcard'
	hasnt "$p" 'unioncard-pn532emu'
	hasnt "$p" 'vcard\.h'
	hasnt "$p" 'pn532emu\.h'
done
dpkg-deb -f "$TMP/unioncard_${ver}_${arch}.deb" Depends | grep -q libunioncard0 ||
	fail "unioncard does not depend on libunioncard0"
ok "contents: tools, man pages, completion, library, headers; no test tools"

# the installed tools, from the unpacked root
R="$TMP/root"
export LD_LIBRARY_PATH="$R/usr/lib/$multi"
for t in unioncard unioncard-verify; do
	out=$("$R/usr/bin/$t" --version) || fail "installed $t --version exited $?"
	[ "$out" = "$t $ver" ] || fail "installed $t --version: '$out'"
	"$R/usr/bin/$t" --help >"$TMP/help" || fail "installed $t --help exited $?"
	grep -q '^Examples\{0,1\}:' "$TMP/help" || fail "installed $t --help: no example"
done
"$R/usr/bin/unioncard" member import --help | grep -q '^Example' ||
	fail "installed unioncard member import --help"
ldd "$R/usr/bin/unioncard" | grep -q "$R/usr/lib/$multi/libunioncard.so.0" ||
	fail "installed unioncard does not use the packaged libunioncard.so.0"
ok "installed unioncard and unioncard-verify run --version and --help"

# A production build has no test hooks: the environment neither backdates
# the ledger's day nor weakens new password hashes, and the tool says so.
UNIONCARD_LEDGER="$TMP/prod.db" UNIONCARD_PASSWORD="correct horse battery" \
UNIONCARD_KDF_ITERATIONS=1000 UNIONCARD_TODAY=2001-01-01 \
    "$R/usr/bin/unioncard" init --province 52 --name P --admin admin \
    >/dev/null 2>"$TMP/hooks.err" || fail "installed unioncard init: $(cat "$TMP/hooks.err")"
for v in UNIONCARD_KDF_ITERATIONS UNIONCARD_TODAY; do
	grep -q "$v ignored" "$TMP/hooks.err" ||
	    fail "installed unioncard did not say it ignores $v: $(cat "$TMP/hooks.err")"
done
sqlite3 "$TMP/prod.db" "SELECT pw_hash FROM accounts" | grep -q "^pbkdf2-sha256[$]600000[$]" ||
	fail "installed unioncard took UNIONCARD_KDF_ITERATIONS: $(sqlite3 "$TMP/prod.db" "SELECT substr(pw_hash, 1, 24) FROM accounts")"
ok "installed unioncard ignores the test hooks (600,000 iterations kept)"

# a program built against the -dev package
cat >"$TMP/p.c" <<'C'
#include <stdio.h>
#include <unioncard/error.h>
#include <unioncard/verify.h>
int main(void) { puts(uc_strerror(UC_ERR_VERIFY)); return 0; }
C
pc="$R/usr/lib/$multi/pkgconfig"
flags=$(PKG_CONFIG_SYSROOT_DIR="$R" PKG_CONFIG_PATH="$pc" pkg-config --cflags --libs unioncard) ||
	fail "pkg-config unioncard"
# shellcheck disable=SC2086 # the flags are separate words
cc -Wall -Werror -o "$TMP/p" "$TMP/p.c" $flags || fail "compile against libunioncard-dev"
"$TMP/p" >/dev/null || fail "the program linked against libunioncard.so.0 failed"
ok "a program builds with pkg-config unioncard and runs"
