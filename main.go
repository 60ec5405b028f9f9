// Command erp is the ERP service: `erp serve` runs the REST API, `erp migrate` manages the
// schema, `erp config print` shows the effective configuration. This file is the only place
// that wires modules, migrations and platform together.
package main

import (
	"context"
	_ "embed"
	"os"
	"os/signal"
	"syscall"

	"gorm.io/gorm"

	"github.com/erp-foundation/erp/db"
	"github.com/erp-foundation/erp/modules/category"
	"github.com/erp-foundation/erp/modules/product"
	"github.com/erp-foundation/erp/platform/app"
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

// wiring lists the service's parts. A new module adds one line to modules.
func wiring() app.Wiring {
	return app.Wiring{
		Name:          "erp",
		Version:       version,
		DefaultConfig: defaultConfig,
		NewMigrator:   func(g *gorm.DB) app.Migrator { return db.NewMigrator(g) },
		Modules:       modules,
	}
}

func modules(d *app.Deps) ([]app.Module, error) {
	categories := category.NewService(d.DB.Gorm, d.I18n)
	products := product.NewService(d.DB.Gorm, d.I18n)
	return []app.Module{
		category.NewHandler(categories, d.Lists, d.I18n),
		product.NewHandler(products, d.Lists, d.I18n),
	}, nil
}
