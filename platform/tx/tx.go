// Package tx runs service work in one database transaction. The transaction travels in the
// context: a nested Run joins the outer transaction, and Conn gives every store helper the
// transaction when there is one and the pool otherwise. Run returns only after COMMIT has
// succeeded, so a handler that writes its response after Run never acknowledges lost work.
package tx

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// DefaultAttempts is how many times Run tries a transaction that fails with a serialization
// failure (40001) or a deadlock (40P01) before it gives up and returns that error.
const DefaultAttempts = 3

type ctxKey struct{}

// Option adjusts one Run.
type Option func(*options)

type options struct {
	attempts  int
	isolation sql.IsolationLevel
}

// Attempts sets how many times a transaction failing with 40001/40P01 is tried (at least 1).
// Only the outermost Run retries, and only when fn is safe to run again.
func Attempts(n int) Option { return func(o *options) { o.attempts = max(n, 1) } }

// Serializable runs the transaction at SERIALIZABLE isolation.
func Serializable() Option { return func(o *options) { o.isolation = sql.LevelSerializable } }

// Run executes fn inside a transaction and commits it. When ctx already carries a transaction,
// fn joins it and the outer Run commits or rolls back. fn must use Conn(ctx, db) for every
// statement. A serialization failure or deadlock is retried with a short jittered backoff; any
// other error, and a failed COMMIT, is returned as is (wrapped errors keep their *pgconn.PgError).
func Run(ctx context.Context, db *gorm.DB, fn func(ctx context.Context) error, opts ...Option) error {
	if _, ok := ctx.Value(ctxKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	o := options{attempts: DefaultAttempts}
	for _, opt := range opts {
		opt(&o)
	}
	txOpts := &sql.TxOptions{Isolation: o.isolation}
	var err error
	for attempt := 1; ; attempt++ {
		err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return fn(context.WithValue(ctx, ctxKey{}, tx))
		}, txOpts)
		if err == nil || attempt >= o.attempts || !Retryable(err) {
			return err
		}
		if waitErr := backoff(ctx, attempt); waitErr != nil {
			return err
		}
	}
}

// Conn returns the transaction carried by ctx, or db bound to ctx when there is none.
func Conn(ctx context.Context, db *gorm.DB) *gorm.DB {
	if tx, ok := ctx.Value(ctxKey{}).(*gorm.DB); ok {
		return tx
	}
	return db.WithContext(ctx)
}

// Get reads the row of type T with primary key id, joining ctx's transaction when there is
// one; a missing row is notFound.
func Get[T any](ctx context.Context, db *gorm.DB, id int64, notFound error) (*T, error) {
	var row T
	err := Conn(ctx, db).Take(&row, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	return &row, nil
}

// Pool returns what runs statements for ctx without GORM's statement builder: the
// transaction's connection when ctx carries one, else the pool. Hot paths with fixed SQL
// ($1 placeholders) use it to skip building a GORM statement on every call.
func Pool(ctx context.Context, db *gorm.DB) gorm.ConnPool {
	if tx, ok := ctx.Value(ctxKey{}).(*gorm.DB); ok {
		return tx.Statement.ConnPool
	}
	return db.ConnPool
}

// InTransaction reports whether ctx carries a transaction.
func InTransaction(ctx context.Context) bool {
	_, ok := ctx.Value(ctxKey{}).(*gorm.DB)
	return ok
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
