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
	"gorm.io/gorm"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/dbtest"
	"github.com/erp-foundation/erp/platform/logging"
)

var pg = dbtest.NewServer(func(context.Context, *gorm.DB) error { return nil })

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
	holder := d.Gorm.Begin()
	require.NoError(t, holder.Exec("SELECT 1").Error)
	defer holder.Rollback()

	var one int
	err := d.Gorm.WithContext(context.Background()).Raw("SELECT 1").Scan(&one).Error
	require.Error(t, err)
	assert.True(t, errors.Is(err, database.ErrPoolTimeout), "got %v", err)

	holder.Rollback()
	require.NoError(t, d.Gorm.Raw("SELECT 1").Scan(&one).Error, "the pool recovers once a connection is free")
	assert.Equal(t, int32(1), d.Stats().Max)
}

func TestStatementTimeoutCancelsLongStatements(t *testing.T) {
	t.Parallel()
	d := open(t, pg.New(t).URL, func(o *database.Options) { o.Config.StatementTimeout = 100 * time.Millisecond })
	err := d.Gorm.Exec("SELECT pg_sleep(5)").Error
	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr)
	assert.Equal(t, "57014", pgErr.Code)
}

func TestSlowStatementsAreLoggedWithoutParameters(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	d := open(t, pg.New(t).URL, func(o *database.Options) {
		o.Config.SlowThreshold = 20 * time.Millisecond
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	require.NoError(t, d.Gorm.Exec("SELECT pg_sleep(0.05), ?::text", "hunter2-secret").Error)
	require.NoError(t, d.Gorm.Exec("SELECT 1").Error)
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
