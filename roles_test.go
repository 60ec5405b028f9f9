package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/platform/apitest"
	"github.com/erp-foundation/erp/platform/app"
	"github.com/erp-foundation/erp/platform/config"
	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/logging"
)

// TestTheApplicationRoleOnlyReadsAndWritesRows: after erp db grant, the role requests run as
// gets "permission denied" for every change to the schema, for TRUNCATE, for changing audit
// events and for the partitions behind them, and cannot reach a new table through anything
// but the default privileges.
func TestTheApplicationRoleOnlyReadsAndWritesRows(t *testing.T) {
	t.Parallel()
	owner := pg.New(t)
	appDB := owner.AsApplicationRole(t, database.Privileges{ReadOnly: wiring().ReadOnlyTables})
	ctx := context.Background()
	exec := func(q string) error { return appDB.Gorm(ctx).Exec(q).Error }

	risks, err := appDB.RequestRoleRisks(ctx)
	require.NoError(t, err)
	assert.Empty(t, risks)
	risks, err = owner.RequestRoleRisks(ctx)
	require.NoError(t, err)
	require.Len(t, risks, 1, "the owner is a superuser in tests, said once: %v", risks)
	assert.Contains(t, risks[0], "is a superuser")

	require.NoError(t, exec("INSERT INTO categories (code, name) VALUES ('c', 'C')"), "rows: yes")
	var month string
	require.NoError(t, owner.Outside(t).Raw(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'audit_events'::regclass AND c.relname <> 'audit_events_default' LIMIT 1`).Scan(&month).Error)
	for _, q := range []string{
		"CREATE TABLE mine (id int)",
		"ALTER TABLE products ADD COLUMN x int",
		"DROP TABLE categories CASCADE",
		"CREATE INDEX ix_mine ON products (sku)",
		"CREATE SCHEMA other",
		"TRUNCATE products",
		"UPDATE audit_events SET action = 'create'",
		"DELETE FROM audit_events",
		"INSERT INTO audit_events (action, entity_type, entity_id, changes) VALUES ('create', 'x', 1, '{}')",
		"DELETE FROM " + month,
		"SELECT * FROM " + month,
		"DELETE FROM schema_migrations",
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
		"CREATE TEMP TABLE audit_events (id int)",
	} {
		assertDenied(t, exec(q), q)
	}
	var events int64
	require.NoError(t, appDB.QueryRow(ctx, "SELECT count(*) FROM audit_events", nil, &events), "audit events are readable")
	assert.Equal(t, int64(1), events, "and the insert above wrote one through the owner's trigger")

	// Default privileges: a table the owner creates later is rows-only for the application too.
	require.NoError(t, owner.Outside(t).Exec("CREATE TABLE later (id int PRIMARY KEY)").Error)
	require.NoError(t, exec("INSERT INTO later VALUES (1)"))
	assertDenied(t, exec("TRUNCATE later"), "TRUNCATE later")
	// A partition created later keeps no privileges of its own.
	require.NoError(t, owner.Outside(t).Exec("SELECT audit_ensure_partitions('2031-01-01T00:00:00Z', 1)").Error)
	assertDenied(t, exec("SELECT * FROM audit_events_y2031m01"), "a new partition")
}

// assertDenied checks for insufficient_privilege (42501: "permission denied" or "must be owner").
func assertDenied(t *testing.T, err error, what string) {
	t.Helper()
	var pgErr *pgconn.PgError
	if assert.ErrorAs(t, err, &pgErr, what) {
		assert.Equal(t, "42501", pgErr.Code, "%s: %s", what, pgErr.Message)
	}
}

// TestProductionRefusesARequestRoleThatCanDoMoreThanRows: serve in production will not start
// on the owner's connection, unless told to accept it, nor on a role made by erp db grant that
// was given one more privilege, directly or through a role it is a member of.
func TestProductionRefusesARequestRoleThatCanDoMoreThanRows(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	cfg := apitest.Config(d.URL)
	cfg.Env = config.EnvProduction
	err := app.CheckRequestRole(context.Background(), cfg, d.DB, logging.Discard())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refusing to serve")
	assert.Contains(t, err.Error(), "superuser")
	cfg.Database.AllowOwnerAsApp = true
	assert.NoError(t, app.CheckRequestRole(context.Background(), cfg, d.DB, logging.Discard()), "a warning only")
	appDB := d.AsApplicationRole(t, database.Privileges{ReadOnly: wiring().ReadOnlyTables})
	cfg.Database.AllowOwnerAsApp = false
	assert.NoError(t, app.CheckRequestRole(context.Background(), cfg, appDB.DB, logging.Discard()))

	ctx := context.Background()
	for _, c := range []struct{ grant, want string }{
		{"ALTER ROLE %[1]s CREATEROLE", "has CREATEROLE"},
		{"ALTER ROLE %[1]s CREATEDB", "has CREATEDB"},
		{"ALTER ROLE %[1]s BYPASSRLS", "has BYPASSRLS"},
		{"GRANT pg_execute_server_program TO %[1]s", "is a member of pg_execute_server_program"},
		{"GRANT pg_write_all_data TO %[1]s", "is a member of pg_write_all_data"},
		{"GRANT CREATE ON DATABASE %[2]s TO %[1]s", "has CREATE on database"},
		{"GRANT TEMPORARY ON DATABASE %[2]s TO %[1]s", "has TEMPORARY on database"},
		{"CREATE ROLE %[1]s_admin CREATEROLE; GRANT %[1]s_admin TO %[1]s", "_admin, which has CREATEROLE"},
		{"CREATE ROLE %[1]s_tables; GRANT %[1]s_tables TO %[1]s; ALTER TABLE products OWNER TO %[1]s_tables", "_tables, the owner of 1 tables"},
	} {
		role := d.AsApplicationRole(t, database.Privileges{ReadOnly: wiring().ReadOnlyTables})
		var name string
		require.NoError(t, role.QueryRow(ctx, "SELECT current_user", nil, &name))
		for _, q := range strings.Split(fmt.Sprintf(c.grant, name, d.Name), "; ") {
			require.NoError(t, d.Outside(t).Exec(q).Error, q)
		}
		err := app.CheckRequestRole(ctx, cfg, role.DB, logging.Discard())
		if assert.Error(t, err, c.grant) {
			assert.Contains(t, err.Error(), c.want)
		}
		if strings.Contains(c.grant, "_tables") {
			require.NoError(t, d.Outside(t).Exec("ALTER TABLE products OWNER TO current_user").Error)
		}
		if strings.Contains(c.grant, "CREATE ROLE") {
			t.Cleanup(func() { d.Outside(t).Exec(fmt.Sprintf("DROP ROLE IF EXISTS %[1]s_admin, %[1]s_tables", name)) })
		}
	}
}
