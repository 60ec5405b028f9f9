package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// platformInit installs what every module's tables rely on: pg_trgm for substring search, and
// touch_row(), the trigger function that makes the database own updated_at and version.
func platformInit() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "202611250001_platform_init",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE EXTENSION IF NOT EXISTS pg_trgm`,
				`CREATE FUNCTION touch_row() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN
					NEW.updated_at := now();
					NEW.version := OLD.version + 1;
					RETURN NEW;
				END $$`,
			)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx,
				`DROP FUNCTION touch_row()`,
				`DROP EXTENSION IF EXISTS pg_trgm`,
			)
		},
	}
}

// execAll runs statements in order and stops at the first error.
func execAll(tx *gorm.DB, statements ...string) error {
	for _, s := range statements {
		if err := tx.Exec(s).Error; err != nil {
			return err
		}
	}
	return nil
}
