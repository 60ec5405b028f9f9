// Package database is the service's one way to PostgreSQL (the seam). Every module and platform
// helper reaches rows through a *DB and nothing else: GORM statements through Gorm, fixed SQL
// through Query and Change, transactions through Write. Because every statement passes here,
// the seam can
//   - set the audit context (actor, request id) inside every write's transaction, where the
//     audit triggers read it (Write, Change);
//   - bound every round trip: a connection is waited for at most database.acquire_timeout and
//     each statement runs at most database.query_timeout, after which the connection is
//     discarded and the caller gets ErrPoolTimeout or a timeout that maps to 503;
//   - decide where a read goes (the primary; replicas when configured).
//
// The pool is pgx's; GORM runs on database/sql on top of that same pool.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"

	"github.com/erp-foundation/erp/platform/config"
)

// ErrPoolTimeout means a caller waited longer than database.acquire_timeout for a free
// connection (pool exhausted, or the server does not answer). It maps to 503.
var ErrPoolTimeout = errors.New("database: timed out waiting for a connection")

// DB is the seam: create it with Open and release it with Close.
type DB struct {
	pool     *pgxpool.Pool
	sql      *sql.DB
	gorm     *gorm.DB
	tracer   *tracer
	cfg      config.Database
	log      *slog.Logger
	replicas []*replica
	next     atomic.Uint64
}

// Options are the inputs of Open.
type Options struct {
	Config config.Database
	Logger *slog.Logger
	// ApplicationName is reported to Postgres (pg_stat_activity); default "erp".
	ApplicationName string
}

// Open builds the pool, checks that the server answers within the connect timeout and returns
// the handle. The error never contains the password.
func Open(ctx context.Context, opts Options) (*DB, error) {
	tr := &tracer{log: opts.Logger.With("component", "sql"), slow: opts.Config.SlowThreshold, echo: opts.Config.Echo}
	poolCfg, err := poolConfig(opts, tr)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, opts.Config.ConnectTimeout)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database: cannot reach %s: %w", config.RedactURL(opts.Config.URL), err)
	}

	sqlDB := newSQLDB(pool, opts.Config.AcquireTimeout)
	gdb, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{
		SkipDefaultTransaction: true,
		DisableAutomaticPing:   true,
		Logger:                 gormlogger.Discard, // the pgx tracer logs every statement, GORM's or not
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		_ = sqlDB.Close()
		pool.Close()
		return nil, fmt.Errorf("database: gorm: %w", err)
	}
	d := &DB{pool: pool, sql: sqlDB, gorm: gdb, tracer: tr, cfg: opts.Config, log: opts.Logger}
	if d.replicas, err = openReplicas(opts, tr); err != nil {
		d.Close()
		return nil, err
	}
	if err := errors.Join(registerDeadlines(gdb, d.queryTimeout()), registerReferenceClassifier(gdb)); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func poolConfig(opts Options, tr *tracer) (*pgxpool.Config, error) {
	c := opts.Config
	cfg, err := pgxpool.ParseConfig(withTLSFiles(c))
	if err != nil {
		// pgx's parse errors can quote the connection string; never show it.
		return nil, errors.New("database: database.url is not a valid PostgreSQL URL")
	}
	mode, err := execMode(c.QueryExecMode)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = int32(c.MaxConns()) //nolint:gosec // bounded by config validation (<= 10000)
	cfg.MinConns = int32(c.PoolSize)   //nolint:gosec // bounded by config validation
	cfg.MaxConnLifetime = c.ConnMaxLifetime
	cfg.MaxConnLifetimeJitter = c.ConnMaxLifetime / 10
	cfg.MaxConnIdleTime = c.ConnMaxIdleTime
	cfg.PingTimeout = c.AcquireTimeout
	cfg.HealthCheckPeriod = min(c.ConnMaxIdleTime, time.Minute)
	cfg.ConnConfig.ConnectTimeout = c.ConnectTimeout
	cfg.ConnConfig.DialFunc = newDialer(c.ConnectTimeout).DialContext
	cfg.ConnConfig.DefaultQueryExecMode = mode
	cfg.ConnConfig.Tracer = tr
	params := cfg.ConnConfig.RuntimeParams
	if c.StatementTimeout > 0 {
		params["statement_timeout"] = strconv.FormatInt(c.StatementTimeout.Milliseconds(), 10)
	}
	if params["application_name"] == "" {
		params["application_name"] = opts.ApplicationName
		if params["application_name"] == "" {
			params["application_name"] = "erp"
		}
	}
	params["timezone"] = "UTC"
	return cfg, nil
}

// withTLSFiles adds the configured CA, client certificate and key to the URL (where pgx reads
// them, with the URL's sslmode) unless the URL names its own.
func withTLSFiles(c config.Database) string {
	u, err := url.Parse(c.URL)
	if err != nil || u.Scheme == "" {
		return c.URL
	}
	q := u.Query()
	for param, file := range map[string]string{"sslrootcert": c.SSLRootCert, "sslcert": c.SSLCert, "sslkey": c.SSLKey} {
		if file != "" && !q.Has(param) {
			q.Set(param, file)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func execMode(name string) (pgx.QueryExecMode, error) {
	switch name {
	case "cache_statement":
		return pgx.QueryExecModeCacheStatement, nil
	case "cache_describe":
		return pgx.QueryExecModeCacheDescribe, nil
	case "describe_exec":
		return pgx.QueryExecModeDescribeExec, nil
	case "exec":
		return pgx.QueryExecModeExec, nil
	case "simple_protocol":
		return pgx.QueryExecModeSimpleProtocol, nil
	default:
		return 0, fmt.Errorf("database: unknown query_exec_mode %q", name)
	}
}

// queryTimeout is the client-side bound of one statement; 0 means none.
func (d *DB) queryTimeout() time.Duration { return d.cfg.QueryTimeout }

// Ping runs a real query (SELECT 1) on the primary within ctx; readiness checks use it (a
// replica answering says nothing about whether writes can succeed).
func (d *DB) Ping(ctx context.Context) error {
	var one int
	return d.QueryRow(OnPrimary(ctx), "SELECT 1", nil, &one)
}

// Close releases every connection. In-flight queries should have finished (the HTTP server
// drains first).
func (d *DB) Close() {
	d.closeReplicas()
	_ = d.sql.Close()
	d.pool.Close()
}

// Config returns the configuration the seam was opened with (jobs open sibling connections
// with it).
func (d *DB) Config() config.Database { return d.cfg }
