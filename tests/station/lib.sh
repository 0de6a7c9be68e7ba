# shellcheck shell=sh
# Shared by the station's tear and kill tests: a ledger with one accepted
# request, saved once and copied for every case, the cases to run, the run
# with a fault injected and the run after it, and the check that the
# ledger and the cards agree after the station has run to completion.
. "$(dirname "$0")/../ledger/lib.sh"
VC="$UC_BUILD_DIR/src/tools/unioncard-vcard"
export UNIONCARD_PASSPHRASE="station passphrase"
unset UNIONCARD_VCARD_TEAR_AT UNIONCARD_TEST_KILL_AT || true
# the request type: the test script's first argument
STATION_TYPE=${1:-regular}
case "$STATION_TYPE" in
regular) LINKED= ;;
linked) LINKED=--linked ;;
*) fail "STATION_TYPE=$STATION_TYPE: regular or linked" ;;
esac

# station_setup N: a ledger with an accepted request for N members ($RID),
# of type $STATION_TYPE (regular, or linked: every card a bank card),
# saved as $TMP/base.db; keys in $TMP/keys (and foreign ones in
# $TMP/other); blank cards to copy from in $TMP/blank (card-0001..0004),
# one made for the foreign keys, $TMP/foreign.json, and a dead one (its
# secure channel blocked: no key opens it, so the station spoils it),
# $TMP/dead.json.
station_setup() {
	"$UC" init --province 52 --name "LĐLĐ tỉnh Bình Định" \
	    --admin admin >/dev/null
	uc admin unit add TP01 --name "CĐCS Trường THPT Tuy Phước" --parent 52
	uc admin account add clerk --unit TP01 --role clerk --password-file "$PWFILE"
	uc admin account add approver --unit 52 --role approver --password-file "$PWFILE"
	uc admin account add printer --unit 52 --role printer --password-file "$PWFILE"
	{
		echo "full_name,date_of_birth,gender,national_id,position,joined_on,mandatory"
		echo "Huỳnh Lê Diễm Tuyết,12/03/1985,nữ,052185000123,Phó Chủ tịch,2010-05-01,1"
		echo "Nguyễn Văn Đức,1990-06-05,nam,052090000789,Giáo viên,2015-01-15,0"
	} | head -n $(($1 + 1)) >"$TMP/m.csv"
	uc clerk member import "$TMP/m.csv" --unit TP01 >/dev/null
	uc clerk member submit --unit TP01 >/dev/null
	uc approver member approve --unit TP01 --all >/dev/null
	RID=$(uc clerk request create --unit TP01 --type "$STATION_TYPE" \
	    --all-approved)
	uc clerk request submit "$RID"
	uc approver request approve "$RID"
	uc printer request accept "$RID"
	[ "$(uc printer request show "$RID" --json | jq '.lines | length')" \
	    = "$1" ] || fail "setup: the request has not $1 lines"
	"$UC" keys init --dir "$TMP/keys" >/dev/null || fail "keys init"
	"$UC" keys init --dir "$TMP/other" >/dev/null || fail "keys init"
	mkdir "$TMP/blank"
	"$VC" hopper "$TMP/blank" --count 4 --keys "$TMP/keys" $LINKED \
	    >/dev/null || fail "hopper"
	"$VC" new "$TMP/foreign.json" --keys "$TMP/other" $LINKED >/dev/null ||
		fail "foreign card"
	"$VC" new "$TMP/dead.json" --keys "$TMP/keys" $LINKED >/dev/null &&
	    jq '.counters.auth_tries_left = 0' "$TMP/dead.json" \
	    >"$TMP/dead.tmp" && mv "$TMP/dead.tmp" "$TMP/dead.json" ||
		fail "dead card"
	cp "$UNIONCARD_LEDGER" "$TMP/base.db"
}

# cases MAX MODE: the case numbers K to run in MODE, one a line: every K
# in 1..MAX, except with UC_TEST_SAMPLE=1 (scripts/test sets it for the
# sanitizer build, where each case costs three times as much): then half
# of them, alternating, so that every K still runs in one of the two
# modes.
cases() {
	k=1
	while [ "$k" -le "$1" ]; do
		if [ "${UC_TEST_SAMPLE:-0}" != 1 ]; then
			echo "$k"
		else
			case "$2" in
			before) [ $((k % 2)) = 0 ] || echo "$k" ;;
			*) [ $((k % 2)) = 1 ] || echo "$k" ;;
			esac
		fi
		k=$((k + 1))
	done
}

# fresh_ledger: the saved ledger again, nothing of an earlier case left
fresh_ledger() {
	rm -f "$UNIONCARD_LEDGER" "$UNIONCARD_LEDGER-wal" \
	    "$UNIONCARD_LEDGER-shm"
	cp "$TMP/base.db" "$UNIONCARD_LEDGER"
}

# encode HOPPER: run the station once; its exit status in $rc, its output
# in $TMP/enc.out.  Never fails by itself.
encode() {
	set +e
	"$UC" --as printer encode --request "$RID" --reader "vcard:$1" \
	    --keys "$TMP/keys" --wait 1 >"$TMP/enc.out" 2>&1
	rc=$?
	set -e
}

# encode_injected VAR K:MODE HOPPER: encode HOPPER once with the fault
# variable VAR (UNIONCARD_VCARD_TEAR_AT, UNIONCARD_TEST_KILL_AT) set to
# K:MODE for that run only.
encode_injected() {
	eval "$1=\$2"
	# shellcheck disable=SC2163 # exports the variable named by $1
	export "$1"
	encode "$3"
	unset "$1"
}

# rerun LABEL HOPPER DIR...: the station again on HOPPER, which must
# finish (exit 0), then check_invariants LABEL DIR...
rerun() {
	rerun_label=$1
	encode "$2"
	shift 2
	[ "$rc" = 0 ] || fail "$rerun_label: the second run exited $rc:" \
	    "$(cat "$TMP/enc.out")"
	check_invariants "$rerun_label" "$@"
}

# check_invariants LABEL DIR...: after a run to completion, the ledger and
# the cards in the hoppers DIR... (every card the station ever saw) agree
# (check_invariants.py says what that means), the ledger opens and its
# audit chain verifies.
check_invariants() {
	inv_label=$1
	shift
	python3 "$(dirname "$0")/check_invariants.py" "$UNIONCARD_LEDGER" \
	    "$RID" "$@" >"$TMP/inv.out" 2>&1 ||
		fail "$inv_label: $(cat "$TMP/inv.out")"
	uc admin audit verify >/dev/null || fail "$inv_label: audit verify"
}
