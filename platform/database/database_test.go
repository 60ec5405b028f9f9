package database_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/dbtest"
	"github.com/erp-foundation/erp/platform/logging"
)

// notes records, per row, the audit context its writer had set (the trigger reads it as the
// real audit triggers do).
var pg = dbtest.NewServer(func(ctx context.Context, d *database.DB) error {
	return d.Write(ctx, func(ctx context.Context) error {
		return d.Gorm(ctx).Exec(`
		CREATE TABLE notes (
			id         int PRIMARY KEY,
			body       text NOT NULL,
			actor      text,
			request_id text,
			CONSTRAINT uq_notes_body UNIQUE (body) DEFERRABLE INITIALLY DEFERRED
		);
		CREATE FUNCTION notes_context() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			NEW.actor := current_setting('erp.actor_id', true);
			NEW.request_id := current_setting('erp.request_id', true);
			RETURN NEW;
		END $$;
		CREATE TRIGGER trg_notes_context BEFORE INSERT ON notes FOR EACH ROW EXECUTE FUNCTION notes_context();`).Error
	})
})

func TestMain(m *testing.M) { pg.Main(m) }

func open(t *testing.T, url string, adjust func(*database.Options)) *database.DB {
	t.Helper()
	opts := database.Options{Config: dbtest.TestPoolConfig(url), Logger: logging.Discard()}
	adjust(&opts)
	d, err := database.Open(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(d.Close)
	return d
}

func TestExhaustedPoolAnswersErrPoolTimeout(t *testing.T) {
	t.Parallel()
	d := open(t, pg.New(t).URL, func(o *database.Options) {
		o.Config.PoolSize, o.Config.MaxOverflow = 1, 0
		o.Config.AcquireTimeout = 200 * time.Millisecond
	})
	held := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- d.Write(context.Background(), func(context.Context) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	var one int
	for name, read := range map[string]func() error{
		"gorm":  func() error { return d.Gorm(context.Background()).Raw("SELECT 1").Scan(&one).Error },
		"query": func() error { return d.QueryRow(context.Background(), "SELECT 1", nil, &one) },
		"change": func() error {
			_, err := d.Change(context.Background(), "SELECT 1", nil, nil)
			return err
		},
		"write": func() error { return d.Write(context.Background(), func(context.Context) error { return nil }) },
	} {
		err := read()
		require.Error(t, err, name)
		assert.True(t, errors.Is(err, database.ErrPoolTimeout), "%s: got %v", name, err)
	}
	close(release)
	require.NoError(t, <-done)
	require.NoError(t, d.QueryRow(context.Background(), "SELECT 1", nil, &one), "the pool recovers once a connection is free")
	assert.Equal(t, int32(1), d.Stats().Max)
}

func TestStatementTimeoutCancelsLongStatements(t *testing.T) {
	t.Parallel()
	d := open(t, pg.New(t).URL, func(o *database.Options) { o.Config.StatementTimeout = 100 * time.Millisecond })
	err := d.Gorm(context.Background()).Exec("SELECT pg_sleep(5)").Error
	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr)
	assert.Equal(t, "57014", pgErr.Code)
}

func TestSlowStatementsAreLoggedWithoutParameters(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	d := open(t, pg.New(t).URL, func(o *database.Options) {
		o.Config.SlowThreshold = 400 * time.Millisecond
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	ctx := context.Background()
	require.NoError(t, d.Gorm(ctx).Exec("SELECT pg_sleep(0.8), ?::text", "hunter2-secret").Error)
	require.NoError(t, d.Gorm(ctx).Exec("SELECT 1").Error)
	out := logs.String()
	assert.Contains(t, out, "slow SQL statement")
	assert.Contains(t, out, "pg_sleep")
	assert.NotContains(t, out, "hunter2-secret", "parameters never reach the log")
	assert.NotContains(t, out, "SELECT 1", "fast statements are not logged")
}

func TestOpenFailsClearlyWithoutLeakingThePassword(t *testing.T) {
	t.Parallel()
	cfg := dbtest.TestPoolConfig("postgres://erp:topsecret@127.0.0.1:1/erp?sslmode=disable")
	cfg.ConnectTimeout = 2 * time.Second
	_, err := database.Open(context.Background(), database.Options{Config: cfg, Logger: logging.Discard()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot reach postgres://erp:xxxxx@127.0.0.1:1/erp")
	assert.NotContains(t, err.Error(), "topsecret")
}

func TestPingAndStats(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	require.NoError(t, d.Ping(ctx))
	s := d.Stats()
	assert.GreaterOrEqual(t, s.Open, int32(1))
	assert.Equal(t, int32(10), s.Max)
}
