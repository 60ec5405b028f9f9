// Package audit serves the audit trail and keeps it in shape.
//
// Events are written by the database, not by this package: a row trigger (audit_row, see the
// migration 202612010002_audit_create) on every audited table records each create, update and
// delete in the same transaction as the change, with the actor and request id the seam
// (platform/database) sets in that transaction. So no write path can skip it, including changes
// made outside the service (their actor is null).
//
// Tables: audit_events (partitioned by month on occurred_at, with a default partition),
// audit_archives (months written to archive files). Routes: GET /api/v1/audit-events (admin:
// every event; staff: their own). Jobs and commands: partition maintenance (`erp partitions
// ensure`, and on a schedule inside serve), archiving (`erp archive audit --before YYYY-MM`,
// `erp archive restore FILE`).
package audit
