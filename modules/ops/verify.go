package ops

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/logging"
)

// Check is one verification step.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

// Verification is the outcome of a quick verification.
type Verification struct {
	OK     bool    `json:"ok"`
	Checks []Check `json:"checks"`
}

// Get returns the backup with id, or ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (*Backup, error) {
	return database.Get[Backup](ctx, s.owner, id, ErrNotFound)
}

// succeeded returns the backup with id when this service manages backups and that one
// succeeded: only those can be verified or restored (what names the action in the 409).
func (s *Service) succeeded(ctx context.Context, id int64, what string) (*Backup, error) {
	if s.cfg.Mode == "managed" {
		return nil, ErrManaged
	}
	b, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if b.Status != "succeeded" {
		return nil, fault.New(fault.Conflict, "Only a succeeded backup can be "+what+"; this one is "+b.Status+".")
	}
	return b, nil
}

// Verify checks a succeeded backup's file: its SHA-256 is the recorded one and pg_restore
// reads its table of contents. The outcome is recorded on the backup (an audited update).
func (s *Service) Verify(ctx context.Context, id int64) (*Verification, error) {
	b, err := s.succeeded(ctx, id, "verified")
	if err != nil {
		return nil, err
	}
	v := &Verification{OK: true}
	add := func(name string, err error) {
		c := Check{Name: name, OK: err == nil}
		if err != nil {
			c.Detail = plainError(err)
			v.OK = false
		}
		v.Checks = append(v.Checks, c)
	}
	path := filepath.Join(s.cfg.Dir, b.File)
	sum, err := fileSHA256(path)
	if err == nil && (b.SHA256 == nil || sum != *b.SHA256) {
		err = fmt.Errorf("the file's SHA-256 is %s, the backup recorded %s: the file changed since it was written", sum, deref(b.SHA256))
	}
	add("checksum", err)
	add("pg_restore --list", s.tools.run(ctx, nil, "pg_restore", "", "--list", path))
	return v, s.recordVerification(ctx, id, v.OK, firstFailure(v))
}

// VerifyDeep starts a full restore of the backup into a scratch database, compares every
// table's row count with the counts recorded in the backup's snapshot, and drops the scratch
// database. It returns at once; the backup's verification goes running, then ok or failed.
func (s *Service) VerifyDeep(ctx context.Context, id int64) (*Backup, error) {
	b, err := s.succeeded(ctx, id, "verified")
	if err != nil {
		return nil, err
	}
	if _, err := s.owner.Change(ctx, "UPDATE backups SET verification = 'running', verification_error = NULL WHERE id = $1",
		[]any{id}, nil); err != nil {
		return nil, err
	}
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		ctx := context.WithoutCancel(ctx)
		err := s.deepVerify(ctx, b)
		if err != nil {
			s.log.Warn("deep verification failed", "backup", id, "error", err.Error())
		}
		if rerr := s.recordVerification(ctx, id, err == nil, errString(err)); rerr != nil {
			s.log.Error("recording a verification failed", "backup", id, "error", rerr.Error())
		}
	}()
	return s.Get(ctx, id)
}

// deepVerify restores b into a scratch database and compares row counts.
func (s *Service) deepVerify(ctx context.Context, b *Backup) error {
	scratch := "erp_verify_" + strconv.FormatInt(b.ID, 10) + "_" + fmt.Sprintf("%x", randomBytes(4))
	if err := s.restoreInto(ctx, s.owner, b, scratch); err != nil {
		return err
	}
	defer func() {
		if err := s.owner.Admin(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+scratch+" WITH (FORCE)"); err != nil {
			s.log.Warn("dropping a scratch database failed", "database", scratch, "error", err.Error())
		}
	}()
	restored, err := s.openDatabase(ctx, scratch)
	if err != nil {
		return err
	}
	defer restored.Close()
	return compareWithRecord(ctx, restored, b)
}

// compareWithRecord checks every table of d against the counts and content hashes recorded
// with b.
func compareWithRecord(ctx context.Context, d *database.DB, b *Backup) error {
	gotCounts, gotHashes, err := fingerprint(ctx, d)
	if err != nil {
		return err
	}
	wantCounts, wantHashes, err := b.recorded()
	if err != nil {
		return err
	}
	for table, n := range wantCounts {
		if gotCounts[table] != n {
			return fmt.Errorf("table %s has %d rows after the restore, the backup recorded %d", table, gotCounts[table], n)
		}
		if want, ok := wantHashes[table]; ok && gotHashes[table] != want {
			return fmt.Errorf("table %s's content differs from the snapshot the backup recorded", table)
		}
	}
	return nil
}

// openDatabase connects as the owner to another database of the same server.
func (s *Service) openDatabase(ctx context.Context, name string) (*database.DB, error) {
	u, err := url.Parse(s.tools.url)
	if err != nil {
		return nil, errors.New("the owner's URL is not a URL")
	}
	u.Path = "/" + name
	cfg := s.owner.Config()
	cfg.URL, cfg.PoolSize, cfg.MaxOverflow = u.String(), 1, 1
	return database.Open(ctx, database.Options{Config: cfg, Logger: logging.Discard(), ApplicationName: "erp-ops"})
}

func (s *Service) recordVerification(ctx context.Context, id int64, ok bool, message string) error {
	status := "ok"
	var msg *string
	if !ok {
		status, msg = "failed", &message
	}
	_, err := s.owner.Change(ctx, "UPDATE backups SET verification = $2, verified_at = $3, verification_error = $4 WHERE id = $1",
		[]any{id, status, s.now(), msg}, nil)
	return err
}

func firstFailure(v *Verification) string {
	for _, c := range v.Checks {
		if !c.OK {
			return c.Name + ": " + c.Detail
		}
	}
	return ""
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return plainError(err)
}

func deref(s *string) string {
	if s == nil {
		return "nothing"
	}
	return *s
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path) //nolint:gosec // a file of the backup directory
	if err != nil {
		return "", errors.New("the backup file is missing from the backup directory")
	}
	defer func() { _ = f.Close() }()
	return hashReader(f)
}
