/*
 * schema.c - the ledger's numbered migrations.
 *
 * Migration N (a NULL-terminated list of statements) takes a file from user_version N-1 to N.  Each runs in its
 * own transaction together with the user_version bump, so a crash leaves
 * the file at one version or the next.  Never edit a released migration;
 * append a new one.
 */
#include <stddef.h>

#include "ledger/schema.h"
#include "unioncard/ledger.h"

static const char *const migration1[] = {
	"CREATE TABLE meta("
	" key TEXT PRIMARY KEY,"
	" value TEXT NOT NULL) STRICT;",
	/* forward-only sequences: member codes, card serials */
	"CREATE TABLE counters("
	" name TEXT PRIMARY KEY,"
	" value INTEGER NOT NULL CHECK (value >= 0)) STRICT;",
	"CREATE TABLE units("
	" id INTEGER PRIMARY KEY,"
	" code TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" parent_id INTEGER REFERENCES units(id),"
	/* "/1/4/9/": subtree tests are prefix tests */
	" path TEXT NOT NULL UNIQUE,"
	" depth INTEGER NOT NULL CHECK (depth >= 0),"
	" exempt INTEGER NOT NULL DEFAULT 0 CHECK (exempt IN (0, 1)),"
	" created_at TEXT NOT NULL) STRICT;",
	"CREATE INDEX units_parent ON units(parent_id);",
	"CREATE TABLE accounts("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" unit_id INTEGER NOT NULL REFERENCES units(id),"
	" role TEXT NOT NULL CHECK (role IN"
	"  ('clerk', 'approver', 'printer', 'liaison', 'admin')),"
	" pw_hash TEXT NOT NULL,"
	" created_at TEXT NOT NULL) STRICT;",
	"CREATE TABLE imports("
	" id INTEGER PRIMARY KEY,"
	" unit_id INTEGER NOT NULL REFERENCES units(id),"
	" file TEXT NOT NULL,"
	" rows INTEGER NOT NULL,"
	" account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" at TEXT NOT NULL) STRICT;",
	"CREATE TABLE members("
	" id INTEGER PRIMARY KEY,"
	" unit_id INTEGER NOT NULL REFERENCES units(id),"
	" national_id TEXT NOT NULL UNIQUE,"
	" full_name TEXT NOT NULL,"
	" name_ascii TEXT NOT NULL,"
	" date_of_birth INTEGER NOT NULL,"
	" gender TEXT NOT NULL CHECK (gender IN ('M', 'F')),"
	" position TEXT NOT NULL,"
	" joined_on INTEGER NOT NULL,"
	" mandatory INTEGER NOT NULL CHECK (mandatory IN (0, 1)),"
	" status TEXT NOT NULL CHECK (status IN"
	"  ('entered', 'submitted', 'approved', 'rejected')),"
	" member_code TEXT UNIQUE,"
	" reject_reason TEXT,"
	" import_id INTEGER REFERENCES imports(id),"
	" import_line INTEGER,"
	" entered_day INTEGER NOT NULL,"
	" approved_day INTEGER,"
	" approved_by INTEGER REFERENCES accounts(id)) STRICT;",
	"CREATE INDEX members_unit ON members(unit_id, status);",
	/* what the progress report sums: one row per unit and day */
	"CREATE TABLE progress_daily("
	" unit_id INTEGER NOT NULL REFERENCES units(id),"
	" day INTEGER NOT NULL,"
	" entered INTEGER NOT NULL,"
	" approved INTEGER NOT NULL,"
	" PRIMARY KEY (unit_id, day)) STRICT, WITHOUT ROWID;",
	"CREATE TABLE targets("
	" unit_id INTEGER NOT NULL REFERENCES units(id),"
	" year INTEGER NOT NULL,"
	" members INTEGER NOT NULL CHECK (members >= 0),"
	" deadline INTEGER NOT NULL,"
	" PRIMARY KEY (unit_id, year)) STRICT;",
	"CREATE TABLE fees("
	" item TEXT NOT NULL CHECK (item IN ('regular.first', 'regular.later',"
	"  'linked.mandatory', 'linked.other')),"
	" valid_from INTEGER NOT NULL,"
	" amount INTEGER NOT NULL CHECK (amount >= 0),"
	" account_id INTEGER REFERENCES accounts(id),"
	" set_at TEXT NOT NULL,"
	" PRIMARY KEY (item, valid_from)) STRICT;",
	"CREATE TABLE requests("
	" id INTEGER PRIMARY KEY,"
	" unit_id INTEGER NOT NULL REFERENCES units(id),"
	" type TEXT NOT NULL CHECK (type IN ('regular', 'linked')),"
	" status TEXT NOT NULL CHECK (status IN"
	"  ('draft', 'submitted', 'approved', 'rejected', 'accepted')),"
	" payer TEXT NOT NULL CHECK (payer IN ('member', 'union')),"
	" replacement TEXT CHECK (replacement IN"
	"  ('lost', 'stolen', 'damaged', 'data_change')),"
	" request_day INTEGER NOT NULL,"
	" reject_reason TEXT) STRICT;",
	"CREATE INDEX requests_unit ON requests(unit_id, status);",
	/* each step with who and when: create, submit, approve, reject,
	 * accept (a request may go round reject/submit several times) */
	"CREATE TABLE request_events("
	" id INTEGER PRIMARY KEY,"
	" request_id INTEGER NOT NULL REFERENCES requests(id),"
	" action TEXT NOT NULL,"
	" account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" at TEXT NOT NULL,"
	" reason TEXT) STRICT;",
	"CREATE INDEX request_events_req ON request_events(request_id);",
	"CREATE TABLE cards("
	" serial INTEGER PRIMARY KEY,"
	" member_id INTEGER NOT NULL REFERENCES members(id),"
	" line_id INTEGER,"
	" type TEXT NOT NULL CHECK (type IN ('regular', 'linked')),"
	" status TEXT NOT NULL CHECK (status IN ('reserved', 'encoded',"
	"  'issued', 'spoiled', 'lost', 'stolen', 'damaged', 'revoked',"
	"  'replaced')),"
	" chip_serial TEXT,"
	" public_key BLOB,"
	" sod_hash BLOB,"
	" reason TEXT,"
	" replaced_by INTEGER REFERENCES cards(serial),"
	" created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL) STRICT;",
	"CREATE INDEX cards_member ON cards(member_id);",
	"CREATE INDEX cards_line ON cards(line_id);",
	"CREATE TABLE request_lines("
	" id INTEGER PRIMARY KEY,"
	" request_id INTEGER NOT NULL REFERENCES requests(id),"
	" member_id INTEGER NOT NULL REFERENCES members(id),"
	" replaces INTEGER REFERENCES cards(serial),"
	" fee_item TEXT NOT NULL,"
	" fee_vnd INTEGER NOT NULL CHECK (fee_vnd >= 0),"
	" payer TEXT NOT NULL CHECK (payer IN ('province', 'member', 'union')),"
	" UNIQUE (request_id, member_id)) STRICT;",
	"CREATE INDEX request_lines_member ON request_lines(member_id);",
	"CREATE TABLE audit("
	" id INTEGER PRIMARY KEY,"
	" at TEXT NOT NULL,"
	" account TEXT NOT NULL,"
	" unit TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" object TEXT NOT NULL,"
	" details TEXT NOT NULL,"
	" prev_hash BLOB NOT NULL,"
	" hash BLOB NOT NULL) STRICT;",
	"CREATE TABLE audit_head("
	" one INTEGER PRIMARY KEY CHECK (one = 1),"
	" last_id INTEGER NOT NULL,"
	" last_hash BLOB NOT NULL) STRICT;",
	"INSERT INTO audit_head VALUES (1, 0, zeroblob(32));",
	/* Accidents stop here; deliberate edits are caught by the chain. */
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;",
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;",
	/* The documents' figures (docs/ledger.md), valid from 2019-01-01. */
	"INSERT INTO fees VALUES ('regular.first', 17897, 0, NULL, '-');",
	"INSERT INTO fees VALUES ('regular.later', 17897, 10000, NULL, '-');",
	"INSERT INTO fees VALUES ('linked.mandatory', 17897, 0, NULL, '-');",
	"INSERT INTO fees VALUES ('linked.other', 17897, 50000, NULL, '-');",
	"INSERT INTO counters VALUES ('member_seq', 0);",
	"INSERT INTO counters VALUES ('card_serial', 0);",
	NULL,
};

/*
 * Linked cards: the bank application's PAN as the ledger may keep it -
 * HMAC-SHA256 under the bank-link key and the last four digits, never
 * the PAN itself (docs/bank-files.md).
 */
static const char *const migration2[] = {
	"ALTER TABLE cards ADD COLUMN pan_hmac BLOB"
	" CHECK (pan_hmac IS NULL OR length(pan_hmac) = 32);",
	"ALTER TABLE cards ADD COLUMN pan_last4 TEXT"
	" CHECK (pan_last4 IS NULL OR (length(pan_last4) = 4 AND"
	"  pan_last4 NOT GLOB '*[^0-9]*'));",
	"CREATE INDEX cards_pan ON cards(pan_hmac) WHERE pan_hmac IS NOT NULL;",
	NULL,
};

/*
 * The bank liaison's reconciliation: each bank file imported (identified
 * by the SHA-256 of its bytes, so the same file is never imported twice)
 * and its records as the bank reader leaves them - PAN as HMAC + last
 * four, never the PAN (docs/bank-files.md).  The bank's file is its full
 * list: reconciliation reads the newest import only.
 */
static const char *const migration3[] = {
	"CREATE TABLE bank_imports("
	" id INTEGER PRIMARY KEY,"
	" file TEXT NOT NULL,"
	" sha256 BLOB NOT NULL UNIQUE CHECK (length(sha256) = 32),"
	" rows INTEGER NOT NULL CHECK (rows >= 0),"
	" account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" at TEXT NOT NULL) STRICT;",
	"CREATE TABLE bank_records("
	" import_id INTEGER NOT NULL REFERENCES bank_imports(id),"
	" line INTEGER NOT NULL,"
	" member_code TEXT NOT NULL,"
	" card_ref TEXT NOT NULL,"
	" full_name TEXT NOT NULL,"
	" bank_name TEXT NOT NULL,"
	" pan_hmac BLOB CHECK (pan_hmac IS NULL OR length(pan_hmac) = 32),"
	" pan_masked INTEGER NOT NULL CHECK (pan_masked IN (0, 1)),"
	" pan_last4 TEXT NOT NULL CHECK (length(pan_last4) = 4 AND"
	"  pan_last4 NOT GLOB '*[^0-9]*'),"
	" status TEXT NOT NULL CHECK (status IN"
	"  ('active', 'pending', 'blocked', 'closed')),"
	" fee_vnd INTEGER NOT NULL CHECK (fee_vnd >= 0),"
	" issued_on INTEGER NOT NULL,"
	" PRIMARY KEY (import_id, line)) STRICT, WITHOUT ROWID;",
	"CREATE INDEX bank_records_member ON bank_records(import_id,"
	" member_code);",
	/* duplicates by card reference without a sort at reconcile time */
	"CREATE INDEX bank_records_card_ref ON bank_records(import_id,"
	" card_ref);",
	NULL,
};

/*
 * Stations' claims: which station bound a reserved card to its chip
 * ("HOST/PID") and when (unix seconds), so that a station on another
 * machine tells a line another station is writing now from one left
 * bound by a run that died (applets-spec/station-recovery.md).
 */
static const char *const migration4[] = {
	"ALTER TABLE cards ADD COLUMN bound_by TEXT"
	" CHECK (bound_by IS NULL OR length(bound_by) BETWEEN 1 AND 127);",
	"ALTER TABLE cards ADD COLUMN bound_at INTEGER"
	" CHECK (bound_at IS NULL OR bound_at >= 0);",
	NULL,
};

/*
 * Keeping records right: a member withdrawn (wrongly entered, or
 * rejected for good) keeps its row for the audit but counts no more; a
 * withdrawn request (draft or rejected) frees its members.  The status
 * CHECKs of migration 1 cannot be widened in place, so withdrawal is a
 * column of its own: the row keeps the status it had (a withdrawn member
 * is set 'rejected', so no later step picks it up).
 */
static const char *const migration5[] = {
	"ALTER TABLE members ADD COLUMN withdrawn_at TEXT;",
	"ALTER TABLE members ADD COLUMN withdrawn_reason TEXT;",
	"ALTER TABLE requests ADD COLUMN withdrawn_at TEXT;",
	NULL,
};

/*
 * Audit seals (docs/audit-seal.md): each signed statement "the trail had
 * ROWS rows ending in HEAD", made by status-list export and audit seal.
 * Kept here and beside the status list; append-only like the trail.
 */
static const char *const migration6[] = {
	"CREATE TABLE audit_seals("
	" id INTEGER PRIMARY KEY,"
	" at TEXT NOT NULL,"
	" rows INTEGER NOT NULL CHECK (rows >= 0),"
	" head BLOB NOT NULL CHECK (length(head) = 32),"
	" seal BLOB NOT NULL,"
	" file TEXT) STRICT;",
	"CREATE TRIGGER audit_seals_no_update BEFORE UPDATE ON audit_seals"
	" BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;",
	"CREATE TRIGGER audit_seals_no_delete BEFORE DELETE ON audit_seals"
	" BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;",
	NULL,
};

/*
 * Progress counts people once, fees are paid, the bank's PANs are
 * compared within one file.
 *
 * progress_daily follows the member rows: a member counts as entered (on
 * entered_day) while its status is a live one - entered, submitted,
 * approved, rejected (waiting for a correction) - and as approved (on
 * approved_day) while it is approved; a withdrawn member (withdrawn_at
 * set, migration 5) counts nowhere, and a member moved to another unit
 * counts there.  national_id is UNIQUE, so each person is one row and
 * counts once.  Triggers keep the counters right on every UPDATE and
 * DELETE of a member, whatever code makes it (a withdrawal, a transfer,
 * a correction); each fires only when the count it keeps changes, so an
 * approval touches the approved count alone.  Members are INSERTed by
 * the import only, which adds its new members to the counter in one
 * statement (members.c): even an INSERT trigger whose WHEN is false
 * costs a fifth of a million-row import.  The counts are rebuilt here
 * under those rules.
 *
 * fee_payments: who paid a request line's fee, when, and the receipt.
 */
#define LIVE "('entered', 'submitted', 'approved', 'rejected')"
/* ORs, not IN (...): an IN list in a trigger builds an ephemeral table
 * at every firing, a hundred microseconds a row */
#define IS_LIVE(row) "((" row ".status = 'entered' OR " row ".status =" \
	" 'submitted' OR " row ".status = 'approved' OR " row ".status =" \
	" 'rejected') AND " row ".withdrawn_at IS NULL)"
#define IS_APPROVED(row) "(" row ".status = 'approved' AND " row \
	".approved_day IS NOT NULL AND " row ".withdrawn_at IS NULL)"
static const char *const migration7[] = {
	/* out of the old place, into the new one, if either counts */
	"CREATE TRIGGER members_progress_entered AFTER UPDATE OF status,"
	" unit_id, entered_day, withdrawn_at ON members"
	" WHEN " IS_LIVE("OLD") " <> " IS_LIVE("NEW") " OR (" IS_LIVE("NEW")
	" AND (OLD.unit_id <> NEW.unit_id OR"
	" OLD.entered_day <> NEW.entered_day))"
	" BEGIN"
	" UPDATE progress_daily SET entered = entered - 1"
	" WHERE " IS_LIVE("OLD") " AND unit_id = OLD.unit_id AND"
	" day = OLD.entered_day;"
	" INSERT INTO progress_daily (unit_id, day, entered, approved)"
	" SELECT NEW.unit_id, NEW.entered_day, 1, 0 WHERE " IS_LIVE("NEW")
	" ON CONFLICT (unit_id, day) DO UPDATE SET entered = entered + 1;"
	" END;",
	"CREATE TRIGGER members_progress_approved AFTER UPDATE OF status,"
	" unit_id, approved_day, withdrawn_at ON members"
	" WHEN " IS_APPROVED("OLD") " <> " IS_APPROVED("NEW") " OR ("
	IS_APPROVED("NEW") " AND (OLD.unit_id <> NEW.unit_id OR"
	" OLD.approved_day <> NEW.approved_day))"
	" BEGIN"
	" UPDATE progress_daily SET approved = approved - 1"
	" WHERE " IS_APPROVED("OLD") " AND unit_id = OLD.unit_id AND"
	" day = OLD.approved_day;"
	" INSERT INTO progress_daily (unit_id, day, entered, approved)"
	" SELECT NEW.unit_id, NEW.approved_day, 0, 1 WHERE "
	IS_APPROVED("NEW")
	" ON CONFLICT (unit_id, day) DO UPDATE SET approved = approved + 1;"
	" END;",
	"CREATE TRIGGER members_progress_delete AFTER DELETE ON members"
	" BEGIN"
	" UPDATE progress_daily SET entered = entered - 1"
	" WHERE " IS_LIVE("OLD") " AND unit_id = OLD.unit_id AND"
	" day = OLD.entered_day;"
	" UPDATE progress_daily SET approved = approved - 1"
	" WHERE " IS_APPROVED("OLD") " AND unit_id = OLD.unit_id AND"
	" day = OLD.approved_day;"
	" END;",
	"DELETE FROM progress_daily;",
	"INSERT INTO progress_daily (unit_id, day, entered, approved)"
	" SELECT unit_id, day, sum(e), sum(a) FROM ("
	"  SELECT unit_id, entered_day AS day, 1 AS e, 0 AS a FROM members"
	"  WHERE status IN " LIVE " AND withdrawn_at IS NULL"
	"  UNION ALL SELECT unit_id, approved_day, 0, 1 FROM members"
	"  WHERE status = 'approved' AND approved_day IS NOT NULL"
	"  AND withdrawn_at IS NULL)"
	" GROUP BY unit_id, day;",
	"CREATE TABLE fee_payments("
	" line_id INTEGER PRIMARY KEY REFERENCES request_lines(id),"
	" paid_by TEXT NOT NULL CHECK (length(paid_by) BETWEEN 1 AND 256),"
	" paid_on INTEGER NOT NULL,"
	" receipt TEXT NOT NULL CHECK (length(receipt) BETWEEN 1 AND 64),"
	" account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" at TEXT NOT NULL) STRICT;",
	/* duplicates by PAN within one bank file */
	"CREATE INDEX bank_records_pan ON bank_records(import_id, pan_hmac)"
	" WHERE pan_hmac IS NOT NULL;",
	NULL,
};
#undef IS_APPROVED
#undef IS_LIVE
#undef LIVE

/*
 * Accounts managed one by one (docs/ledger.md): an account can be
 * disabled; wrong passwords are counted and, past the free tries, lock
 * the account until a time (unix seconds) that grows with each further
 * failure.  Refused logins beyond a few an hour are counted here rather
 * than each written to the audit trail, so that callers who never logged
 * in cannot grow it without bound.  Who submitted a member, so that the
 * same account never approves it.
 */
static const char *const migration8[] = {
	"ALTER TABLE accounts ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0"
	" CHECK (disabled IN (0, 1));",
	"ALTER TABLE accounts ADD COLUMN failed_logins INTEGER NOT NULL"
	" DEFAULT 0 CHECK (failed_logins >= 0);",
	"ALTER TABLE accounts ADD COLUMN locked_until INTEGER"
	" CHECK (locked_until IS NULL OR locked_until >= 0);",
	"CREATE TABLE login_refusals("
	" hour INTEGER PRIMARY KEY,"
	" refused INTEGER NOT NULL CHECK (refused >= 0)) STRICT;",
	/* an account id (no REFERENCES: a column SQLite can drop) */
	"ALTER TABLE members ADD COLUMN submitted_by INTEGER;",
	NULL,
};

/*
 * The printed card: members' photos, and each face printed for a card
 * (the SHA-256 of the PDF sent, where it went, who printed it) with what
 * the operator said of it - confirmed, or misprinted (the card's serial
 * is then spoiled and the member gets a new card under a new serial).
 * IF NOT EXISTS: only new tables, so a file that already has them (one
 * whose version number was set back) upgrades cleanly.
 */
static const char *const migration9[] = {
	"CREATE TABLE IF NOT EXISTS card_faces("
	" id INTEGER PRIMARY KEY,"
	" serial INTEGER NOT NULL REFERENCES cards(serial),"
	" sha256 BLOB NOT NULL CHECK (length(sha256) = 32),"
	" destination TEXT NOT NULL"
	"  CHECK (length(destination) BETWEEN 1 AND 1024),"
	" state TEXT NOT NULL CHECK (state IN"
	"  ('printed', 'confirmed', 'misprinted')),"
	" reason TEXT,"
	" account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" at TEXT NOT NULL) STRICT;",
	"CREATE INDEX IF NOT EXISTS card_faces_serial ON card_faces(serial);",
	/* members' photos, normalised (600 x 800 PNG), one per member */
	"CREATE TABLE IF NOT EXISTS member_photos("
	" member_id INTEGER PRIMARY KEY REFERENCES members(id),"
	" sha256 BLOB NOT NULL CHECK (length(sha256) = 32),"
	" png BLOB NOT NULL CHECK (length(png) BETWEEN 8 AND 8388608),"
	" account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" set_at TEXT NOT NULL) STRICT;",
	NULL,
};

const char *const *const lg_migrations[] = {
	migration1,
	migration2,
	migration3,
	migration4,
	migration5,
	migration6,
	migration7,
	migration8,
	migration9,
};
_Static_assert(sizeof(lg_migrations) / sizeof(lg_migrations[0]) ==
    UC_LEDGER_SCHEMA_VERSION, "UC_LEDGER_SCHEMA_VERSION names the last migration");
const int lg_migration_count =
    (int)(sizeof(lg_migrations) / sizeof(lg_migrations[0]));
