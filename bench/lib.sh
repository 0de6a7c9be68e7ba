# shellcheck shell=sh
# Shared by the benchmark scripts: a ledger with an accepted request of N
# members and a development key directory.  Needs UC, TMP and the
# UNIONCARD_* variables set by the caller.

uc() { u="$1"; shift; "$UC" --as "$u" "$@"; }
ms() { date +%s%N | cut -c1-13; }

# bench_request N UNIT_NAME: init the ledger (province 52, unit TP01 under
# it), import N members, take a regular request for them through approval
# and acceptance (its id in $rid), and make keys in $TMP/keys.
bench_request() {
	# every bench account gets the caller's password, from a file
	PWFILE="$TMP/password"
	printf '%s\n' "$UNIONCARD_PASSWORD" >"$PWFILE"
	"$UC" init --province 52 --name "LĐLĐ tỉnh Bình Định" --admin admin >/dev/null
	uc admin unit add TP --name "LĐLĐ huyện Tuy Phước" --parent 52
	uc admin unit add TP01 --name "$2" --parent TP
	uc admin account add clerk --unit TP01 --role clerk --password-file "$PWFILE"
	uc admin account add approver --unit TP --role approver --password-file "$PWFILE"
	uc admin account add printer --unit 52 --role printer --password-file "$PWFILE"
	python3 - "$TMP/m.csv" "$1" <<'PY'
import sys
n = int(sys.argv[2])
with open(sys.argv[1], "w") as f:
    f.write("full_name,date_of_birth,gender,national_id,position,joined_on,mandatory\n")
    for i in range(n):
        f.write("Nguyễn Thị Công Nhân %d,1990-01-01,nữ,0521%08d,Công nhân,2015-01-15,0\n"
                % (i + 1, i + 1))
PY
	uc clerk member import "$TMP/m.csv" --unit TP01 >/dev/null
	uc clerk member submit --unit TP01 >/dev/null
	uc approver member approve --unit TP01 --all >/dev/null
	rid=$(uc clerk request create --unit TP01 --type regular --all-approved)
	uc clerk request submit "$rid"
	uc approver request approve "$rid"
	uc printer request accept "$rid"
	"$UC" keys init --dir "$TMP/keys" >/dev/null
}
