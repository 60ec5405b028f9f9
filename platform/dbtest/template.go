package dbtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/logging"
)

// createTemplate builds this test binary's migrated template database. Every binary builds its
// own (a few hundred milliseconds), so a changed migration can never meet a stale template,
// even on a long-lived server at TEST_DATABASE_URL; Main drops it at the end.
func (s *Server) createTemplate(ctx context.Context) (string, error) {
	name := "tmpl_" + strings.ToLower(rand.Text()[:16])
	if _, err := s.admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	d, err := database.Open(ctx, database.Options{
		Config: TestPoolConfig(withDatabase(s.adminURL, name)).Owner(), Logger: logging.Discard(), ApplicationName: "dbtest",
	})
	if err != nil {
		return "", err
	}
	err = s.migrate(ctx, d)
	d.Close() // a template must have no connections when it is copied
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	if _, err := s.admin.Exec(ctx, "ALTER DATABASE "+name+" IS_TEMPLATE true"); err != nil {
		return "", fmt.Errorf("mark template: %w", err)
	}
	return name, nil
}

// dropTemplate removes the template at the end of the run.
func (s *Server) dropTemplate(ctx context.Context) {
	if s.template == "" {
		return
	}
	_, _ = s.admin.Exec(ctx, "ALTER DATABASE "+s.template+" IS_TEMPLATE false")
	_, _ = s.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+s.template+" WITH (FORCE)")
}
