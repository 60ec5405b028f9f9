package database_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/dbtest"
	"github.com/erp-foundation/erp/platform/requestid"
)

func count(t *testing.T, d *dbtest.DB) int64 {
	t.Helper()
	var n int64
	require.NoError(t, d.Outside(t).Table("notes").Count(&n).Error)
	return n
}

func insert(ctx context.Context, d *database.DB, id int, body string) error {
	return d.Gorm(ctx).Exec("INSERT INTO notes (id, body) VALUES (?, ?)", id, body).Error
}

func TestCommitAndRollback(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	ctx := context.Background()
	require.NoError(t, d.Write(ctx, func(ctx context.Context) error { return insert(ctx, d.DB, 1, "a") }))
	boom := errors.New("boom")
	err := d.Write(ctx, func(ctx context.Context) error {
		if err := insert(ctx, d.DB, 2, "b"); err != nil {
			return err
		}
		return boom
	})
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, int64(1), count(t, d), "a failed function leaves no partial rows")
}

func TestNestedWriteJoinsTheOuterTransaction(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	err := d.Write(context.Background(), func(ctx context.Context) error {
		if err := insert(ctx, d.DB, 1, "outer"); err != nil {
			return err
		}
		if err := d.Write(ctx, func(ctx context.Context) error { return insert(ctx, d.DB, 2, "inner") }); err != nil {
			return err
		}
		if _, err := d.Change(ctx, "INSERT INTO notes (id, body) VALUES ($1, $2)", []any{3, "change"}, nil); err != nil {
			return err
		}
		return errors.New("outer fails after the inner calls succeeded")
	})
	require.Error(t, err)
	assert.Equal(t, int64(0), count(t, d), "the inner work rolls back with the outer transaction")
}

func TestFailedCommitIsReported(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	err := d.Write(context.Background(), func(ctx context.Context) error {
		if err := insert(ctx, d.DB, 1, "same"); err != nil {
			return err
		}
		return insert(ctx, d.DB, 2, "same") // the deferred unique check fails only at COMMIT
	})
	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr, "COMMIT's error reaches the caller, which has not answered yet")
	assert.Equal(t, "uq_notes_body", pgErr.ConstraintName)
	assert.Equal(t, int64(0), count(t, d))
}

func TestChangeReportsTheEndOfItsImplicitTransaction(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	_, err := d.Change(context.Background(), "INSERT INTO notes (id, body) VALUES (1, 'same'), (2, 'same')", nil, nil)
	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr, "a deferred constraint fails when the implicit transaction ends")
	assert.Equal(t, "uq_notes_body", pgErr.ConstraintName)
	assert.Equal(t, int64(0), count(t, d))
}

func TestSerializationFailuresAreRetried(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	attempts := 0
	err := d.Write(context.Background(), func(ctx context.Context) error {
		attempts++
		if err := insert(ctx, d.DB, attempts, "try"+string(rune('0'+attempts))); err != nil {
			return err
		}
		if attempts < 2 {
			return &pgconn.PgError{Code: "40001", Message: "could not serialize access"}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 2, attempts)
	assert.Equal(t, int64(1), count(t, d), "the failed attempt's row was rolled back")

	attempts = 0
	err = d.Write(context.Background(), func(context.Context) error {
		attempts++
		return &pgconn.PgError{Code: "40P01"}
	})
	assert.True(t, database.Retryable(err))
	assert.Equal(t, 3, attempts, "retries are bounded")

	attempts = 0
	_ = d.Write(context.Background(), func(context.Context) error {
		attempts++
		return &pgconn.PgError{Code: "23505"}
	})
	assert.Equal(t, 1, attempts, "other errors are not retried")
}

func TestRealDeadlockIsRetried(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	ctx := context.Background()
	require.NoError(t, d.Write(ctx, func(ctx context.Context) error {
		return d.Gorm(ctx).Exec("INSERT INTO notes (id, body) VALUES (1, '1'), (2, '2')").Error
	}))
	// Two transactions lock the same two rows in opposite orders after both took their first
	// lock: PostgreSQL aborts one with 40P01, and Write runs it again.
	var attempts atomic.Int32
	var bothLocked sync.WaitGroup
	bothLocked.Add(2)
	errs := make(chan error, 2)
	for _, order := range [][2]int{{1, 2}, {2, 1}} {
		go func() {
			first := true
			errs <- d.Write(ctx, func(ctx context.Context) error {
				attempts.Add(1)
				if err := d.Gorm(ctx).Exec("UPDATE notes SET body = body || 'x' WHERE id = ?", order[0]).Error; err != nil {
					return err
				}
				if first {
					first = false
					bothLocked.Done()
					bothLocked.Wait()
				}
				return d.Gorm(ctx).Exec("UPDATE notes SET body = body || 'y' WHERE id = ?", order[1]).Error
			})
		}()
	}
	require.NoError(t, <-errs)
	require.NoError(t, <-errs)
	var bodies []string
	require.NoError(t, d.Outside(t).Raw("SELECT body FROM notes ORDER BY id").Scan(&bodies).Error)
	assert.Len(t, bodies, 2)
	for _, b := range bodies {
		assert.Len(t, b, 3, "each row got exactly one x and one y: %q", b)
	}
	assert.Equal(t, int32(3), attempts.Load(), "the losing transaction ran twice")
}

func TestEveryWriteCarriesTheAuditContext(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	ctx := requestid.With(database.WithActor(context.Background(), 42), "req-1")
	require.NoError(t, d.Write(ctx, func(ctx context.Context) error { return insert(ctx, d.DB, 1, "write") }))
	_, err := d.Change(requestid.With(context.Background(), "req-2"), "INSERT INTO notes (id, body) VALUES ($1, $2)", []any{2, "change"}, nil)
	require.NoError(t, err)
	// The context ends with its transaction: a later statement on a pooled connection sees none.
	require.NoError(t, d.Outside(t).Exec("INSERT INTO notes (id, body) VALUES (3, 'outside')").Error)

	type row struct {
		ID        int
		Actor     *string
		RequestID *string
	}
	var rows []row
	require.NoError(t, d.Outside(t).Raw("SELECT id, actor, request_id FROM notes ORDER BY id").Scan(&rows).Error)
	require.Len(t, rows, 3)
	assert.Equal(t, "42", *rows[0].Actor)
	assert.Equal(t, "req-1", *rows[0].RequestID)
	assert.Empty(t, *rows[1].Actor, "no actor outside a request")
	assert.Equal(t, "req-2", *rows[1].RequestID)
	assert.True(t, rows[2].RequestID == nil || *rows[2].RequestID == "", "nothing leaks past a transaction")

	var actor string
	require.NoError(t, d.QueryRow(context.Background(), "SELECT coalesce(current_setting('erp.actor_id', true), '')", nil, &actor))
	assert.Empty(t, actor, "a pooled connection keeps no audit context after its write")
}

func TestQueryTimeoutBoundsAHungStatement(t *testing.T) {
	t.Parallel()
	d := open(t, pg.New(t).URL, func(o *database.Options) { o.Config.QueryTimeout = 200 * time.Millisecond })
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"query": func() error { return d.Query(ctx, "SELECT pg_sleep(3)", nil, nil) },
		"gorm":  func() error { return d.Gorm(ctx).Exec("SELECT pg_sleep(3)").Error },
		"change": func() error {
			_, err := d.Change(ctx, "SELECT pg_sleep(3)", nil, nil)
			return err
		},
		"write": func() error {
			return d.Write(ctx, func(ctx context.Context) error { return d.Query(ctx, "SELECT pg_sleep(3)", nil, nil) })
		},
	} {
		start := time.Now()
		err := call()
		require.Error(t, err, name)
		assert.True(t, pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded), "%s: %v", name, err)
		assert.Less(t, time.Since(start), 2500*time.Millisecond, "%s is cut short by the query timeout", name)
	}
	var one int
	require.NoError(t, d.QueryRow(ctx, "SELECT 1", nil, &one), "the pool replaced the discarded connections")
}

func TestQueryRowWithoutARow(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	var n int
	err := d.QueryRow(context.Background(), "SELECT 1 WHERE false", nil, &n)
	assert.ErrorIs(t, err, pgx.ErrNoRows)
}
