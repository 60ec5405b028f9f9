package migrations

import (
	"strings"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// auditPinSearchPath closes a privilege escalation: audit_row() runs as the owner (SECURITY
// DEFINER) and resolved audit_events through a search path in which PostgreSQL looks at the
// session's temporary schema first, so an application role that could create a temporary
// table named audit_events got its own trigger run as the owner. The function now names
// public.audit_events and pins search_path to pg_catalog, public, then pg_temp, explicitly last.
// (erp db grant also takes TEMP away from PUBLIC and the application role.)
func auditPinSearchPath() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "202612040001_audit_pin_search_path",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx, strings.NewReplacer(
				"CREATE FUNCTION", "CREATE OR REPLACE FUNCTION",
				"SET search_path = pg_catalog, public AS", "SET search_path = pg_catalog, public, pg_temp AS",
				"INSERT INTO audit_events", "INSERT INTO public.audit_events",
			).Replace(auditRowFunction))
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx, strings.Replace(auditRowFunction, "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
		},
	}
}
