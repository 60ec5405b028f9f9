package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// replicaCheckInterval is how often each replica's health and lag are checked; a replica
// skipped after a failure is checked again at the next round.
const (
	replicaCheckInterval = time.Second
	replicaCheckTimeout  = 500 * time.Millisecond
)

// replica is one streaming replica: its own small pool, and what the last check found.
type replica struct {
	name string
	pool *pgxpool.Pool
	sql  *sql.DB // GORM's reads reach it through routingPool

	mu        sync.Mutex
	healthy   bool
	replayLSN uint64
	lagBytes  int64
	lastError string

	reads atomic.Int64
}

// ReplicaStatus is one replica as /readyz, /metrics and /ops/db report it.
type ReplicaStatus struct {
	Name      string `json:"name"`
	Healthy   bool   `json:"healthy"`
	LagBytes  int64  `json:"lag_bytes"`
	Reads     int64  `json:"reads"`
	LastError string `json:"last_error,omitempty"`
}

// openReplicas builds a small pool per replica URL; a replica that does not answer yet is
// only unhealthy (it is checked again every second). On an error it also returns the pools it
// opened, for the caller to close.
func openReplicas(opts Options, tr *tracer) ([]*replica, error) {
	var out []*replica
	for _, raw := range opts.Config.Replicas {
		c := opts.Config
		c.URL = raw
		c.PoolSize, c.MaxOverflow = max(1, opts.Config.PoolSize/2), max(1, opts.Config.MaxOverflow/2)
		cfg, err := poolConfig(Options{Config: c, Logger: opts.Logger, ApplicationName: opts.ApplicationName}, tr)
		if err != nil {
			return out, fmt.Errorf("database.replicas: %w", err)
		}
		cfg.MinConns = 0 // connect on demand: a replica may be down at start
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			return out, fmt.Errorf("database.replicas: %w", err)
		}
		out = append(out, &replica{name: replicaName(raw), pool: pool, sql: newSQLDB(pool, c.AcquireTimeout)})
	}
	return out, nil
}

// replicaName is host:port, never credentials.
func replicaName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "replica"
	}
	return u.Host
}

// MonitorReplicas checks every replica's health and replay position against the primary every
// second until ctx ends (a background task of serve; without replicas it returns at once). A
// replica that does not answer, is not in recovery or lags more than
// database.max_replica_lag_bytes behind the primary is skipped until a later check passes.
func (d *DB) MonitorReplicas(ctx context.Context) error {
	if len(d.replicas) == 0 {
		return nil
	}
	t := time.NewTicker(replicaCheckInterval)
	defer t.Stop()
	for {
		d.checkReplicas(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (d *DB) checkReplicas(ctx context.Context) {
	var primaryLSN string
	if err := d.QueryRow(OnPrimary(ctx), "SELECT pg_current_wal_lsn()::text", nil, &primaryLSN); err != nil {
		return // the primary is down: nothing to compare with; replicas keep their state
	}
	primary, _ := parseLSN(primaryLSN)
	for _, r := range d.replicas {
		cctx, cancel := context.WithTimeout(ctx, replicaCheckTimeout)
		var recovering bool
		var replay *string
		err := r.pool.QueryRow(cctx, "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text").Scan(&recovering, &replay)
		cancel()
		r.mu.Lock()
		switch {
		case err != nil:
			r.healthy, r.lastError = false, "does not answer"
		case !recovering || replay == nil:
			r.healthy, r.lastError = false, "is not a streaming replica"
		default:
			lsn, _ := parseLSN(*replay)
			r.replayLSN = lsn
			r.lagBytes = int64(primary) - int64(lsn) //nolint:gosec // LSNs fit in int64 for ages
			r.healthy = r.lagBytes <= d.cfg.MaxReplicaLagBytes
			r.lastError = ""
			if !r.healthy {
				r.lastError = "lags too far behind the primary"
			}
		}
		r.mu.Unlock()
	}
}

// ReplicaStatuses reports every replica.
func (d *DB) ReplicaStatuses() []ReplicaStatus {
	out := make([]ReplicaStatus, 0, len(d.replicas))
	for _, r := range d.replicas {
		r.mu.Lock()
		out = append(out, ReplicaStatus{Name: r.name, Healthy: r.healthy, LagBytes: r.lagBytes, Reads: r.reads.Load(), LastError: r.lastError})
		r.mu.Unlock()
	}
	return out
}

// readFailed handles a replica read that failed and is retried on the primary. A hot-standby
// conflict (40001: replay cancelled the query) says nothing about the replica's health, so it
// stays in rotation; any other failure takes it out until the next check.
func (d *DB) readFailed(r *replica, err error) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "40001" {
		d.log.Info("a read on a replica met a recovery conflict; read from the primary", "replica", r.name)
		return
	}
	r.mu.Lock()
	r.healthy, r.lastError = false, "a read failed"
	r.mu.Unlock()
	d.log.Warn("a read on a replica failed; reading from the primary", "replica", r.name, "error", err.Error())
}

// reader picks where a read outside a transaction goes: a healthy replica that has replayed
// the caller's last write, else the primary (nil). Reads marked OnPrimary, reads after a write
// in the same request, and reads of a user whose last write a replica has not replayed go to
// the primary: read-your-writes, across requests and instances.
func (d *DB) reader(ctx context.Context) *replica {
	if len(d.replicas) == 0 || onPrimary(ctx) {
		return nil
	}
	if s := sessionFrom(ctx); s != nil && s.wrote.Load() {
		return nil
	}
	candidates := d.healthyReplicas()
	if len(candidates) == 0 {
		return nil
	}
	var position uint64
	if s := sessionFrom(ctx); s != nil {
		s.positionOnce.Do(func() { s.position, s.positionKnown = d.lastWritePosition(ctx, s.actor) })
		if !s.positionKnown {
			return nil
		}
		position = s.position
	}
	start := int(d.next.Add(1))
	for i := range candidates {
		r := candidates[(start+i)%len(candidates)]
		r.mu.Lock()
		replayed := r.replayLSN
		r.mu.Unlock()
		if replayed >= position {
			return r
		}
	}
	return nil
}

// lastWritePosition is the primary's WAL position after the user's last write (0 when the
// user never wrote); ok is false when it cannot be read (the caller then reads the primary).
func (d *DB) lastWritePosition(ctx context.Context, userID int64) (position uint64, ok bool) {
	var lsn string
	err := d.QueryRow(OnPrimary(ctx), "SELECT lsn::text FROM user_write_positions WHERE user_id = $1", []any{userID}, &lsn)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return 0, true
	case err != nil:
		return 0, false
	}
	position, err = parseLSN(lsn)
	return position, err == nil
}

func (d *DB) healthyReplicas() []*replica {
	var out []*replica
	for _, r := range d.replicas {
		r.mu.Lock()
		if r.healthy {
			out = append(out, r)
		}
		r.mu.Unlock()
	}
	return out
}

// recordWrite remembers the primary's WAL position after a write the caller committed, so that
// later reads of that user, on any instance, wait for a replica that has replayed it. Only
// with replicas configured; a failure only makes the user's reads go to the primary.
func (d *DB) recordWrite(ctx context.Context) {
	if s := sessionFrom(ctx); s != nil {
		s.wrote.Store(true)
	}
	if len(d.replicas) == 0 {
		return
	}
	actor, ok := actorFrom(ctx)
	if !ok {
		return
	}
	conn, err := d.acquire(ctx)
	if err != nil {
		return
	}
	defer conn.Release()
	ctx, cancel := d.bound(ctx)
	defer cancel()
	_, _ = conn.Exec(ctx, `INSERT INTO user_write_positions (user_id, lsn, at) VALUES ($1, pg_current_wal_insert_lsn(), now())
		ON CONFLICT (user_id) DO UPDATE SET lsn = EXCLUDED.lsn, at = EXCLUDED.at`, actor)
}

// readRetryable reports errors after which a replica's read is retried on the primary: the
// replica is unreachable or hung, or cancelled the read for a hot-standby conflict.
func readRetryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "40001" || pgErr.Code[:2] == "08" || pgErr.Code[:2] == "57" || pgErr.Code[:2] == "53"
	}
	return true // connection-level failures, timeouts, an exhausted replica pool
}

// parseLSN parses a WAL position written X/Y (hex).
func parseLSN(s string) (uint64, error) {
	var hi, lo uint32
	if _, err := fmt.Sscanf(s, "%X/%X", &hi, &lo); err != nil {
		return 0, err
	}
	return uint64(hi)<<32 | uint64(lo), nil
}

// routingPool is the connection pool of GORM reads outside a transaction: each query goes to
// the replica reader picks, and is retried on the primary when the replica fails. Everything
// else goes to the primary.
type routingPool struct{ d *DB }

func (p routingPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if r := p.d.reader(ctx); r != nil {
		rows, err := r.sql.QueryContext(ctx, query, args...)
		if err == nil {
			r.reads.Add(1)
			return rows, nil
		}
		if ctx.Err() != nil || !readRetryable(err) {
			return nil, err
		}
		p.d.readFailed(r, err)
	}
	return p.d.sql.QueryContext(ctx, query, args...)
}

func (p routingPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.d.sql.ExecContext(ctx, query, args...)
}

func (p routingPool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return p.d.sql.PrepareContext(ctx, query)
}

func (p routingPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.d.sql.QueryRowContext(ctx, query, args...)
}

// closeReplicas releases the replicas' pools.
func (d *DB) closeReplicas() {
	for _, r := range d.replicas {
		_ = r.sql.Close()
		r.pool.Close()
	}
}
