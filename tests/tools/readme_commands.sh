#!/bin/sh
# The README's user sections as a new user meets them on a fresh clone.
#
# 1. Its install step: 'meson install' (into a temp root: nothing is
#    installed on the machine) puts unioncard and unioncard-verify on PATH
#    and not the test tools; its "or put the build on PATH" line works as
#    written.
# 2. Every command line of every sh block under "How each user does their
#    job" names a real command path, and every option it gives is one that
#    path's help lists ('unioncard help PATH', 'unioncard-verify --help').
# 3. The blocks run in order, as written, with the installed tools, in a
#    scratch copy of the clone's layout.  What differs from a real site,
#    and only that: /srv/unioncard and /etc/unioncard are directories
#    under the temp dir; the readers ('pcsc:Evolis', 'pcsc:ACS ACR39U',
#    'pcsc:ACS') are virtual cards; root.pem and today.usl are made as the
#    section's prose says.  Lines that cannot run here are only checked
#    (2.): 'unioncard-verify --watch' (runs until stopped) and the bank
#    liaison's block (needs the bank's file of a linked request).
set -eu

B="${UC_BUILD_DIR:?}"
S="${UC_SOURCE_DIR:?}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/uc-readme.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

# ---- 1. the install step ------------------------------------------------
grep -q '^meson install -C build' "$S/README.md" ||
	fail "README has no 'meson install -C build' step"
meson install -C "$B" --destdir "$TMP/root" --no-rebuild >"$TMP/install.log" 2>&1 ||
	{ cat "$TMP/install.log" >&2; fail "meson install"; }
prefix=$(meson introspect "$B" --buildoptions |
	jq -r '.[] | select(.name == "prefix") | .value')
libdir=$(meson introspect "$B" --buildoptions |
	jq -r '.[] | select(.name == "libdir") | .value')
bin="$TMP/root$prefix/bin"
# the tools' run path names $prefix/$libdir, which is under the temp root
export LD_LIBRARY_PATH="$TMP/root$prefix/$libdir"
for t in unioncard unioncard-verify; do
	[ -x "$bin/$t" ] || fail "meson install did not install $t in $prefix/bin"
done
install_test_tools=$(meson introspect "$B" --buildoptions |
	jq -r '.[] | select(.name == "install_test_tools") | .value')
if [ "$install_test_tools" = false ]; then
	for t in unioncard-vcard unioncard-pn532emu; do
		[ ! -e "$bin/$t" ] || fail "meson install installed the test tool $t"
	done
fi
[ -f "$TMP/root$prefix/share/man/man1/unioncard.1" ] || fail "no man page"

# the README's PATH line, as written, from a clone whose build is ./build
mkdir "$TMP/clone"
ln -s "$B" "$TMP/clone/build"
ln -s "$S/docs" "$TMP/clone/docs"
line=$(grep '^export PATH=' "$S/README.md" | head -1)
[ -n "$line" ] || fail "README has no 'export PATH=' line"
got=$(cd "$TMP/clone" && eval "$line" && command -v unioncard)
[ "$got" = "$TMP/clone/build/src/tools/unioncard" ] ||
	fail "after '$line': unioncard is '$got'"
ok "install step: tools in $prefix/bin (no test tools), the PATH line works"

PATH="$bin:$PATH"
export PATH
[ "$(command -v unioncard)" = "$bin/unioncard" ] || fail "unioncard not first on PATH"
VC="$B/src/tools/unioncard-vcard"   # the virtual cards: a test tool

# ---- the user section's sh blocks ---------------------------------------
# One line per command: "BLOCK<TAB>TEXT"; a line ending in \ is joined.
awk '
	/^## How each user does their job/ { on = 1; next }
	/^## / { on = 0 }
	# the records example is run as written by tests/ledger/e2e_records.sh
	# on the ledger it is written for (scripts/demo up to its step 3):
	# here its commands are only checked (block number 0)
	on && /^<!-- records-example -->$/ { records = 1; next }
	# the next block needs what a test cannot have (a card printer):
	# its commands are only checked too
	on && /^<!-- checked-only/ { only = 1; next }
	on && /^<!-- \/records-example -->$/ { records = 0; next }
	on && /^```sh$/ { inblock = 1; if (!records && !only) block++; next }
	on && /^```/ { inblock = 0; only = 0; next }
	on && inblock {
		if (sub(/\\$/, "")) { held = held $0; next }
		print (records || only ? 0 : block) "\t" held $0; held = ""
	}
' "$S/README.md" >"$TMP/lines"
[ "$(wc -l <"$TMP/lines")" -ge 20 ] ||
	fail "found only $(wc -l <"$TMP/lines") command lines in the README"

# ---- 2. each command path exists and takes the options given --------------
"$bin/unioncard" help --list >"$TMP/paths"
checked=0
rid=''   # the lines' one variable, set by the clerks' block when run
while IFS="$(printf '\t')" read -r _ text; do
	# the words of the line, with its variables empty and its comment cut
	# shellcheck disable=SC2016 # the sed pattern matches a literal "$("
	cmd=$(printf '%s\n' "$text" | sed -e 's/  *#.*$//' -e 's/^[a-z]*=\$(//' \
	    -e 's/)$//' -e 's/ *[<>|].*$//')
	eval "set -- $cmd" 2>/dev/null || fail "cannot read the line: $text"
	tool=$1; shift
	case $tool in
	unioncard)
		while [ $# -gt 0 ]; do # global options
			case $1 in
			--as|--ledger|--trace) shift 2 ;;
			--json|-q|--quiet) shift ;;
			*) break ;;
			esac
		done
		path=""
		while [ $# -gt 0 ] &&
		    grep -qx "${path:+$path }$1" "$TMP/paths"; do
			path="${path:+$path }$1"; shift
		done
		[ -n "$path" ] || fail "README: no such command: $text"
		# shellcheck disable=SC2086 # the path's words
		"$bin/unioncard" help $path >"$TMP/help" 2>&1 ||
			fail "README: 'unioncard help $path' failed: $text"
		;;
	unioncard-verify)
		path=unioncard-verify
		"$bin/unioncard-verify" --help >"$TMP/help"
		;;
	*) continue ;;   # install, export: run below
	esac
	for a in "$@"; do
		case $a in
		--*) grep -qE -- "$a([^a-z-]|$)" "$TMP/help" ||
			fail "README: '$path' does not take $a: $text" ;;
		esac
	done
	checked=$((checked + 1))
done <"$TMP/lines"
ok "$checked README commands: each command path exists and takes its options"
rid=''

# ---- 3. run the blocks in order -----------------------------------------
cd "$TMP/clone"
export UNIONCARD_PASSWORD="correct horse battery staple"
export UNIONCARD_PASSPHRASE="a passphrase for the keys"
# cheap password hashes for tests: a test hook (-Dtest_hooks=true builds)
if grep -q '^#define UC_TEST_HOOKS 1' "$UC_BUILD_DIR/config.h"; then
	export UNIONCARD_KDF_ITERATIONS=1000
fi
unset UNIONCARD_LEDGER UNIONCARD_NEW_PASSWORD || true
site="$TMP/site"
mkdir -p "$site"

# what the prose around the blocks says to have at hand
prepare() { # the command line about to run
	case $1 in
	*"--password-file "*)
		# the new account's own password, in the file the admin hands
		# over (the same text as the tests' UNIONCARD_PASSWORD)
		pwf=$(printf '%s\n' "$1" | sed 's/.*--password-file \([^ ]*\).*/\1/')
		[ -f "$pwf" ] || printf '%s\n' "$UNIONCARD_PASSWORD" >"$pwf" ;;
	*"encode --request"*)
		"$VC" hopper "$TMP/cards" --count 3 \
		    --keys "$site/etc/unioncard/keys" >/dev/null ;;
	*"unioncard perso"*)
		"$VC" new "$TMP/blank.json" \
		    --keys "$site/etc/unioncard/keys" >/dev/null ;;
	*"unioncard-verify --reader"*)
		[ -f root.pem ] && return 0
		cp "$site/etc/unioncard/keys/root.pem" root.pem
		unioncard --as printer status-list export --out today.usl \
		    --keys "$site/etc/unioncard/keys" 2>/dev/null ;;
	esac
}

ran=0
while IFS="$(printf '\t')" read -r block text; do
	[ "$block" != 0 ] || continue   # checked above, run by e2e_records
	case $text in
	*"--watch"*|*" bank "*) continue ;;   # checked above, not run
	esac
	run=$(printf '%s\n' "$text" | sed \
	    -e "s|/srv/unioncard|$site/srv/unioncard|g" \
	    -e "s|/etc/unioncard|$site/etc/unioncard|g" \
	    -e "s|'pcsc:Evolis'|vcard:$TMP/cards|" \
	    -e "s|'pcsc:ACS ACR39U'|vcard:$TMP/blank.json|" \
	    -e "s|'pcsc:ACS'|vcard:$TMP/cards/card-0001.json|")
	prepare "$text"
	rc=0
	eval "$run" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ "$rc" = 0 ] || { cat "$TMP/out" "$TMP/err" >&2;
		fail "README block $block: '$text' exited $rc"; }
	ran=$((ran + 1))
	case $text in
	*"report progress --json"*)
		jq -e '.[] | select(.unit == "TP01") | .approved == 3' "$TMP/out" \
		    >/dev/null || fail "progress: TP01 has not 3 approved members"
		;;
	*"card list --request"*)
		[ "$(grep -c '	encoded$' "$TMP/out")" = 3 ] ||
			fail "card list: not 3 encoded cards: $(cat "$TMP/out")"
		;;
	*"unioncard perso"*)
		grep -q . "$TMP/out" "$TMP/err" || fail "perso said nothing"
		;;
	"unioncard-verify --reader 'pcsc:ACS' --trust root.pem --status-list today.usl")
		grep -q '^VALID' "$TMP/out" || fail "verify: $(cat "$TMP/out")"
		;;
	esac
done <"$TMP/lines"
[ -n "$rid" ] || fail "the clerks' block set no \$rid"
ok "$ran README commands ran as written: ledger set up, request $rid encoded on 3 virtual cards, one card personalized, one verified VALID"
