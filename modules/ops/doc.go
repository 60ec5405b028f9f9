// Package ops is the operations module: backups that are proven restorable, and a live view of
// the database.
//
// Backups (self-managed mode, the seed's Mode A): pg_dump -Fc of an exported snapshot, streamed
// to backup.dir through a temporary name (fsynced, renamed, the directory fsynced, mode 0600),
// with its SHA-256, size, server version and the row count of every table taken in that same
// snapshot, so a later restore can be compared with what was dumped even while the service kept
// writing. One backup runs at a time across instances (a lease in job_leases that a dead
// instance's backup loses), always as the owner role over a direct connection, never in a
// request's transaction. Verification checks the checksum and pg_restore --list, or (deep)
// restores into a scratch database and compares row counts. Restores go into a new database
// from the API; the command line may replace the live database with --force after a safety
// backup. Retention (backup.keep_last, backup.keep_days) and an optional cron schedule
// (backup.schedule). In managed mode (the seed's Mode B) the backup routes answer 409.
//
// Tables: backups (audited as entity "backup"), backup_restores, job_leases. Routes:
// /api/v1/ops/backups..., /api/v1/ops/db (admin only). Commands: erp backup create|list|verify|
// restore|prune.
package ops
