package user

import (
	"context"
	"log/slog"

	"github.com/erp-foundation/erp/platform/config"
	"github.com/erp-foundation/erp/platform/requestid"
)

// BootstrapTask creates the configured bootstrap admin on start when no user exists yet.
func (s *Service) BootstrapTask(cfg config.BootstrapAdmin, log *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		created, err := s.Bootstrap(requestid.With(ctx, "bootstrap-admin"), cfg.Email, cfg.FullName, cfg.Password)
		if created {
			log.Info("created the bootstrap admin", "email", cfg.Email)
		}
		return err
	}
}
