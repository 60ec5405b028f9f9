package database

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"
)

// Gorm returns the GORM handle for ctx's statements: the transaction of an enclosing Write,
// else a handle for reads. Writes belong in Write (or Change): outside one they would carry no
// audit context. Each statement is bounded by the query timeout.
func (d *DB) Gorm(ctx context.Context) *gorm.DB {
	if s, ok := d.scopeFrom(ctx); ok {
		return s.gorm.WithContext(ctx)
	}
	if len(d.replicas) == 0 {
		return d.gorm.WithContext(ctx)
	}
	g := d.gorm.Session(&gorm.Session{NewDB: true, Context: ctx})
	g.Statement.ConnPool = routingPool{d: d}
	return g
}

// Query runs a read (fixed SQL, $n placeholders) and calls each for every row; inside a Write
// it reads on the transaction. Rows are scanned by pgx directly (no database/sql conversions),
// which is what the busiest reads use.
func (d *DB) Query(ctx context.Context, query string, args []any, each func(pgx.CollectableRow) error) error {
	if s, ok := d.scopeFrom(ctx); ok {
		return d.onConn(ctx, s.conn, func(ctx context.Context, c *pgx.Conn) error {
			rows, err := c.Query(ctx, query, args...)
			if err != nil {
				return err
			}
			_, err = collect(rows, each)
			return err
		})
	}
	if r := d.reader(ctx); r != nil {
		err := queryPool(ctx, r.pool, d, query, args, each)
		if err == nil {
			r.reads.Add(1)
			return nil
		}
		if ctx.Err() != nil || !readRetryable(err) {
			return err
		}
		d.readFailed(r, err)
	}
	return queryPool(ctx, d.pool, d, query, args, each)
}

// queryPool runs a read on a pool (the primary's or a replica's) within the acquire and query
// timeouts.
func queryPool(ctx context.Context, pool *pgxpool.Pool, d *DB, query string, args []any, each func(pgx.CollectableRow) error) error {
	conn, err := acquireFrom(ctx, pool, d.cfg.AcquireTimeout)
	if err != nil {
		return err
	}
	defer conn.Release()
	ctx, cancel := d.bound(ctx)
	defer cancel()
	rows, err := conn.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	_, err = collect(rows, each)
	return err
}

// QueryRow runs a read expected to return one row and scans it into dest; no row is
// pgx.ErrNoRows.
func (d *DB) QueryRow(ctx context.Context, query string, args []any, dest ...any) error {
	found := false
	err := d.Query(ctx, query, args, func(row pgx.CollectableRow) error {
		found = true
		return row.Scan(dest...)
	})
	if err == nil && !found {
		return pgx.ErrNoRows
	}
	return err
}

// Get reads the row of type T (a GORM model) with primary key id; a missing row is notFound.
func Get[T any](ctx context.Context, d *DB, id int64, notFound error) (*T, error) {
	var row T
	err := d.Gorm(ctx).Take(&row, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	return &row, nil
}

// Statement returns the SQL and arguments GORM would send for q (built with Find into dest),
// without sending it: dynamic queries are built with GORM's clauses and run with Query.
func Statement(q *gorm.DB, dest any) (string, []any) {
	stmt := q.Session(&gorm.Session{DryRun: true}).Find(dest).Statement
	return stmt.SQL.String(), stmt.Vars
}
