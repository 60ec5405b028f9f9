package main

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/platform/database"
)

// auditHijack is the attack on a SECURITY DEFINER trigger function that resolves a table
// through a search path with pg_temp in it: a temporary audit_events whose own trigger, run
// as the owner (the definer), makes the attacker a member of the owner.
var auditHijack = []string{
	`CREATE TEMP TABLE audit_events (actor_user_id bigint, action text, entity_type text, entity_id bigint, request_id text, changes jsonb)`,
	`CREATE FUNCTION pg_temp.escalate() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		EXECUTE format('GRANT %I TO %I', current_user, session_user);
		RETURN NULL;
	END $$`,
	`CREATE TRIGGER escalate AFTER INSERT ON pg_temp.audit_events FOR EACH ROW EXECUTE FUNCTION pg_temp.escalate()`,
}

// TestTheAuditTriggerCannotBeHijackedThroughATemporaryTable runs that attack as written, as
// the application role: it may not create the temporary table (erp db grant revoked TEMP). Then
// the same with TEMP granted back (a DBA who missed the revoke): the trigger still writes the
// event to public.audit_events and the role gains nothing.
func TestTheAuditTriggerCannotBeHijackedThroughATemporaryTable(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	appDB := d.AsApplicationRole(t, database.Privileges{ReadOnly: wiring().ReadOnlyTables})
	ctx := context.Background()
	attack := func(code string) (escalated bool, events int64) {
		t.Helper()
		conn, err := pgx.Connect(ctx, appDB.RoleURL)
		require.NoError(t, err)
		defer func() { _ = conn.Close(ctx) }()
		for _, q := range auditHijack {
			_, err := conn.Exec(ctx, q)
			if err != nil {
				assertDenied(t, err, q)
				break
			}
		}
		_, err = conn.Exec(ctx, "INSERT INTO categories (code, name) VALUES ($1, 'C')", code)
		require.NoError(t, err)
		require.NoError(t, conn.QueryRow(ctx, `SELECT pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = 'public.audit_events'::regclass), 'MEMBER'),
			(SELECT count(*) FROM public.audit_events WHERE entity_type = 'category' AND changes -> 'code' ->> 'new' = $1)`, code).
			Scan(&escalated, &events))
		return escalated, events
	}

	escalated, events := attack("no-temp")
	assert.False(t, escalated, "the application role became a member of the owner")
	assert.Equal(t, int64(1), events, "the service's own event is written")

	var role string
	require.NoError(t, appDB.QueryRow(ctx, "SELECT current_user", nil, &role))
	require.NoError(t, d.Outside(t).Exec("GRANT TEMPORARY ON DATABASE "+d.Name+" TO "+role).Error)
	escalated, events = attack("with-temp")
	assert.False(t, escalated, "with TEMP: the application role became a member of the owner")
	assert.Equal(t, int64(1), events, "with TEMP: the event went to public.audit_events, not the temporary table")
}

// TestEverySecurityDefinerFunctionPinsItsSearchPath: a function that runs as its owner must
// not look names up where a caller can create them.
func TestEverySecurityDefinerFunctionPinsItsSearchPath(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	var rows []struct {
		Name   string
		Config string
	}
	require.NoError(t, d.Outside(t).Raw(`SELECT p.proname AS name, coalesce(array_to_string(p.proconfig, ';'), '') AS config
		FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')`).Scan(&rows).Error)
	require.NotEmpty(t, rows, "audit_row is one")
	for _, f := range rows {
		assert.Contains(t, strings.Split(f.Config, ";"), "search_path=pg_catalog, public, pg_temp", f.Name)
	}
}
