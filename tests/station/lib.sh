# Shared by the station's tear and kill tests: a ledger with one accepted
# request, saved once and copied for every case, and the check that the
# ledger and the cards agree after the station has run to completion.
. "$(dirname "$0")/../ledger/lib.sh"
VC="$UC_BUILD_DIR/src/tools/unioncard-vcard"
export UNIONCARD_PASSPHRASE="station passphrase"
unset UNIONCARD_VCARD_TEAR_AT UNIONCARD_TEST_KILL_AT || true

# station_setup N: a ledger with an accepted request for N members ($RID),
# saved as $TMP/base.db; keys in $TMP/keys (and foreign ones in
# $TMP/other); blank cards to copy from in $TMP/blank (card-0001..0004)
# and one made for the foreign keys, $TMP/foreign.json.
station_setup() {
	"$UC" init --province 52 --name "LĐLĐ tỉnh Bình Định" \
	    --admin admin >/dev/null
	uc admin unit add TP01 --name "CĐCS Trường THPT Tuy Phước" --parent 52
	uc admin account add clerk --unit TP01 --role clerk
	uc admin account add approver --unit 52 --role approver
	uc admin account add printer --unit 52 --role printer
	{
		echo "full_name,date_of_birth,gender,national_id,position,joined_on,mandatory"
		echo "Huỳnh Lê Diễm Tuyết,12/03/1985,nữ,052185000123,Phó Chủ tịch,2010-05-01,1"
		echo "Nguyễn Văn Đức,1990-06-05,nam,052090000789,Giáo viên,2015-01-15,0"
	} | head -n $(($1 + 1)) >"$TMP/m.csv"
	uc clerk member import "$TMP/m.csv" --unit TP01 >/dev/null
	uc clerk member submit --unit TP01 >/dev/null
	uc approver member approve --unit TP01 --all >/dev/null
	RID=$(uc clerk request create --unit TP01 --type regular \
	    --all-approved)
	uc clerk request submit "$RID"
	uc approver request approve "$RID"
	uc printer request accept "$RID"
	[ "$(uc printer request show "$RID" --json | jq '.lines | length')" \
	    = "$1" ] || fail "setup: the request has not $1 lines"
	"$UC" keys init --dir "$TMP/keys" >/dev/null || fail "keys init"
	"$UC" keys init --dir "$TMP/other" >/dev/null || fail "keys init"
	mkdir "$TMP/blank"
	"$VC" hopper "$TMP/blank" --count 4 --keys "$TMP/keys" >/dev/null ||
		fail "hopper"
	"$VC" new "$TMP/foreign.json" --keys "$TMP/other" >/dev/null ||
		fail "foreign card"
	cp "$UNIONCARD_LEDGER" "$TMP/base.db"
}

# fresh_ledger: the saved ledger again, nothing of an earlier case left
fresh_ledger() {
	rm -f "$UNIONCARD_LEDGER" "$UNIONCARD_LEDGER-wal" \
	    "$UNIONCARD_LEDGER-shm" "$UNIONCARD_LEDGER.station.lock"
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

# check_invariants LABEL DIR: after a run to completion, the ledger and the
# cards in hopper DIR (every card the station ever saw) agree:
#   - every member of the request has exactly one live card (encoded or
#     issued); every other card of the request is spoiled with a reason;
#     no card is left reserved;
#   - the live card's chip is in DIR, PERSONALIZED, and carries that
#     member and that ledger serial in E1;
#   - no other chip, in any state, carries a live serial; a PERSONALIZED
#     chip carries only a serial the ledger has spoiled for that member;
#   - the ledger opens and its audit chain verifies.
check_invariants() {
	inv_label=$1
	inv_dir=$2
	uc printer request show "$RID" --json >"$TMP/inv.json" ||
		fail "$inv_label: request show"
	jq -r '.lines[].member_code' "$TMP/inv.json" >"$TMP/inv-members"
	uc printer card list --request "$RID" --json >"$TMP/inv.json" ||
		fail "$inv_label: card list"
	# serial, member, status, chip, length of the reason
	: >"$TMP/inv-ledger"
	for inv_s in $(jq -r '.[].serial' "$TMP/inv.json"); do
		uc printer card show "$inv_s" >"$TMP/inv.json" ||
			fail "$inv_label: card show $inv_s"
		jq -r '[.serial, .member_code, .status, .chip_serial // "-",
		    (.reason // "" | length)] | @tsv' "$TMP/inv.json" \
		    >>"$TMP/inv-ledger"
	done
	# chip serial, lifecycle, ledger serial in E1, member in E1
	: >"$TMP/inv-chips"
	for inv_f in "$inv_dir"/*.json; do
		"$VC" show "$inv_f" --json >"$TMP/inv.json" ||
			fail "$inv_label: $inv_f does not load"
		jq -r '[.serial, .lifecycle, .identity.ledger_serial // "-",
		    .identity.member_code // "-"] | @tsv' "$TMP/inv.json" \
		    >>"$TMP/inv-chips"
	done
	awk -F '\t' '
	FILENAME == ARGV[1] { members[$1] = 1; nm++; next }
	FILENAME == ARGV[2] {
		mem[$1] = $2; st[$1] = $3; chip[$1] = $4
		if ($3 == "encoded" || $3 == "issued") {
			live[$2]++; live_serial[$1] = 1; live_chip[$4] = $1
		} else if ($3 != "spoiled") {
			print "card " $1 " is left " $3
		} else if ($5 == 0) {
			print "spoiled card " $1 " has no reason"
		}
		next
	}
	$1 in live_chip && $3 != live_chip[$1] {
		print "chip " $1 ", the ledger\x27s chip of live card " \
		    live_chip[$1] ", carries " $3 " (" $2 ")"
	}
	$3 == "-" { next }
	$3 in live_serial {
		if ($1 != chip[$3])
			print "chip " $1 " (" $2 ") carries live card " $3 \
			    ", which the ledger has on chip " chip[$3]
		else if ($2 != "PERSONALIZED" || $4 != mem[$3])
			print "live card " $3 " on chip " $1 " is " $2 \
			    " for member " $4 ", not " mem[$3]
		else
			found++
		next
	}
	$2 == "PERSONALIZED" && (st[$3] != "spoiled" || mem[$3] != $4) {
		print "locked chip " $1 " carries card " $3 " for " $4 \
		    ", which the ledger has as \"" st[$3] "\""
	}
	END {
		for (m in members)
			if (live[m] != 1)
				print "member " m " has " live[m] + 0 \
				    " live cards"
		if (found != nm)
			print found + 0 " of " nm " live cards are on a chip"
	}' "$TMP/inv-members" "$TMP/inv-ledger" "$TMP/inv-chips" \
	    >"$TMP/inv-errors"
	[ ! -s "$TMP/inv-errors" ] || fail "$inv_label: $(cat \
	    "$TMP/inv-errors"; cat "$TMP/inv-ledger" "$TMP/inv-chips")"
	uc admin audit verify >/dev/null || fail "$inv_label: audit verify"
}
