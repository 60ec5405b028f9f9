// Package migrations holds the schema history: one file per migration, named after its ID,
// each with explicit SQL (named constraints) and a Rollback. Migrations are frozen history:
// they never import modules or their models. To add one, write a new file and append it to
// All; IDs must ascend (all_test.go checks).
package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// All returns every migration in the order it must run. gormigrate runs the list as given,
// without sorting it.
func All() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		platformInit(),
		categoryCreate(),
		platformI18nText(),
		categoryTranslations(),
		productCreate(),
		userCreate(),
		userTokenGeneration(),
		auditCreate(),
		platformIdempotency(),
		opsCreate(),
		platformSharedState(),
		auditPinSearchPath(),
	}
}
