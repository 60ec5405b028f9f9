package ops

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/erp-foundation/erp/platform/config"
	"github.com/erp-foundation/erp/platform/fault"
)

// ReplaceLive replaces the live database (the owner URL's) with backup id: it first takes a
// safety backup of the live database (which must succeed), then drops the live database and
// restores the backup under its name, through a connection to the server's maintenance
// database. Only the command line offers this, with --force. It returns the safety backup.
func (s *Service) ReplaceLive(ctx context.Context, id int64) (*Backup, error) {
	if s.cfg.Mode == config.BackupManaged {
		return nil, ErrManaged
	}
	b, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if b.Status != "succeeded" {
		return nil, fault.New(fault.Conflict, "Only a succeeded backup can be restored; this one is "+b.Status+".")
	}
	u, err := url.Parse(s.tools.url)
	if err != nil {
		return nil, errors.New("the owner's URL is not a URL")
	}
	live := strings.TrimPrefix(u.Path, "/")
	safety, err := s.Create(ctx)
	if err != nil {
		return nil, fmt.Errorf("the safety backup could not start: %w", err)
	}
	s.Wait()
	if safety, err = s.Get(ctx, safety.ID); err != nil {
		return nil, err
	}
	if safety.Status != "succeeded" {
		return safety, fmt.Errorf("the safety backup %d failed (%s): the live database was not touched", safety.ID, deref(safety.Error))
	}
	maintenance, err := s.openDatabase(ctx, "postgres")
	if err != nil {
		return safety, err
	}
	defer maintenance.Close()
	s.owner.Close() // its connections go with the database
	if err := maintenance.Admin(ctx, "DROP DATABASE "+pgx.Identifier{live}.Sanitize()+" WITH (FORCE)"); err != nil {
		return safety, err
	}
	if err := s.restoreInto(ctx, maintenance, b, live); err != nil {
		return safety, fmt.Errorf("the restore failed after the live database was dropped; restore the safety backup %d "+
			"(file %s) with pg_restore: %w", safety.ID, safety.File, err)
	}
	return safety, nil
}
