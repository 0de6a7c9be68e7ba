/*
 * help.c - the table of `unioncard` subcommand help texts (help.h), and
 * the generic --help and option checks the dispatcher makes with it.
 *
 * To add a subcommand: add its entry below (path, synopsis, text, options,
 * example, how many arguments it takes).  tests/unit/help_cli.sh walks every path and every subcommand
 * named in a command's usage text, and fails on one without an entry.
 */
#include <string.h>

#include "help.h"

#define MEMBER_STATUSES "entered|submitted|approved|rejected|withdrawn"
#define REPLACE_REASONS "lost|stolen|damaged|data_change"
#define ROLES "clerk|approver|printer|liaison|admin"

const struct uc_help uc_help_table[] = {
	/* ---- every tool ---------------------------------------------- */
	{ "help",
	    "unioncard help [COMMAND [SUBCOMMAND]]\n"
	    "unioncard help --list",
	    "Show the help of a command, the same text as 'unioncard COMMAND\n"
	    "SUBCOMMAND --help'.  Without a command: the list of commands.\n"
	    "--list prints every command path, one a line.",
	    "--list",
	    "unioncard help member import\n"
	    "unioncard help --list", 0 },
	{ "version",
	    "unioncard version",
	    "Print the tool's version (the same as 'unioncard --version').",
	    "",
	    "unioncard version", 0 },

	/* ---- readers and cards (the chip) ----------------------------- */
	{ "readers", "unioncard readers [--json]", NULL, NULL,
	    "unioncard readers", 0 },
	{ "card",
	    "unioncard card info --reader READER\n"
	    "unioncard --as USER card show|list|lost|stolen|damaged|revoke|"
	    "replace|issue|spoil ...",
	    "'card info' reads a card in a reader; the others are the\n"
	    "ledger's record of cards.",
	    NULL,
	    "unioncard card info --reader vcard:/tmp/card.json", 0 },
	{ "card info",
	    "unioncard card info --reader READER [--wait SECONDS] [--json]"
	    " [--trace FILE]",
	    NULL, NULL,
	    "unioncard card info --reader vcard:/tmp/card.json --json", 0 },
	{ "card show",
	    "unioncard --as USER card show SERIAL [--json]",
	    "Show one card of the ledger: its member, request, type, status\n"
	    "and history (chip serial, who encoded it and when).",
	    "--json",
	    "unioncard --as printer card show PP000000012 --json", 1 },
	{ "card list",
	    "unioncard --as USER card list [--request ID] [--json]",
	    "List the cards of the units you may see (serial, member code,\n"
	    "type, status); with --request, those of one print request.",
	    "--request=ID --json",
	    "unioncard --as printer card list --request 7", 0 },
	{ "card lost",
	    "unioncard --as USER card lost SERIAL [--reason TEXT]",
	    "Record that a card was lost: the status list then names it as\n"
	    "revoked and the verifier says INVALID for it.",
	    "--reason=TEXT",
	    "unioncard --as TP01.clerk card lost PP000000012"
	    " --reason 'reported by the member'", 1 },
	{ "card stolen",
	    "unioncard --as USER card stolen SERIAL [--reason TEXT]",
	    "Record that a card was stolen (revoked on the next status\n"
	    "list).",
	    "--reason=TEXT",
	    "unioncard --as TP01.clerk card stolen PP000000012", 1 },
	{ "card damaged",
	    "unioncard --as USER card damaged SERIAL [--reason TEXT]",
	    "Record that a card is damaged (revoked on the next status list).",
	    "--reason=TEXT",
	    "unioncard --as TP01.clerk card damaged PP000000012"
	    " --reason 'chip cracked'", 1 },
	{ "card revoke",
	    "unioncard --as USER card revoke SERIAL --reason TEXT",
	    "Revoke a card for another reason, which is recorded.",
	    "--reason=TEXT",
	    "unioncard --as admin card revoke PP000000012"
	    " --reason 'member left the union'", 1 },
	{ "card replace",
	    "unioncard --as USER card replace SERIAL --reason "
	    REPLACE_REASONS " [--payer member|union]",
	    "Create a draft print request for a replacement of the card and\n"
	    "print its id alone on standard output.  A later card is paid by\n"
	    "the member unless --payer union.",
	    "--reason=" REPLACE_REASONS " --payer=member|union",
	    "rid=$(unioncard --as TP01.clerk card replace PP000000012"
	    " --reason lost)", 1 },
	{ "card issue",
	    "unioncard --as USER card issue SERIAL",
	    "Record that an encoded card was handed to its member.",
	    "",
	    "unioncard --as printer card issue PP000000012", 1 },
	{ "card spoil",
	    "unioncard --as USER card spoil SERIAL --reason TEXT",
	    "Spoil a reserved or encoded card by hand (it goes to the\n"
	    "spoilage log with the reason).",
	    "--reason=TEXT",
	    "unioncard --as printer card spoil PP000000012"
	    " --reason 'dropped at the laminator'", 1 },

	/* ---- keys ------------------------------------------------------ */
	{ "keys",
	    "unioncard keys init|signer|revoke-signer|show|bank-link --dir DIR"
	    " ...",
	    "The issuer's key hierarchy in DIR (keys/README.md): root.pem/.key\n"
	    "(the root CA) and root.crl, signers/NAME.pem/.key (one document\n"
	    "signer per station), status-list.pem/.key, scp-master.json (the\n"
	    "SCP03 master keys, development only) and bank-link.key (the HMAC\n"
	    "key of linked cards' PANs).  A passphrase is never taken from the\n"
	    "command line: --passphrase-file, $UNIONCARD_PASSPHRASE or a\n"
	    "prompt.",
	    NULL,
	    "unioncard keys init --dir keys/dev --station hanoi-01", 0 },
	{ "keys init",
	    "unioncard keys init --dir DIR [--station NAME] [--encrypt-scp]\n"
	    "                    [--passphrase-file F]",
	    "Create a new development hierarchy in DIR: root CA and CRL, one\n"
	    "station's document signer, the status-list signer, the SCP03\n"
	    "master keys (in the clear unless --encrypt-scp) and the bank-link\n"
	    "key.  Private keys are encrypted PEM; the passphrase comes from\n"
	    "--passphrase-file, $UNIONCARD_PASSPHRASE or a prompt.",
	    "--dir=DIR --station=NAME --encrypt-scp --passphrase-file=F",
	    "unioncard keys init --dir keys/dev --station hanoi-01", 0 },
	{ "keys signer",
	    "unioncard keys signer --dir DIR --station NAME\n"
	    "                      [--pubkey PEM [--cert-der OUT]]"
	    " [--passphrase-file F]",
	    "Issue a document signer for another station under the root; with\n"
	    "--pubkey, certify a key held in an HSM instead (and write the\n"
	    "certificate as DER to --cert-der OUT).",
	    "--dir=DIR --station=NAME --pubkey=PEM --cert-der=OUT"
	    " --passphrase-file=F",
	    "UNIONCARD_PASSPHRASE=... unioncard keys signer --dir keys/dev"
	    " --station hue-02", 0 },
	{ "keys revoke-signer",
	    "unioncard keys revoke-signer --dir DIR --station NAME"
	    " [--passphrase-file F]",
	    "Add a station's signer to the root's CRL: cards it signed from\n"
	    "then on fail the verifier's chain check.",
	    "--dir=DIR --station=NAME --passphrase-file=F",
	    "unioncard keys revoke-signer --dir keys/dev --station hue-02 \\\n"
	    "    --passphrase-file /run/secrets/uc-root", 0 },
	{ "keys show",
	    "unioncard keys show --dir DIR",
	    "List the hierarchy's certificates, their validity and whether\n"
	    "they are revoked.  Needs no passphrase.",
	    "--dir=DIR",
	    "unioncard keys show --dir keys/dev", 0 },
	{ "keys bank-link",
	    "unioncard keys bank-link --dir DIR",
	    "Make DIR/bank-link.key in a hierarchy made before linked cards.\n"
	    "Never replaces one: the ledger's PAN hashes depend on it.",
	    "--dir=DIR",
	    "unioncard keys bank-link --dir /etc/unioncard/keys", 0 },

	/* ---- one card; the station ------------------------------------ */
	{ "perso",
	    "unioncard perso --reader READER --member FILE.json --keys DIR",
	    NULL, NULL,
	    "unioncard perso --reader vcard:card.json"
	    " --member docs/examples/member.json --keys keys/", 0 },
	{ "encode",
	    "unioncard --as PRINTER encode --request ID --reader READER"
	    " --keys DIR",
	    NULL, NULL,
	    "unioncard --as printer encode --request 7 --reader pcsc:Evolis"
	    " --keys /etc/unioncard/keys", 0 },

	/* ---- the printed card (cmd_face.c checks its own options) ----- */
	{ "face",
	    "unioncard face template|qr|render ...",
	    NULL, NULL,
	    "unioncard --as printer face render --request 7 --keys keys"
	    " --out faces/", 0 },
	{ "face template", "unioncard face template",
	    "Print the default card-face template (key = value lines): copy\n"
	    "it, change positions, fonts, colours and texts, and pass it to\n"
	    "face render or print with --template FILE.",
	    "",
	    "unioncard face template > bd.face", 0 },
	{ "face qr",
	    "unioncard face qr --member FILE --keys DIR [--station NAME]",
	    NULL, NULL,
	    "unioncard face qr --member m.json --keys keys", 0 },
	{ "face render",
	    "unioncard [--as PRINTER] face render (--request ID | --member"
	    " FILE) --keys DIR --out DIR",
	    NULL, NULL,
	    "unioncard --as printer face render --request 7 --keys keys"
	    " --out faces/", 0 },
	{ "print",
	    "unioncard --as PRINTER print --request ID --keys DIR"
	    " [--printer QUEUE | --out DIR]",
	    NULL, NULL,
	    "unioncard --as printer print --request 7 --keys keys"
	    " --printer Evolis", 0 },
	{ "member photo",
	    "unioncard --as CLERK member photo CODE|NATIONAL-ID FILE\n"
	    "unioncard --as CLERK member photo --dir DIR",
	    NULL, NULL,
	    "unioncard --as tp01.clerk member photo 052185000123"
	    " photos/052185000123.jpg", 2 },

	/* ---- the ledger: setting up ----------------------------------- */
	{ "init",
	    "unioncard init --province CODE --name NAME --admin USER"
	    " [--prefix NN]\n"
	    "          [--group NAME] [--password-file FILE]",
	    "Create the ledger with its root unit and its first admin.\n"
	    "NN (01..99) prefixes member codes and card serials; default: CODE\n"
	    "when it is a number 1..99, else 99 (unallocated: for tests and\n"
	    "demos) with a warning.  The admin's password: the first line of\n"
	    "--password-file FILE, else $UNIONCARD_PASSWORD, else a prompt\n"
	    "(twice); at least 10 characters, not one of the commonest.\n"
	    "The ledger file (and its -wal, -shm) is made 0600; --group NAME\n"
	    "makes it 0640 for that group, and every file the ledger writes\n"
	    "follows it.",
	    "--province=CODE --name=NAME --admin=USER --prefix=NN --group=NAME"
	    " --password-file=FILE",
	    "unioncard init --province 52 --name 'LĐLĐ tỉnh Bình Định'"
	    " --admin admin", 0 },
	{ "unit",
	    "unioncard --as USER unit add|import|list ...",
	    "The union units: a tree of any depth under the province.",
	    NULL,
	    "unioncard --as admin unit list", 0 },
	{ "unit add",
	    "unioncard --as USER unit add CODE --name NAME --parent CODE"
	    " [--exempt]",
	    "Add one unit under its parent.  --exempt: a unit that need not\n"
	    "enter its members (docs/ledger.md says how it is counted).",
	    "--name=NAME --parent=CODE --exempt",
	    "unioncard --as admin unit add TP01 --name 'CĐCS Trường THPT"
	    " Tuy Phước' --parent TP", 1 },
	{ "unit import",
	    "unioncard --as USER unit import FILE.csv",
	    "Add the units of a CSV file with the columns code,name,parent\n"
	    "and optionally exempt; parents before their children.  A bad\n"
	    "line rejects the whole file (file:line: field: why).",
	    "",
	    "unioncard --as admin unit import units.csv", 1 },
	{ "unit list",
	    "unioncard --as USER unit list [--json]",
	    "List the units you may see: code, name, parent, exempt, depth.",
	    "--json",
	    "unioncard --as admin unit list --json | jq -r '.[].code'", 0 },
	{ "unit tree",
	    "unioncard --as USER unit tree [--json]",
	    "The units you may see, indented under their parents.",
	    "--json",
	    "unioncard --as admin unit tree", 0 },
	{ "account",
	    "unioncard --as USER account add|list|passwd|disable|enable ...",
	    "Ledger accounts: each unit's own user names.",
	    NULL,
	    "unioncard --as admin account add tp01.clerk --unit TP01"
	    " --role clerk", 0 },
	{ "account add",
	    "unioncard --as ADMIN account add NAME --unit CODE --role " ROLES,
	    "Add an account acting inside its unit's subtree with one role,\n"
	    "given by an admin of a unit above (or the province's admin);\n"
	    "printers belong to the province.  Its own password: the first\n"
	    "line of --password-file FILE (- for standard input), else asked\n"
	    "twice on the terminal; never the caller's.",
	    "--unit=CODE --role=" ROLES " --password-file=FILE",
	    "unioncard --as admin account add tp01.clerk --unit TP01"
	    " --role clerk --password-file tp01.pw", 1 },
	{ "account list",
	    "unioncard --as ADMIN account list [--json]",
	    "The accounts of your subtree: name, unit, role, disabled,\n"
	    "locked until.",
	    "--json",
	    "unioncard --as admin account list", 0 },
	{ "account passwd",
	    "unioncard --as USER account passwd [NAME] [--password-file FILE]",
	    "Change your own password, or (an admin above NAME's unit) reset\n"
	    "NAME's.  The new one is asked twice, or read from FILE.",
	    "--password-file=FILE",
	    "unioncard --as tp01.clerk account passwd", 1 },
	{ "account disable",
	    "unioncard --as ADMIN account disable NAME",
	    "Refuse every later login of NAME (an admin above its unit).",
	    "",
	    "unioncard --as admin account disable tp01.clerk", 1 },
	{ "account enable",
	    "unioncard --as ADMIN account enable NAME",
	    "Let a disabled account log in again.",
	    "",
	    "unioncard --as admin account enable tp01.clerk", 1 },
	{ "token",
	    "unioncard --as ADMIN token add|revoke ...",
	    "API tokens: how scripts and integrations authenticate to the\n"
	    "web console's JSON API (docs/web.md), acting as one account.",
	    NULL,
	    "unioncard --as admin token add tp01-sync --account tp01.clerk", 0 },
	{ "token add",
	    "unioncard --as ADMIN token add NAME --account USER",
	    "Issue a token named NAME that acts as account USER (an admin\n"
	    "above USER's unit).  The token is printed ONCE, on standard\n"
	    "output; the ledger keeps only its SHA-256.  Send it as\n"
	    "'Authorization: Bearer TOKEN'.",
	    "--account=USER",
	    "unioncard --as admin token add tp01-sync --account tp01.clerk"
	    " >/run/secrets/tp01-sync", 1 },
	{ "token revoke",
	    "unioncard --as ADMIN token revoke NAME",
	    "Revoke token NAME: it is refused from then on.",
	    "",
	    "unioncard --as admin token revoke tp01-sync", 1 },
	{ "fee",
	    "unioncard --as USER fee set|list|pay ...",
	    "The fee schedule, with the date each amount applies from.",
	    NULL,
	    "unioncard --as admin fee list", 0 },
	{ "fee set",
	    "unioncard --as ADMIN fee set ITEM AMOUNT --from YYYY-MM-DD",
	    "Set the amount in VND of a fee item from a date on.  Items:\n"
	    "regular.first regular.later linked.mandatory linked.other.",
	    "--from=YYYY-MM-DD",
	    "unioncard --as admin fee set regular.later 12000"
	    " --from 2027-01-01", 2 },
	{ "fee list",
	    "unioncard --as USER fee list [--json]",
	    "List the fee schedule: item, from, amount_vnd.",
	    "--json",
	    "unioncard --as admin fee list", 0 },
	{ "fee pay",
	    "unioncard --as USER fee pay --request ID --member CODE"
	    " --paid-by WHO\n"
	    "          --receipt NUMBER [--on DATE]",
	    "Record that the fee of one line of an accepted request was paid:\n"
	    "who paid, the receipt number and the day (default today).  Each\n"
	    "line is paid once; audited.",
	    "--request=ID --member=CODE --paid-by=WHO --receipt=NUMBER"
	    " --on=DATE",
	    "unioncard --as tp01.clerk fee pay --request 12 --member"
	    " 52000000010 --paid-by member --receipt BL-2026-0042", 0 },
	{ "target",
	    "unioncard --as ADMIN target set ...",
	    "Yearly member targets of the units.",
	    NULL,
	    "unioncard --as admin target set --unit TP01 --year 2026"
	    " --members 120 --deadline 2026-10-30", 0 },
	{ "target set",
	    "unioncard --as ADMIN target set --unit CODE --year Y --members N"
	    " --deadline YYYY-MM-DD",
	    "Set a unit's target of members entered for a year, and the\n"
	    "deadline by which they are due ('report progress' counts them).",
	    "--unit=CODE --year=Y --members=N --deadline=YYYY-MM-DD",
	    "unioncard --as admin target set --unit TP01 --year 2026"
	    " --members 120 --deadline 2026-10-30", 0 },

	/* ---- members and requests ------------------------------------ */
	{ "member",
	    "unioncard --as USER member import|submit|approve|reject|list|"
	    "show|edit|withdraw|transfer|find|export|photo ...",
	    "Members: entered by a grassroots clerk, submitted, approved (and\n"
	    "given their member codes) by the unit above.",
	    NULL,
	    "unioncard --as tp01.clerk member import members.csv --unit TP01", 0 },
	{ "member import",
	    "unioncard --as USER member import FILE.csv --unit CODE"
	    " [--photos DIR]",
	    "Enter the members of a CSV file into a unit (docs/member-file.md):\n"
	    "columns full_name,date_of_birth,gender,national_id,position,\n"
	    "joined_on,mandatory (or their Vietnamese names), ',' or ';'\n"
	    "separated.  Every problem of the file is listed (line, column,\n"
	    "why); nothing is stored unless the file is clean.\n"
	    "--photos DIR: DIR/NATIONAL-ID.jpg|.png of the file's members,\n"
	    "checked as 'member photo' checks them and kept in the same\n"
	    "transaction; a bad photo is listed with the file's problems.",
	    "--unit=CODE --photos=DIR",
	    "unioncard --as tp01.clerk member import members.csv --unit TP01", 1 },
	{ "member submit",
	    "unioncard --as USER member submit --unit CODE",
	    "Send the unit's entered members up for approval.",
	    "--unit=CODE",
	    "unioncard --as tp01.clerk member submit --unit TP01", 0 },
	{ "member approve",
	    "unioncard --as USER member approve --unit CODE"
	    " (--all | --national-id ID...)",
	    "Approve submitted members of a unit below yours; each gets its\n"
	    "member code here, never reused.",
	    "--unit=CODE --all --national-id=ID...",
	    "unioncard --as tp.approver member approve --unit TP01 --all", 0 },
	{ "member reject",
	    "unioncard --as USER member reject --unit CODE --national-id ID"
	    " --reason TEXT",
	    "Send a submitted member back to the clerk with a reason.",
	    "--unit=CODE --national-id=ID --reason=TEXT",
	    "unioncard --as tp.approver member reject --unit TP01"
	    " --national-id 052190001234 --reason 'Thiếu ảnh'", 0 },
	{ "member list",
	    "unioncard --as USER member list --unit CODE"
	    " [--status " MEMBER_STATUSES "] [--json]",
	    "List a unit's members: code, national ID, name, status,\n"
	    "mandatory; --status keeps those in one state.",
	    "--unit=CODE --status=" MEMBER_STATUSES " --json",
	    "unioncard --as tp01.clerk member list --unit TP01"
	    " --status approved", 0 },
	{ "member show",
	    "unioncard --as USER member show CODE|NATIONAL-ID [--json]",
	    "Show one member, by member code or national ID.",
	    "--json",
	    "unioncard --as tp01.clerk member show 52000000010", 1 },
	{ "member edit",
	    "unioncard --as USER member edit CODE|NATIONAL-ID --FIELD VALUE..."
	    " [--reason TEXT]",
	    "Correct what was entered (--full-name, --date-of-birth, --gender,\n"
	    "--national-id, --position, --joined-on, --mandatory), each value\n"
	    "checked as the import checks it.  An approved member goes back\n"
	    "for approval (its code stays); the audit keeps old and new.",
	    "--full-name=NAME --date-of-birth=DATE --gender=G --national-id=ID"
	    " --position=TEXT --joined-on=DATE --mandatory=YESNO --reason=TEXT",
	    "unioncard --as tp01.clerk member edit 052185000123"
	    " --full-name 'Huỳnh Lê Diễm Tuyết' --reason typo", 1 },
	{ "member withdraw",
	    "unioncard --as USER member withdraw CODE|NATIONAL-ID --reason TEXT",
	    "Withdraw a member entered by mistake or rejected for good: kept\n"
	    "in the ledger and the audit, no longer counted.",
	    "--reason=TEXT",
	    "unioncard --as tp01.clerk member withdraw 052179000456"
	    " --reason 'entered twice'", 1 },
	{ "member transfer",
	    "unioncard --as USER member transfer CODE|NATIONAL-ID --to UNIT",
	    "Move a member to another unit (clerk or admin over both).",
	    "--to=UNIT",
	    "unioncard --as admin member transfer 052090000789 --to TP02", 1 },
	{ "member find",
	    "unioncard --as USER member find TEXT [--limit N] [--json]",
	    "Members of your units by name (accents, case and Đ/đ ignored),\n"
	    "national ID or member code.",
	    "--limit=N --json",
	    "unioncard --as tp.approver member find 'duc'", 1 },
	{ "member export",
	    "unioncard --as USER member export --csv [--unit CODE]"
	    " [--out FILE]",
	    "Every member of the unit and the units below it as CSV (cells a\n"
	    "spreadsheet would run as formulas neutralised); FILE is 0600.",
	    "--csv --unit=CODE --out=FILE",
	    "unioncard --as tp.approver member export --csv --unit TP"
	    " --out tp.csv", 0 },
	{ "request",
	    "unioncard --as USER request create|edit|withdraw|submit|approve|"
	    "reject|accept|list|show ...",
	    "Card-print requests: made by a grassroots clerk, approved by the\n"
	    "unit above, accepted by the printer.",
	    NULL,
	    "unioncard --as admin request list", 0 },
	{ "request create",
	    "unioncard --as USER request create --unit CODE --type"
	    " regular|linked\n"
	    "          (--all-approved | --members CODE,...)"
	    " [--payer member|union]\n"
	    "          [--replacement " REPLACE_REASONS "]",
	    "Make a draft print request and print its id alone on standard\n"
	    "output.  The fee of each line follows the schedule ('fee list').",
	    "--unit=CODE --type=regular|linked --all-approved --members=CODES"
	    " --payer=member|union --replacement=" REPLACE_REASONS,
	    "rid=$(unioncard --as tp01.clerk request create --unit TP01"
	    " --type regular --all-approved)", 0 },
	{ "request submit",
	    "unioncard --as USER request submit ID",
	    "Send a draft (or rejected) request to the unit above.",
	    "",
	    "unioncard --as tp01.clerk request submit 7", 1 },
	{ "request edit",
	    "unioncard --as USER request edit ID [--add CODE,...]"
	    " [--remove CODE,...]",
	    "Add or remove lines of a draft or rejected request.",
	    "--add=CODES --remove=CODES",
	    "unioncard --as tp01.clerk request edit 7 --add 52000000028", 1 },
	{ "request withdraw",
	    "unioncard --as USER request withdraw ID [--reason TEXT]",
	    "Withdraw a draft or rejected request; its members are free for\n"
	    "another one.",
	    "--reason=TEXT",
	    "unioncard --as tp01.clerk request withdraw 7", 1 },
	{ "request approve",
	    "unioncard --as USER request approve ID",
	    "Approve a submitted request of a unit below yours.",
	    "",
	    "unioncard --as tp.approver request approve 7", 1 },
	{ "request reject",
	    "unioncard --as USER request reject ID --reason TEXT",
	    "Send a submitted request back with a reason.",
	    "--reason=TEXT",
	    "unioncard --as tp.approver request reject 7"
	    " --reason 'Thiếu ảnh đoàn viên'", 1 },
	{ "request accept",
	    "unioncard --as PRINTER request accept ID",
	    "Accept an approved request for printing ('encode' works it).",
	    "",
	    "unioncard --as printer request accept 7", 1 },
	{ "request list",
	    "unioncard --as USER request list [--json]",
	    "List the requests you may see: id, unit, type, status, date,\n"
	    "lines, total_vnd.",
	    "--json",
	    "unioncard --as admin request list --json", 0 },
	{ "request show",
	    "unioncard --as USER request show ID [--json]",
	    "Show a request, its lines (member, fee, payer) and its history.",
	    "--json",
	    "unioncard --as tp01.clerk request show 7", 1 },

	/* ---- reports, audit, status list ------------------------------- */
	{ "report",
	    "unioncard --as USER report progress|fees|cards|spoilage ...",
	    "Reports over the units you may see.",
	    NULL,
	    "unioncard --as admin report progress", 0 },
	{ "report progress",
	    "unioncard --as USER report progress [--unit CODE] [--as-of DATE]"
	    " [--json|--csv]",
	    "Each unit's members entered and approved against its target, its\n"
	    "rank and whether it is overdue on DATE (default today).",
	    "--unit=CODE --as-of=YYYY-MM-DD --json --csv",
	    "unioncard --as admin report progress --csv >progress.csv", 0 },
	{ "report fees",
	    "unioncard --as USER report fees [--unpaid] [--json|--csv]",
	    "The fees of the requests, summed by period, unit and payer, with\n"
	    "what is paid and unpaid; --unpaid lists each line still to pay.",
	    "--unpaid --json --csv",
	    "unioncard --as admin report fees --csv >fees.csv", 0 },
	{ "report cards",
	    "unioncard --as USER report cards [--json|--csv]",
	    "The cards counted by status.",
	    "--json --csv",
	    "unioncard --as admin report cards", 0 },
	{ "report spoilage",
	    "unioncard --as USER report spoilage [--request ID] [--json]",
	    NULL, "--request=ID --json",
	    "unioncard --as printer report spoilage --request 7", 0 },
	{ "audit",
	    "unioncard [--as USER] audit verify|export|seal ...",
	    "The hash-chained audit trail.",
	    NULL,
	    "unioncard audit verify", 0 },
	{ "audit verify",
	    "unioncard [--as USER] audit verify [--seal FILE]..."
	    " [--trust ROOT.pem | --keys DIR] [--json]",
	    "Check the database pages, the audit trail's hash chain, the card\n"
	    "changes against the trail, and every seal (kept and --seal FILE):\n"
	    "exit 0 when all hold, 1 when not (naming what).  Needs no account.",
	    "--seal=FILE... --trust=FILE --keys=DIR --key=SPEC --json --csv",
	    "unioncard --ledger /srv/unioncard/ledger.db audit verify", 0 },
	{ "audit export",
	    "unioncard --as USER audit export [--csv]",
	    "Write the audit trail as CSV on standard output (the root admin).",
	    "--csv",
	    "unioncard --as admin audit export --csv >audit.csv", 0 },
	{ "audit seal",
	    "unioncard --as USER audit seal --out FILE (--keys DIR | --key SPEC)",
	    "Sign the trail's length and head hash with the status-list\n"
	    "signer (docs/audit-seal.md); kept in the ledger and in FILE.",
	    "--out=FILE --keys=DIR --key=SPEC",
	    "unioncard --as printer audit seal --out 2026-12-08.seal"
	    " --keys /etc/unioncard/keys", 0 },
	{ "status-list",
	    "unioncard --as USER status-list export ...",
	    "The signed card status list the verifiers read offline.",
	    NULL,
	    "unioncard --as printer status-list export --out today.usl"
	    " --keys /etc/unioncard/keys", 0 },
	{ "status-list export",
	    "unioncard --as USER status-list export --out FILE"
	    " [--ttl SECONDS]\n"
	    "          (--keys DIR | --key SPEC | --unsigned)",
	    "Write the status list of every card serial (docs/status-list.md),\n"
	    "valid for --ttl seconds (default 86400).  --keys DIR signs with\n"
	    "DIR/status-list.key; --key takes a key file or a pkcs11: URI.\n"
	    "Passphrase or PIN from $UNIONCARD_PASSPHRASE or a prompt.",
	    "--out=FILE --ttl=SECONDS --keys=DIR --key=SPEC --unsigned",
	    "unioncard --as printer status-list export --out today.usl"
	    " --keys /etc/unioncard/keys", 0 },

	/* ---- the bank liaison ----------------------------------------- */
	{ "bank",
	    "unioncard --as LIAISON bank export|import|reconcile|imports ...",
	    "Linked cards: the order to the bank, the bank's file back, and\n"
	    "every disagreement between the two (docs/bank-files.md).",
	    NULL,
	    "unioncard --as liaison bank reconcile", 0 },
	{ "bank export",
	    "unioncard --as LIAISON bank export --request ID --out FILE",
	    "Write the order for the bank: one CSV row per line of an approved\n"
	    "or accepted linked request (member code, name as the bank prints\n"
	    "it, national ID, unit, branch, payer, fee).  Written atomically;\n"
	    "audited.",
	    "--request=ID --out=FILE",
	    "unioncard --as liaison bank export --request 12"
	    " --out order-12.csv", 0 },
	{ "bank import",
	    "unioncard --as LIAISON bank import FILE (--keys DIR |"
	    " --bank-key FILE) [--json]",
	    "Read the bank's file of what it issued and charged (its full\n"
	    "list).  Card numbers become an HMAC under the bank-link key and\n"
	    "the last four digits before anything is stored.  A bad line\n"
	    "rejects the file; the same file twice is imported once.",
	    "--keys=DIR --bank-key=FILE --json",
	    "unioncard --as liaison bank import vtb-2024-03.csv"
	    " --keys /etc/unioncard/keys", 1 },
	{ "bank reconcile",
	    "unioncard --as LIAISON bank reconcile [--json | --csv]",
	    "Every mismatch between the ledger and the newest import, by class\n"
	    "(missing_at_bank, unknown_to_us, pan_mismatch, name_mismatch,\n"
	    "duplicate, status_conflict, fee_mismatch).  Exit 0 when they\n"
	    "agree, 1 when they do not.",
	    "--json --csv",
	    "unioncard --as liaison bank reconcile --csv >mismatches.csv", 0 },
	{ "bank imports",
	    "unioncard --as LIAISON bank imports [--json]",
	    "The bank files imported so far: when, file, hash, lines.",
	    "--json",
	    "unioncard --as liaison bank imports", 0 },
};

const size_t uc_help_count = sizeof(uc_help_table) / sizeof(uc_help_table[0]);

/* Number of words in a path. */
static int
path_words(const char *p)
{
	int n = 1;

	for (; *p != '\0'; p++)
		if (*p == ' ')
			n++;
	return n;
}

/* 1 if path is exactly argv[0..n) joined by spaces. */
static int
path_is(const char *path, int n, char **argv)
{
	size_t len;
	int i;

	for (i = 0; i < n; i++) {
		len = strlen(argv[i]);
		if (strncmp(path, argv[i], len) != 0)
			return 0;
		path += len;
		if (i + 1 < n) {
			if (*path != ' ')
				return 0;
			path++;
		}
	}
	return *path == '\0';
}

const struct uc_help *
uc_help_find(int argc, char **argv, int *nwords)
{
	const struct uc_help *best = NULL;
	size_t i;
	int n, bestn = 0;

	*nwords = 0;
	for (i = 0; i < uc_help_count; i++) {
		n = path_words(uc_help_table[i].path);
		if (n > argc || n <= bestn)
			continue;
		if (path_is(uc_help_table[i].path, n, argv)) {
			best = &uc_help_table[i];
			bestn = n;
		}
	}
	*nwords = bestn;
	return best;
}

const struct uc_help *
uc_help_lookup(const char *path)
{
	size_t i;

	for (i = 0; i < uc_help_count; i++)
		if (strcmp(uc_help_table[i].path, path) == 0)
			return &uc_help_table[i];
	return NULL;
}

int
uc_help_is_group(const struct uc_help *h)
{
	size_t i, len = strlen(h->path);

	for (i = 0; i < uc_help_count; i++)
		if (strncmp(uc_help_table[i].path, h->path, len) == 0 &&
		    uc_help_table[i].path[len] == ' ')
			return 1;
	return 0;
}

/* Print text with each line indented by ind. */
static void
print_indented(FILE *f, const char *ind, const char *text)
{
	const char *nl;

	while (*text != '\0') {
		nl = strchr(text, '\n');
		if (nl == NULL)
			nl = text + strlen(text);
		fprintf(f, "%s%.*s\n", ind, (int)(nl - text), text);
		text = *nl == '\n' ? nl + 1 : nl;
	}
}

void
uc_help_print(FILE *f, const struct uc_help *h)
{
	size_t i, len = strlen(h->path);
	int group = uc_help_is_group(h), first = 1;

	fputs("Usage: ", f);
	if (!group) {
		print_indented(f, "", h->synopsis);
	} else {
		for (i = 0; i < uc_help_count; i++) {
			const struct uc_help *c = &uc_help_table[i];

			if (strncmp(c->path, h->path, len) != 0 ||
			    c->path[len] != ' ')
				continue;
			print_indented(f, first ? "" : "       ", c->synopsis);
			first = 0;
		}
	}
	if (h->text != NULL) {
		fputc('\n', f);
		print_indented(f, "", h->text);
	}
	if (group) {
		fprintf(f, "\n'unioncard help %s SUBCOMMAND' (or 'unioncard %s"
		    " SUBCOMMAND --help')\ntells more about each.\n", h->path,
		    h->path);
		fputs("\nExamples:\n", f);
		for (i = 0; i < uc_help_count; i++) {
			const struct uc_help *c = &uc_help_table[i];

			if (strncmp(c->path, h->path, len) == 0 &&
			    c->path[len] == ' ')
				print_indented(f, "  ", c->example);
		}
		return;
	}
	fprintf(f, "\n%s:\n", strchr(h->example, '\n') != NULL ?
	    "Examples" : "Example");
	print_indented(f, "  ", h->example);
}

void
uc_help_list(FILE *f)
{
	size_t i;

	for (i = 0; i < uc_help_count; i++)
		fprintf(f, "%s\n", uc_help_table[i].path);
}

/*
 * Find option name (e.g. "--unit") in the options string.  Returns a
 * pointer to its spec ("--unit=CODE"), its length in *speclen, or NULL.
 */
static const char *
find_option(const char *options, const char *name, size_t *speclen)
{
	size_t nlen = strlen(name), len;
	const char *p = options, *end;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		end = strchr(p, ' ');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (len >= nlen && strncmp(p, name, nlen) == 0 &&
		    (len == nlen || p[nlen] == '=')) {
			*speclen = len;
			return p;
		}
		p += len;
	}
	return NULL;
}

/* The option names of options, ", "-separated, into buf (truncated). */
static void
option_names(const char *options, char *buf, size_t cap)
{
	size_t n = 0, len, k;
	const char *p = options;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		len = strcspn(p, " =");
		if (len > 0 && n > 0 && n + 2 < cap) {
			buf[n++] = ',';
			buf[n++] = ' ';
		}
		for (k = 0; k < len && n + 1 < cap; k++)
			buf[n++] = p[k];
		p += strcspn(p, " ");
	}
	buf[n] = '\0';
	if (n == 0)
		snprintf(buf, cap, "none");
}

/* 1 if value is one of the '|'-separated words in [vals, vals+len). */
static int
value_allowed(const char *vals, size_t len, const char *value)
{
	size_t vlen = strlen(value), w;

	while (len > 0) {
		w = 0;
		while (w < len && vals[w] != '|')
			w++;
		if (w == vlen && strncmp(vals, value, w) == 0)
			return 1;
		if (w == len)
			break;
		vals += w + 1;
		len -= w + 1;
	}
	return 0;
}

/* 1 if the value part of a spec is a list of allowed words (lower case). */
static int
is_choice(const char *vals, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (vals[i] == '|')
			return 1;
	return 0;
}

int
uc_help_check_options(const struct uc_tool_global *g,
    const struct uc_help *h, int argc, char **argv, int from)
{
	char names[512];
	const char *spec, *eq;
	size_t speclen, vlen;
	int i, args = 0;

	if (h->options == NULL)
		return 0;
	for (i = from; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			args += argc - i - 1;
			break;
		}
		if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			if (++args > h->max_args)
				return uc_tool_usage(g, "%s: unexpected argument"
				    " '%s' (see 'unioncard help %s')", h->path, a,
				    h->path);
			continue;
		}
		spec = find_option(h->options, a, &speclen);
		if (spec == NULL || strchr(a, '=') != NULL) {
			option_names(h->options, names, sizeof(names));
			return uc_tool_usage(g, "%s: unknown option '%s'"
			    " (options: %s)", h->path, a, names);
		}
		eq = memchr(spec, '=', speclen);
		if (eq == NULL)
			continue;
		if (i + 1 >= argc)
			return uc_tool_usage(g, "%s: %s needs a value",
			    h->path, a);
		vlen = speclen - (size_t)(eq + 1 - spec);
		if (vlen > 3 && strncmp(eq + 1 + vlen - 3, "...", 3) == 0) {
			/* one or more values up to the next option */
			while (i + 1 < argc && strncmp(argv[i + 1], "--", 2))
				i++;
			continue;
		}
		i++;
		if (is_choice(eq + 1, vlen) &&
		    !value_allowed(eq + 1, vlen, argv[i]))
			return uc_tool_usage(g, "%s: %s '%s' is not one of"
			    " %.*s", h->path, a, argv[i], (int)vlen, eq + 1);
	}
	if (args > h->max_args)
		return uc_tool_usage(g, "%s: unexpected arguments after --"
		    " (see 'unioncard help %s')", h->path, h->path);
	return 0;
}
