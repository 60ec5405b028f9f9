package audit

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/requestid"
)

// Archiver moves whole months of audit events out of the database into files in dir, and back.
// A month goes through: detached (the partition no longer serves queries but its rows are
// still in the database), written (the file is complete and recorded), archived (verified
// against the rows, then the partition dropped). Every step is recorded in audit_archives, so a
// run that stops anywhere leaves the rows in the database and the next run finishes the job.
type Archiver struct {
	owner *database.DB
	dir   string
	now   func() time.Time
	// afterDetach, when set (tests), runs once a month is detached and before it is written.
	afterDetach func(month time.Time) error
}

// NewArchiver returns an archiver working as the owner role, writing into dir.
func NewArchiver(owner *database.DB, dir string) *Archiver {
	return &Archiver{owner: owner, dir: dir, now: time.Now}
}

// MonthResult says what an archive run did with one month.
type MonthResult struct {
	Month  time.Time
	Rows   int64
	File   string
	SHA256 string
	// Done is false on a dry run.
	Done bool
}

// monthTimeout bounds the archiving of one month (a hung database must not hold the job forever;
// an interrupted month is finished by the next run).
const monthTimeout = time.Hour

// archiveColumns is the column list of archive files, in order.
const archiveColumns = "id, occurred_at, actor_user_id, action, entity_type, entity_id, request_id, changes"

// Archive archives every whole month before the month of before (UTC): months whose partition
// is still attached, and months a previous run left unfinished. With dryRun it only reports
// what it would do. It runs on one instance at a time (database.ErrBusy otherwise).
func (a *Archiver) Archive(ctx context.Context, before time.Time, dryRun bool) ([]MonthResult, error) {
	limit := monthOf(before)
	if limit.After(monthOf(a.now())) {
		return nil, fmt.Errorf("archive: --before %s is after the current month: only past months can be archived", limit.Format("2006-01"))
	}
	ctx = requestid.With(ctx, "job-archive")
	var results []MonthResult
	err := a.owner.Exclusive(ctx, partitionsLock, func(ctx context.Context) error {
		if err := a.partitionStrays(ctx, limit, dryRun); err != nil {
			return err
		}
		months, err := a.candidates(ctx, limit)
		if err != nil {
			return err
		}
		for _, m := range months {
			monthCtx, cancel := context.WithTimeout(ctx, monthTimeout)
			r, err := a.archiveMonth(monthCtx, m, dryRun)
			cancel()
			if err != nil {
				return fmt.Errorf("archive %s: %w (its rows are still in the database; run the command again)", m.Format("2006-01"), err)
			}
			results = append(results, r)
		}
		return nil
	})
	return results, err
}

// partitionStrays gives the past months whose events fell into the default partition a
// partition of their own, so that they are archived like the others.
func (a *Archiver) partitionStrays(ctx context.Context, limit time.Time, dryRun bool) error {
	var months []time.Time
	err := a.owner.Query(ctx, `SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC')
		FROM audit_events_default WHERE occurred_at < $1`, []any{limit}, func(row pgx.CollectableRow) error {
		var m time.Time
		if err := row.Scan(&m); err != nil {
			return err
		}
		months = append(months, m)
		return nil
	})
	if err != nil || dryRun {
		return err
	}
	for _, m := range months {
		if _, err := a.owner.Change(ctx, "SELECT audit_ensure_partitions($1, 1)", []any{m}, nil); err != nil {
			return err
		}
	}
	return nil
}

// candidates lists the months to archive: attached monthly partitions before limit, and
// months recorded as not yet archived.
func (a *Archiver) candidates(ctx context.Context, limit time.Time) ([]time.Time, error) {
	var months []time.Time
	err := a.owner.Query(ctx, `
		SELECT to_date(substr(c.relname, 15), 'YYYY"m"MM')::timestamp AS month
		FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'audit_events'::regclass AND c.relname LIKE 'audit\_events\_y%'
		UNION
		SELECT month::timestamp FROM audit_archives WHERE status <> 'archived'
		ORDER BY 1`, nil, func(row pgx.CollectableRow) error {
		var m time.Time
		if err := row.Scan(&m); err != nil {
			return err
		}
		m = time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, time.UTC)
		if m.Before(limit) {
			months = append(months, m)
		}
		return nil
	})
	return months, err
}

// archiveMonth takes one month from wherever it stands to archived.
func (a *Archiver) archiveMonth(ctx context.Context, month time.Time, dryRun bool) (MonthResult, error) {
	r := MonthResult{Month: month, File: filepath.Join(a.dir, archiveFileName(month))}
	part := partitionName(month)
	if dryRun {
		err := a.owner.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{part}.Sanitize(), nil, &r.Rows)
		return r, err
	}
	status, err := a.status(ctx, month)
	if err != nil {
		return r, err
	}
	if status == "" || status == "archived" { // archived before, restored since: archive it again
		if err := a.detach(ctx, month, r.File); err != nil {
			return r, err
		}
		if a.afterDetach != nil {
			if err := a.afterDetach(month); err != nil {
				return r, err
			}
		}
	}
	if err := a.owner.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{part}.Sanitize(), nil, &r.Rows); err != nil {
		return r, err
	}
	if r.SHA256, err = a.write(ctx, part, r.File, r.Rows); err != nil {
		return r, err
	}
	if err := a.record(ctx, month, "written", r.Rows, r.SHA256); err != nil {
		return r, err
	}
	if err := verifyFile(r.File, r.SHA256, r.Rows); err != nil {
		return r, err
	}
	err = a.owner.Write(ctx, func(ctx context.Context) error {
		if _, err := a.owner.Change(ctx, "DROP TABLE "+pgx.Identifier{part}.Sanitize(), nil, nil); err != nil {
			return err
		}
		return a.record(ctx, month, "archived", r.Rows, r.SHA256)
	})
	r.Done = err == nil
	return r, err
}

// status is the month's recorded archive status, "" when none.
func (a *Archiver) status(ctx context.Context, month time.Time) (string, error) {
	var status string
	err := a.owner.QueryRow(ctx, "SELECT status FROM audit_archives WHERE month = $1", []any{month}, &status)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return status, err
}

// detach takes the month's partition out of audit_events (its rows stay in the table) and
// records that, in one transaction.
func (a *Archiver) detach(ctx context.Context, month time.Time, file string) error {
	return a.owner.Write(ctx, func(ctx context.Context) error {
		q := "ALTER TABLE audit_events DETACH PARTITION " + pgx.Identifier{partitionName(month)}.Sanitize()
		if _, err := a.owner.Change(ctx, q, nil, nil); err != nil {
			return err
		}
		_, err := a.owner.Change(ctx, `INSERT INTO audit_archives (month, file, status) VALUES ($1, $2, 'detached')
			ON CONFLICT (month) DO UPDATE SET file = EXCLUDED.file, status = 'detached', rows = NULL, sha256 = NULL,
				started_at = now(), finished_at = NULL`, []any{month, file}, nil)
		return err
	})
}

// record stores the month's progress.
func (a *Archiver) record(ctx context.Context, month time.Time, status string, rows int64, sum string) error {
	_, err := a.owner.Change(ctx, `UPDATE audit_archives SET status = $2, rows = $3, sha256 = $4,
		finished_at = CASE WHEN $2 = 'archived' THEN now() END WHERE month = $1`, []any{month, status, rows, sum}, nil)
	return err
}

func monthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func partitionName(month time.Time) string { return month.Format("audit_events_y2006m01") }

func archiveFileName(month time.Time) string { return month.Format("audit_events_2006-01.csv.gz") }
