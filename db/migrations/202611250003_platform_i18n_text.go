package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// platformI18nText adds i18n_text(translations, field): every language's text of one field,
// for the trigram index that serves searches in any language (see platform/i18n.Search).
func platformI18nText() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "202611250003_platform_i18n_text",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx, `CREATE FUNCTION i18n_text(translations jsonb, field text) RETURNS text
				LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
					SELECT string_agg(value ->> field, E'\n' ORDER BY key) FROM jsonb_each(translations)
				$$`)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx, `DROP FUNCTION i18n_text(jsonb, text)`)
		},
	}
}
