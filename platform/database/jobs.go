package database

import (
	"context"
	"errors"
	"io"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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
	if s, ok := scopeFrom(ctx); ok {
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
