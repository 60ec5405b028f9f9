package ops

import (
	"context"
	"errors"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/requestid"
)

// Schedule takes a backup at every time the cron expression names (UTC) until ctx ends. Every
// instance runs the schedule; the backup lease lets one of them take each backup and the others
// skip it. It also loads the last success for the metrics at start.
func (s *Service) Schedule(expr string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		s.loadLastSuccess(ctx)
		if expr == "" || s.cfg.Mode == "managed" {
			<-ctx.Done()
			return nil
		}
		sched, err := cron.ParseStandard(expr)
		if err != nil {
			return err
		}
		for {
			next := sched.Next(s.now().UTC())
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(time.Until(next)):
			}
			_, err := s.Create(requestid.With(ctx, "job-backup-"+next.Format("20060102T1504")))
			var fe *fault.Error
			switch {
			case errors.As(err, &fe) && fe.Kind == fault.Conflict:
				s.log.Info("scheduled backup skipped: another instance is taking it")
			case err != nil:
				s.log.Warn("scheduled backup could not start", "error", err.Error())
			}
		}
	}
}

func (s *Service) loadLastSuccess(ctx context.Context) {
	var at *time.Time
	if err := s.owner.QueryRow(ctx, "SELECT max(finished_at) FROM backups WHERE status = 'succeeded'", nil, &at); err == nil && at != nil {
		s.metrics.known(*at)
	}
}
