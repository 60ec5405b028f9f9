// Package app is the service's command line (cobra): serve, migrate up|down|status and config
// print. It knows no module: main.go hands it the migrations and a function that builds the
// modules, which keeps main.go the only place where everything is wired.
package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/erp-foundation/erp/platform/config"
	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/httperr"
	"github.com/erp-foundation/erp/platform/httpserver"
	"github.com/erp-foundation/erp/platform/i18n"
	"github.com/erp-foundation/erp/platform/listing"
	"github.com/erp-foundation/erp/platform/logging"
)

// Module is what a feature module contributes to the HTTP service.
type Module interface {
	Routes() []httpserver.Route
	Constraints() []httperr.Constraint
}

// Task is work tied to the service's lifetime: a startup step or a background loop.
type Task func(ctx context.Context) error

// Assembly is the service main.go assembles from the shared dependencies.
type Assembly struct {
	// Modules, in route-registration order.
	Modules []Module
	// Guard admits callers of routes that name roles. It is required: every /api/v1 route
	// must then be either public or guarded.
	Guard httpserver.Guard
	// Startup tasks run once, in order, after migrations and before serving.
	Startup []Task
	// Background tasks run while the service serves (notification listeners, say).
	Background []Task
}

// Migrator applies the schema migrations (db.Migrator).
type Migrator interface {
	Up(ctx context.Context) error
	Down(ctx context.Context, n int) error
	Status(ctx context.Context) (applied, pending []string, err error)
}

// Deps are the shared services modules are built from.
type Deps struct {
	Config *config.Config
	// DB is the application role's seam: request work.
	DB *database.DB
	// Owner is the owner role's direct connection: background jobs (partitions, backups).
	Owner   *database.DB
	Logger  *slog.Logger
	Lists   *listing.Codec
	I18n    *i18n.Translator
	Metrics *prometheus.Registry
}

// Wiring is everything main.go provides.
type Wiring struct {
	// Name is the binary's name; Version is reported in the OpenAPI document.
	Name, Version string
	// DefaultConfig is the embedded config.yaml: every key and its default.
	DefaultConfig []byte
	// NewMigrator returns the migrator for a database.
	NewMigrator func(db *database.DB) Migrator
	// MigrationIDs are the migrations this binary knows, in order (readiness checks the
	// database has them all).
	MigrationIDs []string
	// Assemble builds the modules and what protects and runs them.
	Assemble func(d *Deps) (*Assembly, error)
	// ReadOnlyTables are the tables the application role may only read (erp db grant).
	ReadOnlyTables []string
	// Commands adds module commands (users create-admin, ...); env gives them configuration
	// and a database on demand.
	Commands func(env *Env) []*cobra.Command
	// Stdin, Stdout and Stderr default to the process's.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Env gives commands the loaded configuration and, on demand, the logger and the database.
type Env struct {
	w          *Wiring
	configFile string
	loaded     *config.Loaded
}

// Config returns the loaded configuration (loaded before any command runs).
func (e *Env) Config() *config.Config { return &e.loaded.Config }

// Logger builds the configured logger.
func (e *Env) Logger() (*slog.Logger, error) {
	c := e.Config()
	return logging.New(e.w.Stdout, c.Log.Level, c.Log.Format)
}

// OpenDB opens the database as the application role (database.url), for request work; the
// caller closes it.
func (e *Env) OpenDB(ctx context.Context, log *slog.Logger) (*database.DB, error) {
	return database.Open(ctx, database.Options{Config: e.Config().Database, Logger: log})
}

// OpenOwnerDB opens a small direct connection as the owner role, for migrations and background
// jobs (which bound their own work, so statements have no query timeout); the caller closes it.
func (e *Env) OpenOwnerDB(ctx context.Context, log *slog.Logger) (*database.DB, error) {
	return database.Open(ctx, database.Options{Config: e.Config().Database.Owner(), Logger: log, ApplicationName: "erp-owner"})
}

// WithOwnerDB runs fn with the owner connection (OpenOwnerDB) and the configured logger, and
// closes the connection after it: one command's database work as the owner.
func (e *Env) WithOwnerDB(ctx context.Context, fn func(owner *database.DB, log *slog.Logger) error) error {
	log, err := e.Logger()
	if err != nil {
		return err
	}
	owner, err := e.OpenOwnerDB(ctx, log)
	if err != nil {
		return err
	}
	defer owner.Close()
	return fn(owner, log)
}

// NewCommand builds the root command.
func NewCommand(w Wiring) *cobra.Command {
	if w.Stdout == nil {
		w.Stdout = os.Stdout
	}
	if w.Stderr == nil {
		w.Stderr = os.Stderr
	}
	env := &Env{w: &w}
	root := &cobra.Command{
		Use:           w.Name,
		Short:         "ERP service: a modular REST API on PostgreSQL",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			loaded, err := config.Load(config.Options{
				Defaults: w.DefaultConfig, File: env.configFile, FileRequired: cmd.Flags().Changed("config"),
			})
			if err != nil {
				return err
			}
			env.loaded = loaded
			return nil
		},
	}
	root.SetOut(w.Stdout)
	root.SetErr(w.Stderr)
	if w.Stdin != nil {
		root.SetIn(w.Stdin)
	}
	root.PersistentFlags().StringVar(&env.configFile, "config", "config.yaml",
		"YAML config file (keys override the built-in defaults; ERP_* variables override both)")
	root.AddCommand(serveCommand(env), migrateCommand(env), configCommand(env), dbCommand(env), healthCommand(env), openapiCommand(env))
	if w.Commands != nil {
		root.AddCommand(w.Commands(env)...)
	}
	return root
}

// Execute runs the command line and returns the process exit code.
func Execute(ctx context.Context, w Wiring, args []string) int {
	cmd := NewCommand(w)
	cmd.SetArgs(args)
	if err := cmd.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(cmd.ErrOrStderr(), "error:", err)
		return 1
	}
	return 0
}
