package ops

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"path/filepath"
	"regexp"

	"github.com/jackc/pgx/v5"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/fault"
)

var databaseName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`) //nolint:gochecknoglobals // a compiled constant

// ErrRestoreNotFound means no restore has the requested id for that backup.
var ErrRestoreNotFound = fault.New(fault.NotFound, "Restore not found.")

// Restore restores a succeeded backup into a new database target (1-63 characters
// [a-z0-9_], starting with a letter) and returns the restore's record (status running); the
// work runs in the background. An existing database is never overwritten (409).
func (s *Service) Restore(ctx context.Context, id int64, target string) (*Restore, error) {
	if s.cfg.Mode == "managed" {
		return nil, ErrManaged
	}
	if !databaseName.MatchString(target) {
		return nil, fault.Validation(fault.Field("target_database", "must be 1-63 characters of a-z, 0-9 and _, starting with a letter"))
	}
	b, err := s.succeeded(ctx, id, "restored")
	if err != nil {
		return nil, err
	}
	var exists bool
	if err := s.owner.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", []any{target}, &exists); err != nil {
		return nil, err
	}
	if exists {
		return nil, &fault.Error{Kind: fault.Conflict, Detail: "The database " + target + " already exists: restores go into a new database only.",
			Fields: []fault.FieldError{fault.Field("target_database", "already exists")}}
	}
	var r Restore
	err = s.owner.Gorm(ctx).Raw(`INSERT INTO backup_restores (backup_id, target_database, status) VALUES (?, ?, 'running') RETURNING *`,
		id, target).Scan(&r).Error
	if err != nil {
		return nil, err
	}
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		ctx := context.WithoutCancel(ctx)
		err := s.restoreInto(ctx, s.owner, b, target)
		status, msg := "succeeded", (*string)(nil)
		if err != nil {
			status = "failed"
			m := plainError(err)
			msg = &m
			s.log.Warn("restore failed", "backup", id, "database", target, "error", m)
		}
		err = s.owner.Write(ctx, func(ctx context.Context) error {
			if _, err := s.owner.Change(ctx, "UPDATE backup_restores SET status = $2, error = $3, finished_at = $4 WHERE id = $1",
				[]any{r.ID, status, msg, s.now()}, nil); err != nil {
				return err
			}
			if status != "succeeded" {
				return nil
			}
			_, err := s.owner.Change(ctx, "UPDATE backups SET restored_at = $2 WHERE id = $1", []any{id, s.now()}, nil)
			return err
		})
		if err != nil {
			s.log.Error("recording a restore failed", "restore", r.ID, "error", err.Error())
		}
	}()
	return &r, nil
}

// GetRestore returns the restore with id of backup backupID.
func (s *Service) GetRestore(ctx context.Context, backupID, id int64) (*Restore, error) {
	var r Restore
	res := s.owner.Gorm(ctx).Where("backup_id = ? AND id = ?", backupID, id).Limit(1).Find(&r)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, ErrRestoreNotFound
	}
	return &r, nil
}

// restoreInto creates database name (through admin, a connection to another database of the
// server) and restores b into it with pg_restore; a failure drops what it created.
func (s *Service) restoreInto(ctx context.Context, admin *database.DB, b *Backup, name string) error {
	major, err := serverMajor(ctx, admin)
	if err != nil {
		return err
	}
	if err := s.tools.checkVersion(ctx, "pg_restore", major); err != nil {
		return err
	}
	path := filepath.Join(s.cfg.Dir, b.File)
	if _, err := fileSHA256(path); err != nil {
		return err
	}
	if err := admin.Admin(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return err
	}
	if err := s.tools.run(ctx, nil, "pg_restore", name, "--exit-on-error", "--no-password", "--dbname="+name, path); err != nil {
		_ = admin.Admin(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		return err
	}
	return nil
}

func hashReader(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", errors.New("the backup file could not be read")
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
