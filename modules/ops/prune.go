package ops

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/erp-foundation/erp/platform/fault"
)

// Prune applies the retention settings: a succeeded backup stays while it is among the
// backup.keep_last newest succeeded ones or younger than backup.keep_days days; a failed one
// stays keep_days days (its error is worth reading). It deletes the others (file and record,
// an audited delete) and returns their ids.
func (s *Service) Prune(ctx context.Context) ([]int64, error) {
	if s.cfg.Mode == "managed" {
		return nil, ErrManaged
	}
	var all []Backup
	if err := s.owner.Gorm(ctx).Where("status <> 'running'").Order("started_at DESC, id DESC").Find(&all).Error; err != nil {
		return nil, err
	}
	cutoff := s.now().Add(-time.Duration(s.cfg.KeepDays) * 24 * time.Hour)
	var doomed []int64
	kept := 0
	for _, b := range all {
		young := b.StartedAt.After(cutoff)
		if b.Status == "succeeded" && kept < s.cfg.KeepLast {
			kept++
			continue
		}
		if young {
			continue
		}
		doomed = append(doomed, b.ID)
	}
	for _, id := range doomed {
		if err := s.Delete(ctx, id); err != nil {
			return nil, err
		}
	}
	return doomed, nil
}

// Delete removes a backup: its file, then its record. A running backup cannot be deleted.
func (s *Service) Delete(ctx context.Context, id int64) error {
	if s.cfg.Mode == "managed" {
		return ErrManaged
	}
	b, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if b.Status == "running" {
		return fault.New(fault.Conflict, "A running backup cannot be deleted.")
	}
	if err := os.Remove(filepath.Join(s.cfg.Dir, b.File)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return errors.New("the backup file could not be removed")
	}
	_, err = s.owner.Change(ctx, "DELETE FROM backups WHERE id = $1", []any{id}, nil)
	return err
}
