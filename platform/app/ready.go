package app

import (
	"context"
	"log/slog"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/fault"
)

// readiness is /readyz: the database answers, and its schema is one this binary can serve:
// every migration the binary knows is applied (else not ready: a rolling deploy must migrate
// first). Migrations the binary does not know (a newer one applied during a rolling deploy)
// keep it ready; they are reported in the body and in /metrics.
type readiness struct {
	db      *database.DB
	ids     []string
	missing prometheus.Gauge
	unknown prometheus.Gauge
}

func newReadiness(db *database.DB, ids []string, reg prometheus.Registerer) (*readiness, error) {
	r := &readiness{
		db: db, ids: ids,
		missing: prometheus.NewGauge(prometheus.GaugeOpts{Name: "erp_schema_missing_migrations",
			Help: "Migrations this binary needs that the database lacks (not ready while above 0)."}),
		unknown: prometheus.NewGauge(prometheus.GaugeOpts{Name: "erp_schema_unknown_migrations",
			Help: "Migrations applied to the database that this binary does not know (a newer release migrated first)."}),
	}
	for _, c := range []prometheus.Collector{r.missing, r.unknown} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// check compares the applied migrations with the binary's, on the primary (readiness is about
// the primary: with it down, writes fail whatever a replica answers).
func (r *readiness) check(ctx context.Context) (missing, unknown []string, err error) {
	applied := map[string]bool{}
	err = r.db.Query(database.OnPrimary(ctx), "SELECT id FROM schema_migrations", nil, func(row pgx.CollectableRow) error {
		var id string
		err := row.Scan(&id)
		applied[id] = true
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	for _, id := range r.ids {
		if !applied[id] {
			missing = append(missing, id)
		}
		delete(applied, id)
	}
	for id := range applied {
		unknown = append(unknown, id)
	}
	slices.Sort(unknown)
	r.missing.Set(float64(len(missing)))
	r.unknown.Set(float64(len(unknown)))
	return missing, unknown, nil
}

// ready is httpserver's readiness function.
func (r *readiness) ready(ctx context.Context) (map[string]any, error) {
	missing, unknown, err := r.check(ctx)
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		return nil, &fault.Error{Kind: fault.Unavailable, RetryAfter: 5,
			Detail: "The database lacks migrations this version needs (" + strings.Join(missing, ", ") + "): run erp migrate up."}
	}
	details := map[string]any{}
	if len(unknown) > 0 {
		details["schema"], details["unknown_migrations"] = "ahead", unknown
	}
	if replicas := r.db.ReplicaStatuses(); len(replicas) > 0 {
		details["replicas"] = replicas // a replica down is not a reason to be unready: reads fall back
	}
	return details, nil
}

// logSchema says at start how the database's schema compares with the binary's.
func (r *readiness) logSchema(ctx context.Context, log *slog.Logger) {
	missing, unknown, err := r.check(ctx)
	switch {
	case err != nil:
		log.Warn("could not read the schema version", "error", err.Error())
	case len(missing) > 0:
		log.Warn("the database lacks migrations this version needs: not ready until they are applied (erp migrate up)",
			"missing", strings.Join(missing, ","))
	case len(unknown) > 0:
		log.Info("the database is ahead of this version (a newer release migrated first); serving", "unknown", strings.Join(unknown, ","))
	}
}
