// Package dbtest gives integration tests a real PostgreSQL database each.
//
// One server serves a whole test binary: the one at TEST_DATABASE_URL when that is set, else a
// container that dockertest starts from TEST_POSTGRES_IMAGE (default the official postgres:15
// image) on first use and removes when the tests end (it also expires on its own if the run is
// killed). Migrations run once, into a template database; every
// test then gets its own CREATE DATABASE ... TEMPLATE copy in milliseconds, so tests run in
// parallel without sharing rows. Each test binary builds its own template and drops it at the end.
//
// Without Docker and without TEST_DATABASE_URL the tests skip with a message saying how to run
// them, except under CI=true, where they fail. With -short they always skip.
//
//	var pg = dbtest.NewServer(db.Migrate)
//	func TestMain(m *testing.M) { pg.Main(m) }
//	func TestSomething(t *testing.T) { t.Parallel(); d := pg.New(t); ... }
package dbtest

import (
	"context"
	"crypto/rand"
	"fmt"
	neturl "net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"

	"github.com/erp-foundation/erp/platform/config"
	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/logging"
)

// MigrateFunc brings an empty database to the current schema (db.Migrate).
type MigrateFunc func(ctx context.Context, db *database.DB) error

// Server is the PostgreSQL server of one test binary.
type Server struct {
	migrate MigrateFunc

	once     sync.Once
	startErr error
	skipMsg  string
	admin    *pgxpool.Pool
	adminURL string
	template string
	stop     func()
	bouncer  *pgBouncer
}

// NewServer describes a server; nothing starts until the first New.
func NewServer(migrate MigrateFunc) *Server { return &Server{migrate: migrate} }

// Main runs the tests and then removes the container, if one was started. Call it from
// TestMain; it does not return.
func (s *Server) Main(m *testing.M) {
	code := m.Run()
	if s.bouncer != nil {
		s.bouncer.stop()
	}
	if s.admin != nil {
		s.dropTemplate(context.Background())
		s.admin.Close()
	}
	if s.stop != nil {
		s.stop()
	}
	os.Exit(code)
}

// DB is one test's private database: the service's seam on it, and Outside for changes and
// checks made around the service (as psql would).
type DB struct {
	*database.DB
	// Owner is the seam as the owner role (DB itself, unless AsApplicationRole made DB a
	// least-privilege role's).
	Owner *database.DB
	// Name is the database name; URL connects to it as the owner.
	Name string
	URL  string
	// RoleURL connects as the role DB uses (URL unless AsApplicationRole made one).
	RoleURL string

	outsideOnce sync.Once
	outside     *gorm.DB
	outsideErr  error
}

// Outside returns a GORM handle on its own connection, as a client outside the service (psql,
// another program) would use: tests check rows and make changes through it. It is closed with
// the database.
func (d *DB) Outside(tb testing.TB) *gorm.DB {
	tb.Helper()
	d.outsideOnce.Do(func() {
		d.outside, d.outsideErr = gorm.Open(postgres.Open(withParam(d.URL, "application_name", "psql")), &gorm.Config{
			Logger: gormlogger.Discard, SkipDefaultTransaction: true,
		})
		if d.outsideErr == nil {
			tb.Cleanup(func() {
				if sqlDB, err := d.outside.DB(); err == nil {
					_ = sqlDB.Close()
				}
			})
		}
	})
	if d.outsideErr != nil {
		tb.Fatalf("dbtest: open an outside connection: %v", d.outsideErr)
	}
	return d.outside
}

// New creates a fresh database for t from the migrated template and drops it when t ends.
func (s *Server) New(tb testing.TB) *DB {
	tb.Helper()
	if testing.Short() {
		tb.Skip("dbtest: integration test skipped in -short mode")
	}
	s.once.Do(s.start)
	if s.skipMsg != "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("dbtest: %s (CI=true: integration tests must run)", s.skipMsg)
		}
		tb.Skip("dbtest: " + s.skipMsg)
	}
	if s.startErr != nil {
		tb.Fatalf("dbtest: %v", s.startErr)
	}

	ctx := context.Background()
	name := "t_" + strings.ToLower(rand.Text()[:16])
	begin := time.Now()
	if _, err := s.admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, s.template)); err != nil {
		tb.Fatalf("dbtest: create database: %v", err)
	}
	tb.Logf("dbtest: database %s cloned from template %s in %s", name, s.template, time.Since(begin).Round(time.Millisecond))
	url := withDatabase(s.adminURL, name)
	cfg, owner := TestPoolConfig(url), (*database.DB)(nil)
	if s.bouncer != nil {
		// Requests through PgBouncer (no prepared statements); the listener and the owner direct.
		cfg.URL, cfg.QueryExecMode, cfg.ListenURL = s.bouncer.url(url), "exec", url
		var err error
		if owner, err = database.Open(ctx, database.Options{Config: TestPoolConfig(url).Owner(), Logger: logging.Discard()}); err != nil {
			tb.Fatalf("dbtest: open %s: %v", name, err)
		}
	}
	d, err := database.Open(ctx, database.Options{Config: cfg, Logger: logging.Discard()})
	if err != nil {
		tb.Fatalf("dbtest: open %s: %v", name, err)
	}
	if owner == nil {
		owner = d
	}
	tb.Cleanup(func() {
		if owner != d {
			owner.Close()
		}
		d.Close()
		if _, err := s.admin.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("dbtest: drop %s: %v", name, err)
		}
	})
	return &DB{DB: d, Owner: owner, Name: name, URL: url, RoleURL: url}
}

// TestPoolConfig is the pool configuration tests use: small pools (many databases share one
// server), generous timeouts (the race detector is slow).
func TestPoolConfig(url string) config.Database {
	return config.Database{
		URL: url, PoolSize: 1, MaxOverflow: 9,
		ConnMaxLifetime: time.Hour, ConnMaxIdleTime: time.Minute,
		AcquireTimeout: 10 * time.Second, ConnectTimeout: 10 * time.Second,
		StatementTimeout: time.Minute, QueryTimeout: time.Minute, QueryExecMode: "cache_statement",
	}
}

func (s *Server) start() {
	ctx := context.Background()
	url := os.Getenv("TEST_DATABASE_URL")
	if url == "" {
		var msg string
		url, s.stop, msg, s.startErr = startContainer()
		if msg != "" || s.startErr != nil {
			s.skipMsg = msg
			return
		}
	}
	s.adminURL = url
	s.admin, s.startErr = pgxpool.New(ctx, url)
	if s.startErr != nil {
		return
	}
	if viaPgBouncer() {
		var msg string
		if s.bouncer, msg, s.startErr = startPgBouncer(url); msg != "" || s.startErr != nil {
			s.skipMsg = msg
			return
		}
	}
	s.template, s.startErr = s.createTemplate(ctx)
}

// withDatabase returns a URL for another database on the same server (TEST_DATABASE_URL must
// be a URL, not a keyword/value string).
func withDatabase(raw, name string) string {
	u, err := neturl.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + name
	return u.String()
}

// withParam returns a URL with one query parameter set.
func withParam(raw, key, value string) string {
	u, err := neturl.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// AsApplicationRole returns d as the service sees it in production: a seam connected as a fresh
// least-privilege role that `erp db grant` set up (with p), dropped when the test ends. Its
// URL and Outside stay the owner's.
func (d *DB) AsApplicationRole(tb testing.TB, p database.Privileges) *DB {
	tb.Helper()
	ctx := context.Background()
	role, password := "app_"+strings.ToLower(rand.Text()[:12]), rand.Text()
	if err := d.GrantApplicationRole(ctx, role, password, p); err != nil {
		tb.Fatalf("dbtest: grant %s: %v", role, err)
	}
	u, err := neturl.Parse(d.URL)
	if err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	u.User = neturl.UserPassword(role, password)
	app, err := database.Open(ctx, database.Options{Config: TestPoolConfig(u.String()), Logger: logging.Discard()})
	if err != nil {
		tb.Fatalf("dbtest: connect as %s: %v", role, err)
	}
	tb.Cleanup(func() {
		app.Close()
		for _, q := range []string{"DROP OWNED BY " + role, "DROP ROLE " + role} {
			if _, err := d.Change(ctx, q, nil, nil); err != nil {
				tb.Errorf("dbtest: %s: %v", q, err)
			}
		}
	})
	// URL (and so Outside) stays the owner's: tests check and arrange rows around the service.
	return &DB{DB: app, Owner: d.Owner, Name: d.Name, URL: d.URL, RoleURL: u.String()}
}
