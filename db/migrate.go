// Package db applies the schema migrations in db/migrations with gormigrate. Every run holds a
// transaction-scoped advisory lock, so two instances starting together never both migrate: the
// second waits, then finds nothing left to do. Each run is one transaction: it applies all
// pending migrations or none.
package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"

	"github.com/erp-foundation/erp/db/migrations"
	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/requestid"
)

// TableName is the table that records applied migrations.
const TableName = "schema_migrations"

// lockKey is the advisory lock that serialises migration runs (any fixed 64-bit number).
const lockKey = 7_202_611_250

// Migrator applies and reverts the migrations of db/migrations.
type Migrator struct {
	db   *database.DB
	list []*gormigrate.Migration
}

// NewMigrator returns a migrator for the service's migrations on db (the owner role's
// connection: migrations create and alter tables).
func NewMigrator(db *database.DB) *Migrator {
	return &Migrator{db: db, list: migrations.All()}
}

// Migrate applies every pending migration; dbtest and `serve --migrate` use it.
func Migrate(ctx context.Context, db *database.DB) error { return NewMigrator(db).Up(ctx) }

// IDs lists this binary's migration IDs in order (no database needed).
func IDs() []string { return (&Migrator{list: migrations.All()}).IDs() }

// IDs lists the migration IDs in order.
func (m *Migrator) IDs() []string {
	ids := make([]string, len(m.list))
	for i, mig := range m.list {
		ids[i] = mig.ID
	}
	return ids
}

// Up applies every pending migration.
func (m *Migrator) Up(ctx context.Context) error {
	return m.locked(ctx, func(g *gormigrate.Gormigrate) error {
		if err := g.Migrate(); err != nil {
			return fmt.Errorf("migrate up: %w", err)
		}
		return nil
	})
}

// Down reverts the last n applied migrations (n >= 1), newest first.
func (m *Migrator) Down(ctx context.Context, n int) error {
	if n < 1 {
		return errors.New("migrate down: the number of migrations must be at least 1")
	}
	return m.locked(ctx, func(g *gormigrate.Gormigrate) error {
		for i := range n {
			err := g.RollbackLast()
			if errors.Is(err, gormigrate.ErrNoRunMigration) {
				return fmt.Errorf("migrate down: only %d migrations were applied", i)
			}
			if err != nil {
				return fmt.Errorf("migrate down: %w", err)
			}
		}
		return nil
	})
}

// Status returns the applied and the pending migration IDs, each in list order.
func (m *Migrator) Status(ctx context.Context) (applied, pending []string, err error) {
	done := map[string]bool{}
	db := m.db.Gorm(ctx)
	if db.Migrator().HasTable(TableName) {
		var ids []string
		if err := db.Table(TableName).Pluck("id", &ids).Error; err != nil {
			return nil, nil, fmt.Errorf("migrate status: %w", err)
		}
		for _, id := range ids {
			done[id] = true
		}
	}
	for _, mig := range m.list {
		if done[mig.ID] {
			applied = append(applied, mig.ID)
		} else {
			pending = append(pending, mig.ID)
		}
	}
	return applied, pending, nil
}

// locked runs fn inside one transaction that first takes the migration advisory lock.
// gormigrate is given the transaction and told not to open its own. Rows a migration changes
// are audited with the request id "migrate".
func (m *Migrator) locked(ctx context.Context, fn func(*gormigrate.Gormigrate) error) error {
	ctx = requestid.With(ctx, "migrate")
	return m.db.Write(ctx, func(ctx context.Context) error {
		tx := m.db.Gorm(ctx)
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", lockKey).Error; err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		g := gormigrate.New(tx, &gormigrate.Options{
			TableName:                 TableName,
			IDColumnName:              "id",
			IDColumnSize:              255,
			UseTransaction:            false, // the surrounding transaction already covers the run
			ValidateUnknownMigrations: true,
		}, m.list)
		return fn(g)
	})
}
