package dbtest

import (
	"context"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// Counter is a pgx tracer that counts the statements sent to a database, so tests can assert
// how many queries a request costs (no N+1).
type Counter struct {
	n atomic.Int64
}

// TraceQueryStart counts one statement.
func (c *Counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

// TraceQueryEnd does nothing.
func (c *Counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// Count returns the number of statements so far.
func (c *Counter) Count() int64 { return c.n.Load() }
