package tx_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/erp-foundation/erp/platform/dbtest"
	"github.com/erp-foundation/erp/platform/tx"
)

var pg = dbtest.NewServer(func(_ context.Context, db *gorm.DB) error {
	return db.Exec(`CREATE TABLE notes (
		id   int PRIMARY KEY,
		body text NOT NULL,
		CONSTRAINT uq_notes_body UNIQUE (body) DEFERRABLE INITIALLY DEFERRED
	)`).Error
})

func TestMain(m *testing.M) { pg.Main(m) }

func count(t *testing.T, db *gorm.DB) int64 {
	t.Helper()
	var n int64
	require.NoError(t, db.Table("notes").Count(&n).Error)
	return n
}

func insert(ctx context.Context, db *gorm.DB, id int, body string) error {
	return tx.Conn(ctx, db).Exec("INSERT INTO notes (id, body) VALUES (?, ?)", id, body).Error
}

func TestCommitAndRollback(t *testing.T) {
	t.Parallel()
	db := pg.New(t).Gorm
	ctx := context.Background()
	require.NoError(t, tx.Run(ctx, db, func(ctx context.Context) error {
		assert.True(t, tx.InTransaction(ctx))
		return insert(ctx, db, 1, "a")
	}))
	boom := errors.New("boom")
	err := tx.Run(ctx, db, func(ctx context.Context) error {
		if err := insert(ctx, db, 2, "b"); err != nil {
			return err
		}
		return boom
	})
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, int64(1), count(t, db), "a failed function leaves no partial rows")
}

func TestNestedRunJoinsTheOuterTransaction(t *testing.T) {
	t.Parallel()
	db := pg.New(t).Gorm
	ctx := context.Background()
	err := tx.Run(ctx, db, func(ctx context.Context) error {
		if err := insert(ctx, db, 1, "outer"); err != nil {
			return err
		}
		if err := tx.Run(ctx, db, func(ctx context.Context) error { return insert(ctx, db, 2, "inner") }); err != nil {
			return err
		}
		return errors.New("outer fails after the inner call succeeded")
	})
	require.Error(t, err)
	assert.Equal(t, int64(0), count(t, db), "the inner work rolls back with the outer transaction")
}

func TestFailedCommitIsReported(t *testing.T) {
	t.Parallel()
	db := pg.New(t).Gorm
	err := tx.Run(context.Background(), db, func(ctx context.Context) error {
		if err := insert(ctx, db, 1, "same"); err != nil {
			return err
		}
		return insert(ctx, db, 2, "same") // the deferred unique check fails only at COMMIT
	})
	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr, "COMMIT's error reaches the caller, which has not answered yet")
	assert.Equal(t, "uq_notes_body", pgErr.ConstraintName)
	assert.Equal(t, int64(0), count(t, db))
}

func TestSerializationFailuresAreRetried(t *testing.T) {
	t.Parallel()
	db := pg.New(t).Gorm
	attempts := 0
	err := tx.Run(context.Background(), db, func(ctx context.Context) error {
		attempts++
		if err := insert(ctx, db, attempts, "try"+string(rune('0'+attempts))); err != nil {
			return err
		}
		if attempts < 2 {
			return &pgconn.PgError{Code: "40001", Message: "could not serialize access"}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 2, attempts)
	assert.Equal(t, int64(1), count(t, db), "the failed attempt's row was rolled back")

	attempts = 0
	err = tx.Run(context.Background(), db, func(context.Context) error {
		attempts++
		return &pgconn.PgError{Code: "40P01"}
	}, tx.Attempts(3))
	assert.True(t, tx.Retryable(err))
	assert.Equal(t, 3, attempts, "retries are bounded")

	attempts = 0
	_ = tx.Run(context.Background(), db, func(context.Context) error {
		attempts++
		return &pgconn.PgError{Code: "23505"}
	})
	assert.Equal(t, 1, attempts, "other errors are not retried")
}

func TestRealSerializationConflictIsRetried(t *testing.T) {
	t.Parallel()
	db := pg.New(t).Gorm
	ctx := context.Background()
	require.NoError(t, insert(ctx, db, 1, "0"))
	// Two serializable read-modify-write transactions that both read before either writes:
	// one of them must fail with 40001, and Run retries it.
	var attempts atomic.Int32
	var bothRead sync.WaitGroup
	bothRead.Add(2)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			first := true
			errs <- tx.Run(ctx, db, func(ctx context.Context) error {
				attempts.Add(1)
				var body string
				if err := tx.Conn(ctx, db).Raw("SELECT body FROM notes WHERE id = 1").Scan(&body).Error; err != nil {
					return err
				}
				if first {
					first = false
					bothRead.Done()
					bothRead.Wait()
				}
				return tx.Conn(ctx, db).Exec("UPDATE notes SET body = ? WHERE id = 1", body+"x").Error
			}, tx.Serializable(), tx.Attempts(5))
		}()
	}
	require.NoError(t, <-errs)
	require.NoError(t, <-errs)
	var body string
	require.NoError(t, db.Raw("SELECT body FROM notes WHERE id = 1").Scan(&body).Error)
	assert.Equal(t, "0xx", body, "both increments applied exactly once")
	assert.Equal(t, int32(3), attempts.Load(), "the losing transaction ran twice")
}
