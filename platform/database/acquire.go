package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// newSQLDB puts database/sql (which GORM needs) on top of the pgx pool. database/sql keeps no
// connections of its own: every statement or transaction borrows one from the pgx pool, which
// enforces the size limits, and gives it back when done. database/sql alone cannot bound how
// long a caller waits for a connection; the connector below can.
func newSQLDB(pool *pgxpool.Pool, acquireTimeout time.Duration) *sql.DB {
	db := sql.OpenDB(acquireTimeoutConnector{inner: stdlib.GetPoolConnector(pool), timeout: acquireTimeout})
	db.SetMaxIdleConns(0)
	return db
}

// acquireTimeoutConnector bounds the wait for a pooled connection, so that an exhausted pool or
// an unreachable server answers ErrPoolTimeout instead of holding the request until its own
// deadline.
type acquireTimeoutConnector struct {
	inner   driver.Connector
	timeout time.Duration
}

func (c acquireTimeoutConnector) Connect(ctx context.Context) (driver.Conn, error) {
	actx, cancel := context.WithTimeoutCause(ctx, c.timeout, ErrPoolTimeout)
	defer cancel()
	conn, err := c.inner.Connect(actx)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(actx), ErrPoolTimeout) {
		return nil, fmt.Errorf("%w after %s", ErrPoolTimeout, c.timeout)
	}
	return conn, err
}

func (c acquireTimeoutConnector) Driver() driver.Driver { return c.inner.Driver() }

// acquire borrows a connection from the pgx pool for fixed SQL, waiting at most
// database.acquire_timeout, like the database/sql path above.
func (d *DB) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	return acquireFrom(ctx, d.pool, d.cfg.AcquireTimeout)
}

func acquireFrom(ctx context.Context, pool *pgxpool.Pool, timeout time.Duration) (*pgxpool.Conn, error) {
	actx, cancel := context.WithTimeoutCause(ctx, timeout, ErrPoolTimeout)
	defer cancel()
	conn, err := pool.Acquire(actx)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(actx), ErrPoolTimeout) {
		return nil, fmt.Errorf("%w after %s", ErrPoolTimeout, timeout)
	}
	return conn, err
}
