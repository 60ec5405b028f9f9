package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// writeAttempts is how many times Write tries a transaction that fails with a serialization
// failure (40001) or a deadlock (40P01) before it returns that error.
const writeAttempts = 3

// Write runs fn in one transaction on the primary and commits it before returning, so a
// handler that answers after Write never acknowledges lost work. The transaction starts with
// the audit context (actor and request id from ctx) in the same round trip as BEGIN. Inside
// fn, Gorm, Query and Change run on the transaction; a nested Write joins it. A serialization
// failure or deadlock is retried with a short jittered backoff; any other error, and a failed
// COMMIT, is returned as is (wrapped errors keep their *pgconn.PgError).
func (d *DB) Write(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := d.scopeFrom(ctx); ok {
		return fn(ctx)
	}
	var err error
	for attempt := 1; ; attempt++ {
		err = d.writeOnce(ctx, fn)
		if err == nil {
			d.recordWrite(ctx)
			return nil
		}
		if attempt >= writeAttempts || !Retryable(err) {
			return err
		}
		if waitErr := backoff(ctx, attempt); waitErr != nil {
			return err
		}
	}
}

func (d *DB) writeOnce(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	conn, err := d.sql.Conn(ctx) // bounded by the acquire timeout (see acquireTimeoutConnector)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }() // a connection left inside a transaction is discarded
	actor, request := auditContext(ctx)
	err = d.onConn(ctx, conn, func(ctx context.Context, c *pgx.Conn) error {
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		b.Queue(setAuditContext, actor, request)
		return c.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return err
	}
	g := d.gorm.Session(&gorm.Session{NewDB: true, Context: ctx})
	g.Statement.ConnPool = conn
	if err := fn(context.WithValue(ctx, scopeKey{}, &scope{db: d, conn: conn, gorm: g})); err != nil {
		_ = d.finish(context.WithoutCancel(ctx), conn, "ROLLBACK") // a failed ROLLBACK leaves the connection to be discarded
		return err
	}
	return d.finish(ctx, conn, "COMMIT")
}

// finish ends the transaction on conn with COMMIT or ROLLBACK.
func (d *DB) finish(ctx context.Context, conn *sql.Conn, statement string) error {
	return d.onConn(ctx, conn, func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, statement)
		return err
	})
}

// onConn runs fn with the pgx connection under a database/sql connection, bounded by the
// query timeout.
func (d *DB) onConn(ctx context.Context, conn *sql.Conn, fn func(context.Context, *pgx.Conn) error) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("database: unexpected driver connection %T", driverConn)
		}
		return fn(ctx, c.Conn())
	})
}

// bound limits ctx to the query timeout.
func (d *DB) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if t := d.queryTimeout(); t > 0 {
		return context.WithTimeout(ctx, t)
	}
	return context.WithCancel(ctx)
}

// Change runs one write statement (fixed SQL, $n placeholders) and calls each for every row it
// returns (each may be nil); it returns the number of rows the statement affected. Inside a
// Write it joins the transaction; otherwise the audit context and the statement travel in one
// round trip as one implicit transaction, so a single-statement write costs what it did
// without an audit trail.
func (d *DB) Change(ctx context.Context, query string, args []any, each func(pgx.CollectableRow) error) (int64, error) {
	if s, ok := d.scopeFrom(ctx); ok {
		var affected int64
		err := d.onConn(ctx, s.conn, func(ctx context.Context, c *pgx.Conn) error {
			rows, err := c.Query(ctx, query, args...)
			if err != nil {
				return err
			}
			affected, err = collect(rows, each)
			return err
		})
		return affected, classifyReference(query, err)
	}
	conn, err := d.acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	ctx, cancel := d.bound(ctx)
	defer cancel()
	actor, request := auditContext(ctx)
	b := &pgx.Batch{}
	b.Queue(setAuditContext, actor, request)
	b.Queue(query, args...)
	results := conn.SendBatch(ctx, b)
	if _, err := results.Exec(); err != nil {
		_ = results.Close()
		return 0, err
	}
	rows, err := results.Query()
	var affected int64
	if err == nil {
		affected, err = collect(rows, each)
	}
	// Close reads the end of the implicit transaction: a deferred constraint fails here.
	if closeErr := results.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		conn.Release() // the position is recorded on another connection
		d.recordWrite(ctx)
	}
	return affected, classifyReference(query, err)
}

// collect hands every row to each (when not nil) and returns the rows affected.
func collect(rows pgx.Rows, each func(pgx.CollectableRow) error) (int64, error) {
	defer rows.Close()
	for rows.Next() {
		if each == nil {
			continue
		}
		if err := each(rows); err != nil {
			return 0, err
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return rows.CommandTag().RowsAffected(), nil
}

// Retryable reports whether err is a serialization failure or a deadlock, which succeed when
// the whole transaction is run again.
func Retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

func backoff(ctx context.Context, attempt int) error {
	base := time.Duration(attempt) * 5 * time.Millisecond
	wait := base + rand.N(base) //nolint:gosec // jitter, not security
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Savepoint runs fn inside a savepoint of the enclosing Write: when fn fails (or undo says so
// afterwards), its statements are undone and the transaction goes on (a failed statement would
// otherwise abort it). Outside a Write it simply runs fn.
func (d *DB) Savepoint(ctx context.Context, fn func(ctx context.Context) error, undo func() bool) error {
	s, ok := d.scopeFrom(ctx)
	if !ok {
		return fn(ctx)
	}
	if err := d.finish(ctx, s.conn, "SAVEPOINT erp_work"); err != nil {
		return err
	}
	if err := fn(ctx); err != nil || undo() {
		if rbErr := d.finish(ctx, s.conn, "ROLLBACK TO SAVEPOINT erp_work"); rbErr != nil {
			return rbErr
		}
		return err
	}
	return d.finish(ctx, s.conn, "RELEASE SAVEPOINT erp_work")
}
