#!/bin/sh
# The station through the real PC/SC stack: our own pcscd with the vpcd
# driver, and a printer's hopper of 20 blank virtual cards behind it
# (`unioncard-vcard hopper --vpcd`: the next card is fed when the station
# powers the current one down).  A request of 20 members is encoded in one
# run; every card is read back by the station and verified again here from
# its state file; the ledger shows 20 encoded cards; the audit chain holds.
. "$(dirname "$0")/../ledger/lib.sh"
VC="$UC_BUILD_DIR/src/tools/unioncard-vcard"
VERIFY="$UC_BUILD_DIR/src/tools/unioncard-verify"
LAUNCH="$UC_BUILD_DIR/tests/e2e/pcscd-launch"
export UNIONCARD_PASSPHRASE="station passphrase"
pcscd_pid=
hopper_pid=
stop_all() {
	[ -n "$hopper_pid" ] && kill "$hopper_pid" 2>/dev/null && wait "$hopper_pid" 2>/dev/null
	[ -n "$pcscd_pid" ] && kill "$pcscd_pid" 2>/dev/null && wait "$pcscd_pid" 2>/dev/null
	rm -rf "$TMP"
}
trap stop_all EXIT

"$UC" init --province 52 --name "LĐLĐ tỉnh Bình Định" --admin admin >/dev/null
uc admin unit add TP --name "LĐLĐ huyện Tuy Phước" --parent 52
uc admin unit add TP01 --name "CĐCS Công ty May Tuy Phước" --parent TP
uc admin account add clerk --unit TP01 --role clerk
uc admin account add approver --unit TP --role approver
uc admin account add printer --unit 52 --role printer
python3 - "$TMP/m.csv" <<'PY'
import sys
given = ["An", "Bình", "Chi", "Dũng", "Đức", "Giang", "Hà", "Hùng", "Khánh",
         "Lan", "Minh", "Nga", "Oanh", "Phúc", "Quân", "Sơn", "Tâm", "Uyên",
         "Vy", "Yến"]
with open(sys.argv[1], "w") as f:
    f.write("full_name,date_of_birth,gender,national_id,position,joined_on,mandatory\n")
    for i, g in enumerate(given):
        f.write("Nguyễn Thị %s,1990-01-%02d,nữ,052190%06d,Công nhân,2015-01-15,0\n"
                % (g, i + 1, i + 1))
PY
uc clerk member import "$TMP/m.csv" --unit TP01 >/dev/null
uc clerk member submit --unit TP01 >/dev/null
uc approver member approve --unit TP01 --all >/dev/null
rid=$(uc clerk request create --unit TP01 --type regular --all-approved)
uc clerk request submit "$rid"
uc approver request approve "$rid"
uc printer request accept "$rid"
"$UC" keys init --dir "$TMP/keys" >/dev/null || fail "keys init"

mkdir "$TMP/pcscd"
"$LAUNCH" "$TMP/pcscd" >"$TMP/pcscd.log" 2>&1 &
pcscd_pid=$!
export PCSCLITE_CSOCK_NAME="$TMP/pcscd/pcscd.comm"
i=0
until "$UC" readers 2>/dev/null | grep -q "Virtual PCD 00 00"; do
	if ! kill -0 "$pcscd_pid" 2>/dev/null; then
		wait "$pcscd_pid"
		[ $? -eq 77 ] && { echo "SKIP: no private pcscd here"; exit 77; }
		fail "pcscd exited: $(cat "$TMP/pcscd.log")"
	fi
	i=$((i + 1)); [ "$i" -lt 100 ] || fail "pcscd did not come up"
	sleep 0.1
done
port=$(cat "$TMP/pcscd/vpcd.port")
mkdir "$TMP/hopper"
"$VC" hopper "$TMP/hopper" --count 20 --keys "$TMP/keys" \
	--vpcd "127.0.0.1:$port" >"$TMP/hopper.log" 2>&1 &
hopper_pid=$!

uc printer encode --request "$rid" --reader 'pcsc:Virtual PCD 00 00' \
	--keys "$TMP/keys" --wait 10 >"$TMP/enc.out" 2>&1 ||
	fail "encode: $(tail -n 5 "$TMP/enc.out")"
grep -q "20 encoded now" "$TMP/enc.out" || fail "encode: $(tail -n 3 "$TMP/enc.out")"
uc printer card list --request "$rid" --json >"$TMP/c.json"
[ "$(jq '[.[] | select(.status == "encoded")] | length' "$TMP/c.json")" = 20 ] ||
	fail "20 encoded: $(cat "$TMP/c.json")"
[ "$(jq 'length' "$TMP/c.json")" = 20 ] || fail "extra cards: $(cat "$TMP/c.json")"
ok "20 members encoded in one run through pcscd + vpcd"

n=0
for f in "$TMP"/hopper/card-*.json; do
	"$VERIFY" --reader "vcard:$f" --trust "$TMP/keys/root.pem" >/dev/null ||
		fail "$f does not verify"
	n=$((n + 1))
done
[ "$n" = 20 ] || fail "$n cards in the hopper"
uc admin audit verify >/dev/null || fail "audit verify"
ok "all 20 cards verify; the audit chain holds"
