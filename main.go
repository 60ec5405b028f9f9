// Command erp is the ERP service: `erp serve` runs the REST API, `erp migrate` manages the
// schema, `erp config print` shows the effective configuration. This file is the only place
// that wires modules, migrations and platform together.
package main

import (
	"context"
	_ "embed"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/erp-foundation/erp/db"
	"github.com/erp-foundation/erp/modules/audit"
	"github.com/erp-foundation/erp/modules/category"
	"github.com/erp-foundation/erp/modules/ops"
	"github.com/erp-foundation/erp/modules/product"
	"github.com/erp-foundation/erp/modules/user"
	"github.com/erp-foundation/erp/platform/app"
	"github.com/erp-foundation/erp/platform/auth"
	"github.com/erp-foundation/erp/platform/database"
)

// defaultConfig is config.yaml, built into the binary as the list of keys and their defaults.
//
//go:embed config.yaml
var defaultConfig []byte

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Execute(ctx, wiring(), os.Args[1:])
	stop()
	os.Exit(code)
}

// wiring lists the service's parts.
func wiring() app.Wiring {
	return app.Wiring{
		Name:          "erp",
		Version:       version,
		DefaultConfig: defaultConfig,
		NewMigrator:   func(d *database.DB) app.Migrator { return db.NewMigrator(d) },
		MigrationIDs:  db.IDs(),
		Assemble:      assemble,
		// Events come only from the owner's triggers; migrations and archives are the owner's.
		ReadOnlyTables: []string{"audit_events", "audit_archives", db.TableName},
		Commands: func(env *app.Env) []*cobra.Command {
			return slices.Concat(user.Commands(env), audit.Commands(env), ops.Commands(env))
		},
	}
}

// assemble builds every module from the shared dependencies. A new module adds its line here.
func assemble(d *app.Deps) (*app.Assembly, error) {
	cfg := d.Config
	tokens := auth.NewTokens(cfg.Auth)
	// Login attempts are counted in PostgreSQL, so the limits hold across instances.
	limiter := auth.NewPostgresLimiter(d.DB)
	directory := user.NewDirectory(d.DB, 0)
	users := user.NewService(d.DB, cfg.Auth.BcryptCost, directory)
	categories := category.NewService(d.DB, d.I18n)
	products := product.NewService(d.DB, d.I18n)
	partitions, err := audit.NewPartitions(d.Owner, cfg.Audit.MonthsAhead, d.Logger, d.Metrics)
	if err != nil {
		return nil, err
	}
	backupMetrics, err := ops.NewMetrics(d.Metrics)
	if err != nil {
		return nil, err
	}
	backups := ops.NewService(d.Owner, cfg.Database.Owner().URL, "", cfg.Backup, d.Logger, backupMetrics)
	return &app.Assembly{
		Modules: []app.Module{
			audit.NewHandler(audit.NewService(d.DB), d.Lists),
			ops.NewHandler(backups, d.Lists, d.DB),
			user.NewHandler(users, d.Lists, tokens, auth.NewThrottle(cfg.Auth, limiter)),
			category.NewHandler(categories, d.Lists, d.I18n),
			product.NewHandler(products, d.Lists, d.I18n),
		},
		Guard:   auth.NewGuard(tokens, directory).Require,
		Startup: []app.Task{partitions.Startup, users.BootstrapTask(cfg.BootstrapAdmin, d.Logger)},
		Background: []app.Task{directory.Listen, app.Every(cfg.Audit.MaintenanceInterval, partitions.Maintain), backups.Schedule(cfg.Backup.Schedule),
			app.Every(time.Minute, limiter.PurgeOld)},
	}, nil
}
