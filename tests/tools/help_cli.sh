#!/bin/sh
# Every subcommand of unioncard answers --help with an example, and every
# subcommand the tools' sources dispatch on has an entry in the help table
# (src/tools/help.c), so a command added without its help is caught here.
# Then: 'help COMMAND', --version on every tool, and options that used to
# be ignored are refused (or honoured) as the user would see it.
set -eu

B="${UC_BUILD_DIR:?}/src/tools"
S="${UC_SOURCE_DIR:?}"
UC="$B/unioncard"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/uc-help.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

"$UC" help --list >"$TMP/paths"
[ "$(wc -l <"$TMP/paths")" -ge 40 ] || fail "help --list lists too few paths"

# 1. each path: --help exits 0 with an Example line, and 'help PATH' says
# the same.
n=0
while IFS= read -r path; do
	# shellcheck disable=SC2086 # the path's words are separate arguments
	"$UC" $path --help >"$TMP/h1" 2>"$TMP/e1" ||
		fail "'unioncard $path --help' exited $?: $(cat "$TMP/e1")"
	grep -q '^Examples\{0,1\}:' "$TMP/h1" ||
		fail "'unioncard $path --help' has no Example line"
	grep -q '^Usage: ' "$TMP/h1" || fail "'unioncard $path --help': no Usage"
	# shellcheck disable=SC2086
	"$UC" help $path >"$TMP/h2" || fail "'unioncard help $path' exited $?"
	cmp -s "$TMP/h1" "$TMP/h2" || fail "'help $path' differs from '$path --help'"
	n=$((n + 1))
done <"$TMP/paths"
ok "$n command paths: --help exits 0 with an example; help PATH the same"

# 2. every subcommand the sources know has an entry.  A group is a path
# with subcommands in the table; its subcommands are found twice: in the
# usage lines ("unioncard [--as USER] GROUP SUB|SUB2 ...") and in the
# dispatch (strcmp(sub, "SUB")) of src/tools/cmd_*.c.
awk '{ sub(/ .*/, ""); print }' "$TMP/paths" | sort | uniq -d >"$TMP/groups"
grep -ohE 'unioncard( \[?--[a-z]+ [^ ]+\]?)* [a-z][a-z-]* [a-z][a-z|-]*' \
    "$S"/src/tools/cmd_*.c |
	sed -E 's/^unioncard( \[?--[a-z]+ [^ ]+\]?)* //' >"$TMP/usage-pairs"
missing=""
while read -r group subs; do
	grep -qx "$group" "$TMP/groups" || continue
	for sub in $(echo "$subs" | tr '|' ' '); do
		grep -qx "$group $sub" "$TMP/paths" ||
			missing="$missing '$group $sub'"
	done
done <"$TMP/usage-pairs"
[ -z "$missing" ] || fail "usage texts name subcommands without a help entry:$missing"
grep -ohE 'strcmp\((sub|argv\[1\]), "[a-z][a-z-]*"\)' "$S"/src/tools/cmd_*.c |
	sed -E 's/.*"(.*)".*/\1/' | sort -u >"$TMP/dispatched"
while read -r sub; do
	grep -qE "(^| )$sub\$" "$TMP/paths" || missing="$missing '$sub'"
done <"$TMP/dispatched"
[ -z "$missing" ] || fail "subcommands dispatched without a help entry:$missing"
ok "$(wc -l <"$TMP/dispatched") dispatched subcommands all have help entries"

# 3. a word the table does not know falls back to the command's own usage.
"$UC" member no-such-thing --help >"$TMP/h" || fail "fallback exited $?"
grep -q 'member import' "$TMP/h" || fail "fallback is not member's usage"
"$UC" help bogus 2>"$TMP/e" && fail "help bogus exited 0"
grep -q "unknown command 'bogus'" "$TMP/e" || fail "help bogus: $(cat "$TMP/e")"
"$UC" help >"$TMP/h" && grep -q '^Commands:' "$TMP/h" || fail "bare help"
ok "fallback to the command's own usage; unknown command named"

# 4. --version on every tool.
for t in unioncard unioncard-verify unioncard-vcard unioncard-pn532emu; do
	v=$("$B/$t" --version) || fail "$t --version exited $?"
	echo "$v" | grep -Eqx "$t [0-9]+\.[0-9]+\.[0-9]+" ||
		fail "$t --version printed '$v'"
	"$B/$t" --help >"$TMP/h" || fail "$t --help exited $?"
	grep -q '^Examples\{0,1\}:' "$TMP/h" || fail "$t --help: no example"
done
ok "--version and --help on the four tools"

# 5. options are not ignored: refused, naming what is allowed, before the
# ledger is touched; --csv where it is listed is honoured.
export UNIONCARD_LEDGER="$TMP/ledger.db"
export UNIONCARD_PASSWORD="correct horse battery"
# cheap password hashes: a test hook (-Dtest_hooks=true builds)
if grep -q '^#define UC_TEST_HOOKS 1' "$UC_BUILD_DIR/config.h"; then
	export UNIONCARD_KDF_ITERATIONS=1000
fi
"$UC" init --province 52 --name "LĐLĐ tỉnh Bình Định" --admin admin 2>/dev/null
set +e
"$UC" --as admin member list --unit 52 --status bogus >"$TMP/o" 2>"$TMP/e"
rc=$?
set -e
[ "$rc" = 2 ] || fail "member list --status bogus exited $rc"
grep -q "'bogus' is not one of entered|submitted|approved|rejected" "$TMP/e" ||
	fail "--status bogus: $(cat "$TMP/e")"
[ ! -s "$TMP/o" ] || fail "--status bogus printed a listing"
set +e
"$UC" --as admin report fees --unit 52 >"$TMP/o" 2>"$TMP/e"
rc=$?
set -e
[ "$rc" = 2 ] || fail "report fees --unit exited $rc"
grep -q "report fees: unknown option '--unit' (options: --unpaid, --json, --csv)" "$TMP/e" ||
	fail "report fees --unit: $(cat "$TMP/e")"
"$UC" --as admin report fees --csv >"$TMP/o"
[ "$(head -1 "$TMP/o" | tr -d "\r")" = "period,unit,payer,lines,total_vnd" ] ||
	fail "report fees --csv: $(head -1 "$TMP/o")"
"$UC" --as admin report cards --csv >"$TMP/o"
[ "$(head -1 "$TMP/o" | tr -d "\r")" = "status,count" ] || fail "report cards --csv"
set +e
"$UC" --as admin report fees --csv --json >"$TMP/o" 2>"$TMP/e"
rc=$?
set -e
[ "$rc" = 2 ] || fail "report fees --csv --json exited $rc"
set +e
"$UC" --as admin unit list TP01 >"$TMP/o" 2>"$TMP/e"
rc=$?
set -e
[ "$rc" = 2 ] || fail "unit list TP01 exited $rc"
grep -q "unit list: unexpected argument 'TP01'" "$TMP/e" ||
	fail "unit list TP01: $(cat "$TMP/e")"
"$UC" --as admin unit list --json >"$TMP/o"
[ "$(wc -l <"$TMP/o")" = 1 ] || fail "unit list --json is not one line"
jq -e 'length == 1' "$TMP/o" >/dev/null || fail "unit list --json"
ok "unknown options, values and extra arguments refused naming the allowed ones; --csv honoured; JSON on one line"

# 6. bash completion (docs/completion/unioncard, installed by meson
# install) completes from the same table, with the tools on PATH.
bc=/usr/share/bash-completion/bash_completion
[ -f "$bc" ] || fail "$bc missing: run scripts/deps (bash-completion)"
PATH="$B:$PATH" bash -c '
	. "$1"; . "$2/docs/completion/unioncard"
	t() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}; "$F"; echo "${COMPREPLY[*]}"; }
	F=_unioncard t unioncard mem
	F=_unioncard t unioncard member im
	F=_unioncard t unioncard --as admin member list --st
	F=_unioncard t unioncard bank ""
	F=_unioncard_verify t unioncard-verify --status-l
' sh "$bc" "$S" >"$TMP/comp"
printf '%s\n' member import --status "export import imports reconcile" --status-list |
	cmp -s - "$TMP/comp" || fail "completion: $(cat "$TMP/comp")"
ok "bash completion of commands, subcommands and options"

# 7. one man page per tool (docs/man), with examples, naming what the
# tool's own help names: every command of unioncard, every option of the
# others.
for t in unioncard unioncard-verify unioncard-vcard unioncard-pn532emu; do
	page="$S/docs/man/$t.1"
	[ -f "$page" ] || fail "no man page docs/man/$t.1"
	grep -q '^\.SH EXAMPLES' "$page" || fail "$t.1 has no EXAMPLES"
	# the page's text without roff's escaped hyphens
	sed 's/\\-/-/g' "$page" >"$TMP/page"
	if [ "$t" = unioncard ]; then
		words=$(awk '{ print $1 }' "$TMP/paths" | sort -u)
	else
		words=$("$B/$t" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u)
	fi
	for w in $words; do
		grep -qE -- "(^|[^a-z-])$w([^a-z-]|$)" "$TMP/page" ||
			fail "$t.1 does not mention $w"
	done
done
ok "a man page per tool with examples, naming every command and option"
