package database

import (
	"context"
	"errors"
	"io"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// ErrBusy means another process holds the job's lock (Exclusive).
var ErrBusy = errors.New("database: another instance is running this job")

// Exclusive runs fn while holding the session advisory lock key on a connection of its own, so
// that a job (partition maintenance, archiving, a backup) runs on one instance at a time
// without keeping a transaction open for its length. When the lock is taken it returns ErrBusy
// at once. The lock ends with the connection, also when the process dies.
func (d *DB) Exclusive(ctx context.Context, key int64, fn func(ctx context.Context) error) error {
	conn, err := d.acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	var locked bool
	if err := d.probeRow(ctx, conn.Conn(), "SELECT pg_try_advisory_lock($1)", key, &locked); err != nil {
		return err
	}
	if !locked {
		return ErrBusy
	}
	defer func() {
		// A failed unlock (the connection broke) releases the lock anyway: discard it.
		if err := d.probeRow(context.WithoutCancel(ctx), conn.Conn(), "SELECT pg_advisory_unlock($1)", key, &locked); err != nil {
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	return fn(ctx)
}

func (d *DB) probeRow(ctx context.Context, c *pgx.Conn, sql string, arg any, dest any) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	return c.QueryRow(ctx, sql, arg).Scan(dest)
}

// CopyTo runs a COPY ... TO STDOUT statement and streams its output to w; inside a Write it
// runs on the transaction. It has no query timeout: jobs that copy bound their own work.
func (d *DB) CopyTo(ctx context.Context, w io.Writer, sql string) (int64, error) {
	return d.copyStream(ctx, func(ctx context.Context, c *pgconn.PgConn) (pgconn.CommandTag, error) {
		return c.CopyTo(ctx, w, sql)
	})
}

// CopyFrom runs a COPY ... FROM STDIN statement fed from r; inside a Write it runs on the
// transaction (so it commits or rolls back with the rest). No query timeout, as for CopyTo.
func (d *DB) CopyFrom(ctx context.Context, r io.Reader, sql string) (int64, error) {
	return d.copyStream(ctx, func(ctx context.Context, c *pgconn.PgConn) (pgconn.CommandTag, error) {
		return c.CopyFrom(ctx, r, sql)
	})
}

func (d *DB) copyStream(ctx context.Context, fn func(context.Context, *pgconn.PgConn) (pgconn.CommandTag, error)) (int64, error) {
	var tag pgconn.CommandTag
	if s, ok := d.scopeFrom(ctx); ok {
		err := s.conn.Raw(func(driverConn any) error {
			c, ok := driverConn.(interface{ Conn() *pgx.Conn })
			if !ok {
				return errors.New("database: unexpected driver connection")
			}
			var err error
			tag, err = fn(ctx, c.Conn().PgConn())
			return err
		})
		return tag.RowsAffected(), err
	}
	conn, err := d.acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	tag, err = fn(ctx, conn.Conn().PgConn())
	return tag.RowsAffected(), err
}

// Snapshot runs fn in a REPEATABLE READ, READ ONLY transaction whose snapshot it exports
// (pg_export_snapshot): another session (pg_dump --snapshot) can then see exactly what fn's
// reads see. The transaction ends when fn returns, so fn returns as soon as the other session
// has imported the snapshot, not when it is done.
func (d *DB) Snapshot(ctx context.Context, fn func(ctx context.Context, id string) error) error {
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	var id string
	err = d.onConn(ctx, conn, func(ctx context.Context, c *pgx.Conn) error {
		if _, err := c.Exec(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); err != nil {
			return err
		}
		return c.QueryRow(ctx, "SELECT pg_export_snapshot()").Scan(&id)
	})
	if err != nil {
		return err
	}
	g := d.gorm.Session(&gorm.Session{NewDB: true, Context: ctx})
	g.Statement.ConnPool = conn
	if err := fn(context.WithValue(ctx, scopeKey{}, &scope{db: d, conn: conn, gorm: g}), id); err != nil {
		_ = d.finish(context.WithoutCancel(ctx), conn, "ROLLBACK")
		return err
	}
	return d.finish(ctx, conn, "COMMIT")
}

// Admin runs one statement on its own, outside any transaction and without an audit context:
// for statements PostgreSQL refuses in a transaction block (CREATE DATABASE, DROP DATABASE),
// which change no audited row.
func (d *DB) Admin(ctx context.Context, sql string) error {
	conn, err := d.acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	_, err = conn.Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol)
	return err
}
