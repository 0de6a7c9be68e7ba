#!/bin/sh
# The station through the real PC/SC stack: our own pcscd with the vpcd
# driver, and a printer's hopper of 20 blank virtual cards behind it
# (`unioncard-vcard hopper --vpcd`: the next card is fed when the station
# powers the current one down).  A request of 20 members is encoded in one
# run; every card is read back by the station and verified again here from
# its state file; the ledger shows 20 encoded cards; the audit chain holds.
# Then Ctrl-C while the station waits for a card, and the resumed run.
. "$(dirname "$0")/../ledger/lib.sh"
VC="$UC_BUILD_DIR/src/tools/unioncard-vcard"
VERIFY="$UC_BUILD_DIR/src/tools/unioncard-verify"
. "$(dirname "$0")/../e2e/pcscd-lib.sh"
export UNIONCARD_PASSPHRASE="station passphrase"
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
uc admin account add clerk --unit TP01 --role clerk --password-file "$PWFILE"
uc admin account add approver --unit TP --role approver --password-file "$PWFILE"
uc admin account add printer --unit 52 --role printer --password-file "$PWFILE"
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

pcscd_start
port=$VPCD_PORT
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

# Ctrl-C while the station waits for a card: it stops at once (not after
# --wait), says what is done and how to resume; the same command on a new
# hopper finishes the request, nothing doubled.
cat >"$TMP/m2.csv" <<'CSV'
full_name,date_of_birth,gender,national_id,position,joined_on,mandatory
Trần Văn Dừng,1991-02-02,nam,052091000901,Công nhân,2016-01-15,0
Lê Thị Ngừng,1992-03-03,nữ,052192000902,Công nhân,2017-01-15,0
CSV
uc clerk member import "$TMP/m2.csv" --unit TP01 >/dev/null
uc clerk member submit --unit TP01 >/dev/null
uc approver member approve --unit TP01 --all >/dev/null
codes2=$(uc clerk member list --unit TP01 --json |
	jq -r '.[] | select(.full_name | test("Dừng|Ngừng")) | .member_code' |
	paste -sd, -)
rid2=$(uc clerk request create --unit TP01 --type regular --members "$codes2")
uc clerk request submit "$rid2"
uc approver request approve "$rid2"
uc printer request accept "$rid2"
wait "$hopper_pid" 2>/dev/null || true
mkdir "$TMP/hopper2"
"$VC" hopper "$TMP/hopper2" --count 1 --keys "$TMP/keys" \
	--vpcd "127.0.0.1:$port" >"$TMP/hopper2.log" 2>&1 &
hopper_pid=$!
"$UC" --as printer encode --request "$rid2" --reader 'pcsc:Virtual PCD 00 00' \
	--keys "$TMP/keys" --wait 60 >"$TMP/stop.out" 2>"$TMP/stop.err" &
enc_pid=$!
i=0
until grep -q '^\[2/2\] insert a blank card' "$TMP/stop.out"; do
	kill -0 "$enc_pid" 2>/dev/null ||
		fail "encode ended early: $(cat "$TMP/stop.out" "$TMP/stop.err")"
	i=$((i + 1)); [ "$i" -lt 200 ] || fail "no second card asked for"
	sleep 0.05
done
# While it waits: the password and the passphrase it read are gone from
# its environment (/proc shows its initial block as it is now), and it
# can dump no core.
if [ "$(id -u)" = 0 ]; then
	tr '\0' '\n' </proc/$enc_pid/environ >"$TMP/environ"
	grep -q "^UNIONCARD_LEDGER=" "$TMP/environ" || fail "no environment read"
	! grep -q "$UNIONCARD_PASSWORD\|$UNIONCARD_PASSPHRASE\|UNIONCARD_PASSWORD=\|UNIONCARD_PASSPHRASE=" \
	    "$TMP/environ" || fail "a secret is still in the station's environment"
else
	# Not root: a process that is not dumpable hides its environment.
	! cat /proc/$enc_pid/environ >/dev/null 2>&1 ||
		fail "the station's environment is readable: it is dumpable"
fi
grep -q "^Max core file size *0 *0 " /proc/$enc_pid/limits ||
	fail "core dumps: $(grep core /proc/$enc_pid/limits)"
ok "a waiting station: no password nor passphrase in its environment, no" \
    "core dumps"
t0=$(date +%s)
kill -INT "$enc_pid"
set +e
wait "$enc_pid"
rc=$?
set -e
t1=$(date +%s)
[ "$rc" = 2 ] || fail "exit $rc after Ctrl-C: $(cat "$TMP/stop.err")"
[ $((t1 - t0)) -le 3 ] || fail "Ctrl-C took $((t1 - t0)) s to stop the wait"
grep -q "stopped by Ctrl-C (SIGINT); no card was left half-done: 1 of 2 members have a card" \
	"$TMP/stop.err" || fail "stop message: $(cat "$TMP/stop.err")"
grep -q "Run the same command again to resume" "$TMP/stop.err" ||
	fail "no resume hint: $(cat "$TMP/stop.err")"
grep -q "1 encoded now" "$TMP/stop.out" || fail "summary: $(cat "$TMP/stop.out")"
[ "$(uc printer card list --request "$rid2" --json |
    jq '[.[] | select(.status == "encoded")] | length')" = 1 ] ||
	fail "after Ctrl-C: $(uc printer card list --request "$rid2" --json)"
wait "$hopper_pid" 2>/dev/null || true
mkdir "$TMP/hopper3"
# A slow printer: the card comes after 700 ms, longer than the slices in
# which the station waits (to notice Ctrl-C); it must wait on.
"$VC" hopper "$TMP/hopper3" --count 1 --keys "$TMP/keys" --feed-ms 700 \
	--vpcd "127.0.0.1:$port" >"$TMP/hopper3.log" 2>&1 &
hopper_pid=$!
uc printer encode --request "$rid2" --reader 'pcsc:Virtual PCD 00 00' \
	--keys "$TMP/keys" --wait 10 >"$TMP/resume.out" 2>&1 ||
	fail "resume: $(cat "$TMP/resume.out")"
grep -q "1 encoded now, 0 recovered, 1 done before" "$TMP/resume.out" ||
	fail "resume: $(cat "$TMP/resume.out")"
uc printer card list --request "$rid2" --json >"$TMP/c2.json"
[ "$(jq '[.[] | select(.status == "encoded")] | length' "$TMP/c2.json")" = 2 ] &&
    [ "$(jq length "$TMP/c2.json")" = 2 ] || fail "resumed: $(cat "$TMP/c2.json")"
uc admin audit verify >/dev/null || fail "audit verify"
ok "Ctrl-C at an empty reader stops at once with a resume hint; the rerun waits out a slow feed and finishes"
