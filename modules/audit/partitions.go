package audit

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/requestid"
)

// partitionsLock keeps partition maintenance and archiving to one process at a time.
const partitionsLock = 7_202_612_010

// ensureTimeout bounds one partition maintenance run (it may move rows out of the default
// partition).
const ensureTimeout = 5 * time.Minute

// Partitions keeps the monthly partitions of audit_events ready, as the owner role, and
// reports their state as metrics: rows that fell into the default partition (a month had no
// partition: alert on it) and how many months ahead exist.
type Partitions struct {
	owner       *database.DB
	monthsAhead int
	log         *slog.Logger
	now         func() time.Time

	defaultRows prometheus.Gauge
	ahead       prometheus.Gauge
}

// NewPartitions returns the maintenance job on the owner's connection; it registers its
// gauges on reg (nil: not exported).
func NewPartitions(owner *database.DB, monthsAhead int, log *slog.Logger, reg prometheus.Registerer) (*Partitions, error) {
	p := &Partitions{
		owner: owner, monthsAhead: monthsAhead, log: log, now: time.Now,
		defaultRows: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "erp_audit_default_partition_rows",
			Help: "Audit events in the default partition (a month without a partition): should stay 0.",
		}),
		ahead: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "erp_audit_partition_months_ahead",
			Help: "Monthly audit partitions that exist from the current month on (current month included).",
		}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{p.defaultRows, p.ahead} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

// Status is the partitions' state.
type Status struct {
	// DefaultRows counts events in the default partition.
	DefaultRows int64
	// MonthsAhead counts consecutive monthly partitions from the current month on.
	MonthsAhead int
}

// Ensure creates the partitions of the current month and the months ahead that are missing
// (moving any of their rows out of the default partition) and returns how many it created. It
// runs on one instance at a time: when another holds the job it returns database.ErrBusy.
func (p *Partitions) Ensure(ctx context.Context) (int, error) {
	// The owner's connection has no statement bound: jobs set their own, longer than a request's.
	ctx, cancel := context.WithTimeout(requestid.With(ctx, "job-partitions"), ensureTimeout)
	defer cancel()
	var created int
	err := p.owner.Exclusive(ctx, partitionsLock, func(ctx context.Context) error {
		_, err := p.owner.Change(ctx, "SELECT audit_ensure_partitions($1, $2)", []any{p.now(), p.monthsAhead},
			func(row pgx.CollectableRow) error { return row.Scan(&created) })
		return err
	})
	if err != nil {
		return 0, err
	}
	_, err = p.Refresh(ctx)
	return created, err
}

// Refresh reads the partitions' state and updates the gauges.
func (p *Partitions) Refresh(ctx context.Context) (Status, error) {
	var st Status
	err := p.owner.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM audit_events_default),
			(SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
			 WHERE i.inhparent = 'audit_events'::regclass AND c.relname >= 'audit_events_y' || to_char($1 AT TIME ZONE 'UTC', 'YYYY"m"MM')
			   AND c.relname <> 'audit_events_default')`, []any{p.now()}, &st.DefaultRows, &st.MonthsAhead)
	if err != nil {
		return st, err
	}
	p.defaultRows.Set(float64(st.DefaultRows))
	p.ahead.Set(float64(st.MonthsAhead))
	return st, nil
}

// Startup ensures the partitions when serve starts; another instance doing it is fine.
func (p *Partitions) Startup(ctx context.Context) error {
	created, err := p.Ensure(ctx)
	if errors.Is(err, database.ErrBusy) {
		return nil
	}
	if err == nil && created > 0 {
		p.log.Info("created audit partitions", "created", created)
	}
	return err
}

// Maintain is one pass of the periodic maintenance (app.Every runs it): it ensures the
// partitions, logs what it created, and logs a failure to be retried at the next pass.
func (p *Partitions) Maintain(ctx context.Context) {
	created, err := p.Ensure(ctx)
	switch {
	case errors.Is(err, database.ErrBusy): // another instance is at it
	case err != nil:
		p.log.Warn("audit partition maintenance failed; retrying at the next interval", "error", err.Error())
	case created > 0:
		p.log.Info("created audit partitions", "created", created)
	}
}
