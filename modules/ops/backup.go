package ops

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/erp-foundation/erp/platform/app"
	"github.com/erp-foundation/erp/platform/config"
	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/fault"
)

// Lease timing: a running backup renews its lease every leaseRenew; a lease not renewed for
// leaseTTL (the instance died) may be taken over, and its backup is marked failed.
const (
	leaseTTL   = 30 * time.Second
	leaseRenew = 10 * time.Second
	// dumpTimeout bounds one pg_dump (a hung database must not hold the job forever).
	dumpTimeout = 6 * time.Hour
)

// Service runs backups, verifications and restores as the owner role over a direct connection
// (never in a request's transaction), and reads their records for the API.
type Service struct {
	owner   *database.DB
	tools   tools
	cfg     config.Backup
	log     *slog.Logger
	metrics *Metrics
	holder  string
	now     func() time.Time

	jobs sync.WaitGroup
	// killHook, when set (tests), runs with the pg_dump process once it has started.
	started func(pid int)
}

// NewService returns the operations service; ownerURL is the owner's connection URL (for
// pg_dump and pg_restore), bin the directory of the client tools (empty: PATH).
func NewService(owner *database.DB, ownerURL, bin string, cfg config.Backup, log *slog.Logger, metrics *Metrics) *Service {
	host, _ := os.Hostname()
	return &Service{
		owner: owner, tools: tools{bin: bin, url: ownerURL}, cfg: cfg, log: log, metrics: metrics,
		holder: host + "-" + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(randomBytes(4)), now: time.Now,
	}
}

// Errors of the operations module.
var (
	// ErrNotFound means no backup (or restore) has the requested id.
	ErrNotFound = fault.New(fault.NotFound, "Backup not found.")
	// ErrManaged answers every backup route in managed mode.
	ErrManaged = fault.New(fault.Conflict, "Backups are managed by the cloud provider (backup.mode: managed): use its "+
		"backups and point-in-time recovery; see the README.")
)

// Wait blocks until the jobs this process started have finished (tests, shutdown).
func (s *Service) Wait() { s.jobs.Wait() }

// Create starts a backup and returns its record (status running); the dump runs in the
// background. A second backup while one runs, on any instance, is a 409.
func (s *Service) Create(ctx context.Context) (*Backup, error) {
	if s.cfg.Mode == config.BackupManaged {
		return nil, ErrManaged
	}
	major, err := serverMajor(ctx, s.owner)
	if err != nil {
		return nil, err
	}
	if err := s.tools.checkVersion(ctx, "pg_dump", major); err != nil {
		return nil, &fault.Error{Kind: fault.Unavailable, Detail: err.Error(), Err: err}
	}
	b, err := s.claim(ctx)
	if err != nil {
		return nil, err
	}
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		s.run(context.WithoutCancel(ctx), b)
	}()
	return b, nil
}

// claim takes the backup lease and records the new backup, in one transaction. An expired
// lease (its instance died) is taken over and its backup marked failed.
func (s *Service) claim(ctx context.Context) (*Backup, error) {
	var b Backup
	err := s.owner.Write(ctx, func(ctx context.Context) error {
		var stale *int64
		var holder string
		var expires time.Time
		err := s.owner.QueryRow(ctx, "SELECT holder, subject_id, expires_at FROM job_leases WHERE name = 'backup' FOR UPDATE",
			nil, &holder, &stale, &expires)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		case expires.After(s.now()):
			detail := "A backup is already running"
			if stale != nil {
				detail += " (backup " + strconv.FormatInt(*stale, 10) + ")"
			}
			return fault.New(fault.Conflict, detail+". Wait for it to finish.")
		case stale != nil:
			if err := s.finishBackup(ctx, *stale, "failed", "The instance running this backup stopped before it finished (its lease expired).", nil); err != nil {
				return err
			}
		}
		name := "erp-" + s.now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(randomBytes(3)) + ".dump"
		err = s.owner.Gorm(ctx).Raw(`INSERT INTO backups (status, file) VALUES ('running', ?) RETURNING *`, name).Scan(&b).Error
		if err != nil {
			return err
		}
		_, err = s.owner.Change(ctx, `INSERT INTO job_leases (name, holder, subject_id, expires_at) VALUES ('backup', $1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, subject_id = EXCLUDED.subject_id, expires_at = EXCLUDED.expires_at`,
			[]any{s.holder, b.ID, s.now().Add(leaseTTL)}, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// run takes the dump, keeping the lease alive, and records the outcome.
func (s *Service) run(ctx context.Context, b *Backup) {
	start := s.now()
	leaseCtx, stopLease := context.WithCancel(ctx)
	go func() { _ = app.Every(leaseRenew, s.renewLease)(leaseCtx) }()
	result, err := s.dump(ctx, b)
	stopLease()
	status, message := "succeeded", ""
	if err != nil {
		status, message = "failed", plainError(err)
		s.log.Warn("backup failed", "backup", b.ID, "error", message)
	}
	if err := s.owner.Write(ctx, func(ctx context.Context) error {
		if err := s.finishBackup(ctx, b.ID, status, message, result); err != nil {
			return err
		}
		_, err := s.owner.Change(ctx, "DELETE FROM job_leases WHERE name = 'backup' AND holder = $1", []any{s.holder}, nil)
		return err
	}); err != nil {
		s.log.Error("recording the backup's outcome failed; its lease will expire", "backup", b.ID, "error", err.Error())
	}
	s.metrics.observe(status == "succeeded", s.now().Sub(start), result)
	if status == "succeeded" {
		if _, err := s.Prune(ctx); err != nil {
			s.log.Warn("pruning backups failed", "error", err.Error())
		}
	}
}

// dumpResult is what a succeeded dump records.
type dumpResult struct {
	size          int64
	sum           string
	serverVersion string
	counts        map[string]int64
	hashes        map[string]string
}

// dump writes the backup file: pg_dump -Fc of the snapshot in which the row counts are taken,
// streamed to a temporary name in the backup directory, fsynced, renamed when complete, the
// directory fsynced, mode 0600.
func (s *Service) dump(ctx context.Context, b *Backup) (*dumpResult, error) {
	ctx, cancel := context.WithTimeout(ctx, dumpTimeout)
	defer cancel()
	if err := os.MkdirAll(s.cfg.Dir, 0o700); err != nil {
		return nil, err
	}
	tmp, err := os.OpenFile(filepath.Join(s.cfg.Dir, ".backup-"+strconv.FormatInt(b.ID, 10)+".tmp"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // gone after the rename; cleans up a failure
	res := &dumpResult{}
	hash := sha256.New()
	counter := &countingWriter{}
	out := io.MultiWriter(tmp, hash, counter)
	appName := "erp-backup-" + strconv.FormatInt(b.ID, 10)
	var dumpErr error
	done := make(chan struct{})
	started := false
	err = s.owner.Snapshot(ctx, func(ctx context.Context, snapshot string) error {
		if err := s.owner.QueryRow(ctx, "SHOW server_version", nil, &res.serverVersion); err != nil {
			return err
		}
		counts, hashes, err := fingerprint(ctx, s.owner)
		if err != nil {
			return err
		}
		res.counts, res.hashes = counts, hashes
		// --verbose: pg_dump's first message comes after it imported the snapshot.
		cmd, err := s.tools.command(ctx, "pg_dump", "", "--format=custom", "--no-password", "--verbose", "--snapshot="+snapshot)
		if err != nil {
			return err
		}
		cmd.Env = append(cmd.Env, "PGAPPNAME="+appName)
		stderr := &limitedBuffer{spoke: make(chan struct{})}
		cmd.Stdout, cmd.Stderr = out, stderr
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("pg_dump could not start: %w", err)
		}
		started = true
		if s.started != nil {
			s.started(cmd.Process.Pid)
		}
		go func() {
			defer close(done)
			if err := cmd.Wait(); err != nil {
				dumpErr = fmt.Errorf("pg_dump failed (%s): %s", exitReason(err), lastLine(stderr.String()))
			}
		}()
		// The exporting transaction may end once pg_dump has imported the snapshot.
		select {
		case <-stderr.spoke:
		case <-done:
		case <-ctx.Done():
			return ctx.Err()
		}
		return nil
	})
	if err != nil {
		cancel()
		if started {
			<-done
		}
		return nil, err
	}
	<-done
	if dumpErr != nil {
		return nil, dumpErr
	}
	if err := errors.Join(tmp.Sync(), tmp.Close()); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(s.cfg.Dir, b.File)); err != nil {
		return nil, err
	}
	if err := syncDir(s.cfg.Dir); err != nil {
		return nil, err
	}
	res.size, res.sum = counter.n, hex.EncodeToString(hash.Sum(nil))
	return res, nil
}

// fingerprint returns, for every table of the public schema (partitioned tables through their
// parent), its row count and a hash of its content (the MD5 of its rows' MD5s in sorted order,
// so it does not depend on row order), in ctx's snapshot.
func fingerprint(ctx context.Context, d *database.DB) (map[string]int64, map[string]string, error) {
	var tables []string
	err := d.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`, nil,
		func(row pgx.CollectableRow) error {
			var t string
			err := row.Scan(&t)
			tables = append(tables, t)
			return err
		})
	if err != nil {
		return nil, nil, err
	}
	counts, hashes := make(map[string]int64, len(tables)), make(map[string]string, len(tables))
	for _, t := range tables {
		var n int64
		var h string
		q := "SELECT count(*), coalesce(md5(string_agg(h, '' ORDER BY h)), '') FROM (SELECT md5(t::text) AS h FROM " +
			pgx.Identifier{t}.Sanitize() + " t) rows"
		if err := d.QueryRow(ctx, q, nil, &n, &h); err != nil {
			return nil, nil, err
		}
		counts[t], hashes[t] = n, h
	}
	return counts, hashes, nil
}

// renewLease extends the backup lease (every leaseRenew while a backup runs).
func (s *Service) renewLease(ctx context.Context) {
	if _, err := s.owner.Change(ctx, "UPDATE job_leases SET expires_at = $2 WHERE name = 'backup' AND holder = $1",
		[]any{s.holder, s.now().Add(leaseTTL)}, nil); err != nil && ctx.Err() == nil {
		s.log.Warn("renewing the backup lease failed", "error", err.Error())
	}
}

// finishBackup records a backup's outcome.
func (s *Service) finishBackup(ctx context.Context, id int64, status, message string, r *dumpResult) error {
	var size *int64
	var sum, version *string
	var counts, hashes []byte
	if r != nil {
		size, sum, version = &r.size, &r.sum, &r.serverVersion
		counts, _ = json.Marshal(r.counts)
		hashes, _ = json.Marshal(r.hashes)
	}
	var errMsg *string
	if message != "" {
		errMsg = &message
	}
	_, err := s.owner.Change(ctx, `UPDATE backups SET status = $2, error = $3, size_bytes = $4, sha256 = $5,
		server_version = $6, row_counts = $7::jsonb, table_hashes = $8::jsonb, finished_at = $9 WHERE id = $1 AND status = 'running'`,
		[]any{id, status, errMsg, size, sum, version, nullJSON(counts), nullJSON(hashes), s.now()}, nil)
	return err
}

func serverMajor(ctx context.Context, d *database.DB) (int, error) {
	var num int
	if err := d.QueryRow(ctx, "SELECT current_setting('server_version_num')::int", nil, &num); err != nil {
		return 0, err
	}
	return num / 10000, nil
}

func nullJSON(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// plainError is a backup error as clients may read it: a plain message, never SQL text, a
// password or a path outside the backup directory.
func plainError(err error) string {
	var pathErr *os.PathError
	if errors.As(err, &pathErr) {
		return "the backup file could not be written: " + pathErr.Err.Error()
	}
	msg := err.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	return msg
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// limitedBuffer keeps the last 8 KiB written (a tool's stderr) and closes spoke (when set) at
// the first write.
type limitedBuffer struct {
	mu    sync.Mutex
	b     []byte
	spoke chan struct{}
	once  sync.Once
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.spoke != nil {
		l.once.Do(func() { close(l.spoke) })
	}
	l.b = append(l.b, p...)
	if len(l.b) > 8<<10 {
		l.b = l.b[len(l.b)-8<<10:]
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.b)
}

func syncDir(dir string) error {
	d, err := os.Open(dir) //nolint:gosec // the backup directory
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
