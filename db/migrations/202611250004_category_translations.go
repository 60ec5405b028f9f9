package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// categoryTranslations stores the non-default languages of name and description in the row,
// with a trigram index for searching translated names.
func categoryTranslations() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "202611250004_category_translations",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`ALTER TABLE categories ADD COLUMN translations jsonb NOT NULL DEFAULT '{}',
					ADD CONSTRAINT ck_categories_translations CHECK (jsonb_typeof(translations) = 'object')`,
				`CREATE INDEX ix_categories_name_i18n_trgm ON categories
					USING gin (i18n_text(translations, 'name') gin_trgm_ops)`,
			)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx, `ALTER TABLE categories DROP COLUMN translations`)
		},
	}
}
