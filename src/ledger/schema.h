/*
 * schema.h - the ledger's migrations (schema.c).
 */
#ifndef UC_LEDGER_SCHEMA_H
#define UC_LEDGER_SCHEMA_H

/* lg_migrations[i] takes user_version i to i + 1. */
extern const char *const *const lg_migrations[];
extern const int lg_migration_count;

#endif /* UC_LEDGER_SCHEMA_H */
