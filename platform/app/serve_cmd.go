package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/erp-foundation/erp/platform/config"
	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/httperr"
	"github.com/erp-foundation/erp/platform/httpserver"
	"github.com/erp-foundation/erp/platform/i18n"
	"github.com/erp-foundation/erp/platform/idempotency"
	"github.com/erp-foundation/erp/platform/listing"
)

func serveCommand(env *Env) *cobra.Command {
	var migrate bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API until SIGINT or SIGTERM, then drain in-flight requests",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			cfg := env.Config()
			log, err := env.Logger()
			if err != nil {
				return err
			}
			// gin's debug mode only prints a banner and the route list at every start; the
			// routes are in /openapi.json and requests in the access log.
			gin.SetMode(gin.ReleaseMode)
			d, err := env.OpenDB(ctx, log)
			if err != nil {
				return err
			}
			defer func() {
				d.Close()
				log.Info("database pool closed")
			}()
			if err := CheckRequestRole(ctx, cfg, d, log); err != nil {
				return err
			}
			owner, err := env.OpenOwnerDB(ctx, log)
			if err != nil {
				return err
			}
			defer owner.Close()
			if migrate {
				if err := migrateAndLog(ctx, env.w.NewMigrator(owner), log); err != nil {
					return err
				}
			}
			svc, err := Assemble(*env.w, cfg, Databases{App: d, Owner: owner}, log)
			if err != nil {
				return err
			}
			if cfg.HTTP.PprofAddr != "" {
				go func() {
					if err := httpserver.ServePprof(ctx, cfg.HTTP.PprofAddr, log); err != nil {
						log.Error("pprof server stopped", "error", err.Error())
					}
				}()
			}
			if cfg.Pagination.CursorSecret == "" {
				log.Info("pagination.cursor_secret is empty: list cursors are signed with a per-process key")
			}
			return svc.Run(ctx)
		},
	}
	cmd.Flags().BoolVar(&migrate, "migrate", false, "apply pending migrations before serving (safe with several instances)")
	return cmd
}

// Service is an assembled service: its HTTP server and the tasks around it.
type Service struct {
	HTTP     *httpserver.Server
	Assembly *Assembly
	log      *slog.Logger
	ready    *readiness
}

// Run runs the startup tasks, starts the background tasks, and serves on http.addr until ctx
// ends.
func (s *Service) Run(ctx context.Context) error { return s.serve(ctx, nil) }

// Serve is Run on a listener of the caller's (tests).
func (s *Service) Serve(ctx context.Context, ln net.Listener) error { return s.serve(ctx, ln) }

func (s *Service) serve(ctx context.Context, ln net.Listener) error {
	s.ready.logSchema(ctx, s.log)
	for _, task := range s.Assembly.Startup {
		if err := task(ctx); err != nil {
			return err
		}
	}
	for _, task := range s.Assembly.Background {
		go func() {
			if err := task(ctx); err != nil {
				s.log.Error("background task stopped", "error", err.Error())
			}
		}()
	}
	if ln != nil {
		return s.HTTP.Serve(ctx, ln)
	}
	return s.HTTP.Run(ctx)
}

// Assemble builds the service with every module of w on an open database. Tests use it to run
// the real service in-process.
func Assemble(w Wiring, cfg *config.Config, dbs Databases, log *slog.Logger) (*Service, error) {
	d := dbs.App
	metrics := prometheus.NewRegistry()
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		d.Collector(),
	} {
		if err := metrics.Register(c); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	deps := &Deps{
		Config: cfg, DB: d, Owner: dbs.Owner, Logger: log, Lists: listing.NewCodec(cfg.Pagination.CursorSecret),
		I18n: i18n.New(cfg.I18n), Metrics: metrics,
	}
	asm, err := w.Assemble(deps)
	if err != nil {
		return nil, err
	}
	if asm.Guard == nil {
		return nil, errors.New("app: the assembly has no Guard; API routes would be unprotected")
	}
	var routes []httpserver.Route
	var constraints [][]httperr.Constraint
	for _, m := range asm.Modules {
		routes = append(routes, m.Routes()...)
		constraints = append(constraints, m.Constraints())
	}
	asm.Background = append(asm.Background, d.MonitorReplicas)
	registry := httperr.NewRegistry(constraints...)
	ready, err := newReadiness(d, w.MigrationIDs, metrics)
	if err != nil {
		return nil, err
	}
	keys := idempotency.New(d, registry, log)
	asm.Background = append(asm.Background, Every(time.Hour, keys.PurgeExpired))
	srv, err := httpserver.New(httpserver.Options{
		Config:      cfg.HTTP,
		Logger:      log,
		Errors:      registry,
		Idempotency: keys.Middleware,
		Ready:       ready.ready,
		Metrics:     metrics,
		Routes:      routes,
		Guard:       asm.Guard,
		Title:       "ERP API",
		Version:     w.Version,
		Description: "The ERP foundation's REST API. Every /api/v1 route but POST /auth/token needs a bearer token. Errors are RFC 9457 problem documents (application/problem+json).",
	})
	if err != nil {
		return nil, err
	}
	return &Service{HTTP: srv, Assembly: asm, log: log, ready: ready}, nil
}

// Databases are the service's two connections: the application role's pool for requests and
// the owner role's small direct pool for background jobs (the same database in development).
type Databases struct {
	App, Owner *database.DB
}

// migrateAndLog applies pending migrations and says which, or that there were none.
func migrateAndLog(ctx context.Context, m Migrator, log *slog.Logger) error {
	_, pending, err := m.Status(ctx)
	if err != nil {
		return err
	}
	if len(pending) == 0 {
		log.Info("schema is up to date; no migration to apply")
		return nil
	}
	if err := m.Up(ctx); err != nil {
		return err
	}
	log.Info("applied migrations", "count", len(pending), "ids", strings.Join(pending, ","))
	return nil
}

// CheckRequestRole refuses, in production, a request role that can do more than read and
// write rows (database.RequestRoleRisks): a request handler must not be able to do what an
// attacker who takes it over would like.
func CheckRequestRole(ctx context.Context, cfg *config.Config, d *database.DB, log *slog.Logger) error {
	if cfg.Env != config.EnvProduction {
		return nil
	}
	risks, err := d.RequestRoleRisks(ctx)
	if err != nil || len(risks) == 0 {
		return err
	}
	why := strings.Join(risks, "; ")
	if cfg.Database.AllowOwnerAsApp {
		log.Warn("the request role can do more than read and write rows; database.allow_owner_as_app is set, so serving anyway", "why", why)
		return nil
	}
	return fmt.Errorf("refusing to serve: %s. Requests must run as a role that only reads and writes rows: "+
		"point database.url at such a role (erp db grant creates it) and database.owner_url at the owner, "+
		"or set database.allow_owner_as_app=true to accept the risk", why)
}
