package auth

import (
	"context"
	"math"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/erp-foundation/erp/platform/database"
)

// PostgresLimiter is a Limiter whose counters live in PostgreSQL (the UNLOGGED table
// login_attempts), so the limits hold across every instance of the service: N instances do
// not give a guesser N times the budget. Each Take is one transaction that locks its keys
// (advisory locks, in key order), so attempts arriving together on several instances are
// counted one after the other.
type PostgresLimiter struct {
	db *database.DB
}

// NewPostgresLimiter returns a limiter on db (the primary: its counts must not lag).
func NewPostgresLimiter(db *database.DB) *PostgresLimiter { return &PostgresLimiter{db: db} }

// Take implements Limiter.
func (l *PostgresLimiter) Take(ctx context.Context, limits []Limit) (Ticket, int, error) {
	keys := make([]string, len(limits))
	maxes := make([]int32, len(limits))
	for i, lim := range limits {
		keys[i], maxes[i] = lim.Key, int32(min(lim.Max, math.MaxInt32)) //nolint:gosec // bounded above
	}
	var t Ticket
	var retryAfter int
	err := l.db.Write(ctx, func(ctx context.Context) error {
		sorted := slices.Sorted(slices.Values(keys))
		if _, err := l.db.Change(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(k, 7202612))
			FROM unnest($1::text[]) AS k ORDER BY k`, []any{sorted}, nil); err != nil {
			return err
		}
		// For each key, the attempt that would have to leave the window for one more to fit.
		var wait float64
		err := l.db.QueryRow(ctx, `SELECT coalesce(max(extract(epoch FROM (o.at + interval '1 minute' - now()))), 0)
			FROM unnest($1::text[], $2::int[]) AS lim(key, max)
			CROSS JOIN LATERAL (SELECT at FROM login_attempts a WHERE a.key = lim.key AND a.at > now() - interval '1 minute'
				ORDER BY at DESC OFFSET lim.max - 1 LIMIT 1) o`, []any{keys, maxes}, &wait)
		if err != nil {
			return err
		}
		if wait > 0 {
			retryAfter = min(60, max(1, int(math.Ceil(wait))))
			return nil
		}
		_, err = l.db.Change(ctx, "INSERT INTO login_attempts (key) SELECT unnest($1::text[]) RETURNING id", []any{keys},
			func(row pgx.CollectableRow) error {
				var id int64
				err := row.Scan(&id)
				t.IDs = append(t.IDs, id)
				return err
			})
		return err
	})
	if err != nil || retryAfter > 0 {
		return Ticket{}, retryAfter, err
	}
	t.Keys = keys
	return t, 0, nil
}

// Refund implements Limiter.
func (l *PostgresLimiter) Refund(ctx context.Context, t Ticket) error {
	if len(t.IDs) == 0 {
		return nil
	}
	_, err := l.db.Change(ctx, "DELETE FROM login_attempts WHERE id = ANY($1)", []any{t.IDs}, nil)
	return err
}

// PurgeOld deletes attempts older than the window (a pass app.Every runs; several instances
// doing it is harmless, and a failure only leaves rows for the next pass).
func (l *PostgresLimiter) PurgeOld(ctx context.Context) {
	_, _ = l.db.Change(ctx, "DELETE FROM login_attempts WHERE at < now() - interval '1 minute'", nil, nil)
}
