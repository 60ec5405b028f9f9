package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/platform/apitest"
	"github.com/erp-foundation/erp/platform/app"
	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/dbtest"
)

// auditEnv is the whole service with an admin signed in.
type auditEnv struct {
	api     *apitest.API
	admin   string
	adminID int64
}

func newAuditEnv(t *testing.T) *auditEnv {
	t.Helper()
	return newAuditEnvOn(t, pg.New(t))
}

// newAuditEnvOn runs the service on d (the application role's connection, say).
func newAuditEnvOn(t *testing.T, d *dbtest.DB) *auditEnv {
	t.Helper()
	api := apitest.New(t, d, func(deps *app.Deps) *app.Assembly {
		asm, err := assemble(deps)
		require.NoError(t, err)
		return asm
	})
	e := &auditEnv{api: api, admin: adminToken(t, api)}
	require.NoError(t, api.DB.Outside(t).Raw("SELECT id FROM users WHERE email = 'admin@example.com'").Scan(&e.adminID).Error)
	return e
}

// do sends a request as the admin with the given request id.
func (e *auditEnv) do(t *testing.T, method, path string, body any, requestID string, headers ...string) *apitest.Response {
	t.Helper()
	return e.api.Do(method, path, body, append([]string{"Authorization", "Bearer " + e.admin, "X-Request-ID", requestID}, headers...)...)
}

// create makes an entity through the API and returns its id.
func (e *auditEnv) create(t *testing.T, collection string, body map[string]any) int64 {
	t.Helper()
	res := e.do(t, http.MethodPost, "/api/v1/"+collection, body, "setup-"+collection)
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var out struct {
		ID int64 `json:"id"`
	}
	res.JSON(&out)
	return out.ID
}

// backup takes a backup through the API and waits until it succeeded; it returns its id.
func (e *auditEnv) backup(t *testing.T, requestID string) int64 {
	t.Helper()
	res := e.do(t, http.MethodPost, "/api/v1/ops/backups", nil, requestID)
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	location := res.Header.Get("Location")
	var b struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	require.Eventually(t, func() bool {
		e.do(t, http.MethodGet, location, nil, "poll").JSON(&b)
		return b.Status != "running"
	}, 60*time.Second, 50*time.Millisecond)
	require.Equal(t, "succeeded", b.Status)
	return b.ID
}

// auditEvent is an audit_events row as the test reads it.
type auditEvent struct {
	ActorUserID *int64
	Action      string
	EntityType  string
	EntityID    int64
	RequestID   *string
	Changes     string
}

func (e *auditEnv) events(t *testing.T, requestID string) []auditEvent {
	t.Helper()
	var out []auditEvent
	require.NoError(t, e.api.DB.Outside(t).Raw(`SELECT actor_user_id, action, entity_type, entity_id, request_id, changes::text AS changes
		FROM audit_events WHERE request_id = ? ORDER BY id`, requestID).Scan(&out).Error)
	return out
}

// writeScenario is one write route exercised: the request, and the one event it must write.
type writeScenario struct {
	method, path string
	body         any
	action       string
	entity       string
	// id is the entity id the event must name (0: the id the response's Location names).
	id int64
	// lang fills {lang} (default fr).
	lang string
	// changes are the entries the event's changes must contain (API names and formats).
	changes map[string]any
	// absent are keys the changes must not contain; present, keys it must contain.
	absent, present []string
	// events is how many events the request id ends up with (default 1); more than one, or
	// async, means a background job (a backup) writes the rest under the same request id.
	events int
	async  bool
}

// TestEveryWriteRouteWritesExactlyOneEvent walks every write route of the OpenAPI document:
// each must have a scenario here (a new route without one fails the test) and each scenario
// must produce exactly one event with the right actor, action, entity, request id and changes.
//
// The service runs as a least-privilege application role (erp db grant), as in production: no
// route needs more than reading and writing rows.
func TestEveryWriteRouteWritesExactlyOneEvent(t *testing.T) {
	t.Parallel()
	e := newAuditEnvOn(t, pg.New(t).AsApplicationRole(t, database.Privileges{ReadOnly: wiring().ReadOnlyTables}))
	cat := e.create(t, "categories", map[string]any{"code": "tools", "name": "Tools"})
	other := e.create(t, "categories", map[string]any{"code": "spare", "name": "Spare"})
	prod := e.create(t, "products", map[string]any{"sku": "P-1", "name": "Hammer", "price": "19.99", "category_id": cat})
	doomed := e.create(t, "products", map[string]any{"sku": "P-2", "name": "Nail", "price": "0.10"})
	usr := e.create(t, "users", map[string]any{"email": "u@example.com", "password": adminPassword, "full_name": "U", "role": "staff"})
	require.Equal(t, http.StatusOK, e.do(t, http.MethodPut, fmt.Sprintf("/api/v1/products/%d/translations/de", prod),
		map[string]any{"name": "Hammer"}, "setup-de").Status)
	require.Equal(t, http.StatusOK, e.do(t, http.MethodPut, fmt.Sprintf("/api/v1/categories/%d/translations/de", cat),
		map[string]any{"name": "Werkzeug"}, "setup-de2").Status)
	backup, spare := e.backup(t, "setup-backup-1"), e.backup(t, "setup-backup-2")
	restoreTarget := "walk_" + strings.ToLower(e.api.DB.Name)
	t.Cleanup(func() {
		_ = e.api.DB.Owner.Admin(context.Background(), "DROP DATABASE IF EXISTS "+restoreTarget+" WITH (FORCE)")
	})

	scenarios := []writeScenario{
		{method: "POST", path: "/api/v1/categories", body: map[string]any{"code": "c1", "name": "Cables", "translations": map[string]any{"fr": map[string]any{"name": "Câbles"}}},
			action: "create", entity: "category",
			changes: map[string]any{"code": map[string]any{"old": nil, "new": "c1"}, "name": map[string]any{"old": nil, "new": "Cables"},
				"translations.fr": map[string]any{"old": nil, "new": map[string]any{"name": "Câbles"}}},
			absent: []string{"version", "created_at", "updated_at", "id", "translations", "description"}},
		{method: "PATCH", path: "/api/v1/categories/{id}", id: other, body: map[string]any{"name": "Spares", "parent_id": cat},
			action: "update", entity: "category",
			changes: map[string]any{"name": map[string]any{"old": "Spare", "new": "Spares"}, "parent_id": map[string]any{"old": nil, "new": float64(cat)}},
			absent:  []string{"code", "version"}},
		{method: "PUT", path: "/api/v1/categories/{id}/translations/{lang}", id: cat, body: map[string]any{"name": "Outils"},
			action: "update", entity: "category",
			changes: map[string]any{"translations.fr": map[string]any{"old": nil, "new": map[string]any{"name": "Outils"}}},
			absent:  []string{"translations.de", "name"}},
		{method: "DELETE", path: "/api/v1/categories/{id}/translations/{lang}", id: cat, lang: "de",
			action: "update", entity: "category",
			changes: map[string]any{"translations.de": map[string]any{"old": map[string]any{"name": "Werkzeug"}, "new": nil}}},
		{method: "DELETE", path: "/api/v1/categories/{id}", id: other, action: "delete", entity: "category",
			changes: map[string]any{"code": map[string]any{"old": "spare", "new": nil}}},
		{method: "POST", path: "/api/v1/products", body: map[string]any{"sku": "P-3", "name": "Saw", "price": 12.5, "attributes": map[string]any{"teeth": 24}},
			action: "create", entity: "product",
			changes: map[string]any{"price": map[string]any{"old": nil, "new": "12.50"}, "attributes": map[string]any{"old": nil, "new": map[string]any{"teeth": float64(24)}},
				"is_active": map[string]any{"old": nil, "new": true}}},
		{method: "PATCH", path: "/api/v1/products/{id}", id: prod, body: map[string]any{"price": "17.5", "is_active": false},
			action: "update", entity: "product",
			changes: map[string]any{"price": map[string]any{"old": "19.99", "new": "17.50"}, "is_active": map[string]any{"old": true, "new": false}},
			absent:  []string{"name", "version", "updated_at"}},
		{method: "PUT", path: "/api/v1/products/{id}/translations/{lang}", id: prod, body: map[string]any{"name": "Marteau"},
			action: "update", entity: "product",
			changes: map[string]any{"translations.fr": map[string]any{"old": nil, "new": map[string]any{"name": "Marteau"}}}},
		{method: "DELETE", path: "/api/v1/products/{id}/translations/{lang}", id: prod, lang: "de",
			action: "update", entity: "product",
			changes: map[string]any{"translations.de": map[string]any{"old": map[string]any{"name": "Hammer"}, "new": nil}}},
		{method: "DELETE", path: "/api/v1/products/{id}", id: doomed, action: "delete", entity: "product",
			changes: map[string]any{"sku": map[string]any{"old": "P-2", "new": nil}, "price": map[string]any{"old": "0.10", "new": nil}}},
		{method: "POST", path: "/api/v1/users", body: map[string]any{"email": "n@example.com", "password": adminPassword, "full_name": "N", "role": "viewer"},
			action: "create", entity: "user",
			changes: map[string]any{"password": map[string]any{"old": nil, "new": "[redacted]"}, "email": map[string]any{"old": nil, "new": "n@example.com"}},
			absent:  []string{"password_hash"}},
		{method: "PATCH", path: "/api/v1/users/{id}", id: usr, body: map[string]any{"password": "a fresh passphrase 7", "full_name": "U2"},
			action: "update", entity: "user",
			changes: map[string]any{"password": map[string]any{"old": "[redacted]", "new": "[redacted]"}, "full_name": map[string]any{"old": "U", "new": "U2"}},
			absent:  []string{"password_hash"}},
		{method: "DELETE", path: "/api/v1/users/{id}", id: usr, action: "update", entity: "user",
			changes: map[string]any{"is_active": map[string]any{"old": true, "new": false}}},
		{method: "POST", path: "/api/v1/users/{id}/revoke-tokens", id: usr, action: "update", entity: "user",
			changes: map[string]any{"token_generation": map[string]any{"old": float64(3), "new": float64(4)}}},
		{method: "POST", path: "/api/v1/users/me/revoke-tokens", id: e.adminID, action: "update", entity: "user",
			changes: map[string]any{"token_generation": map[string]any{"old": float64(1), "new": float64(2)}}},
		{method: "POST", path: "/api/v1/ops/backups", action: "create", entity: "backup", events: 2,
			changes: map[string]any{"status": map[string]any{"old": nil, "new": "running"}}, present: []string{"started_at", "file"}},
		{method: "POST", path: "/api/v1/ops/backups/{id}/verify", id: backup, action: "update", entity: "backup",
			changes: map[string]any{"verification": map[string]any{"old": nil, "new": "ok"}}, present: []string{"verified_at"}},
		{method: "POST", path: "/api/v1/ops/backups/{id}/restore", id: backup, body: map[string]any{"target_database": restoreTarget},
			action: "update", entity: "backup", async: true, present: []string{"restored_at"}},
		{method: "DELETE", path: "/api/v1/ops/backups/{id}", id: spare, action: "delete", entity: "backup",
			changes: map[string]any{"status": map[string]any{"old": "succeeded", "new": nil}}},
	}

	covered := map[string]bool{}
	for i, sc := range scenarios {
		reqID := fmt.Sprintf("walk-%02d", i)
		lang := sc.lang
		if lang == "" {
			lang = "fr"
		}
		path := strings.NewReplacer("{id}", fmt.Sprint(sc.id), "{lang}", lang).Replace(sc.path)
		name := sc.method + " " + sc.path
		covered[name] = true
		res := e.do(t, sc.method, path, sc.body, reqID)
		require.Less(t, res.Status, 300, "%s: %s", name, res.Body)
		if sc.id == 0 {
			_, err := fmt.Sscanf(res.Header.Get("Location")[strings.LastIndexByte(res.Header.Get("Location"), '/')+1:], "%d", &sc.id)
			require.NoError(t, err, name)
		}
		want := max(sc.events, 1)
		if sc.async || want > 1 { // a background job finishes the work
			require.Eventually(t, func() bool { return len(e.events(t, reqID)) >= want }, 60*time.Second, 50*time.Millisecond, name)
		}
		evs := e.events(t, reqID)
		require.Len(t, evs, want, "%s writes exactly %d event(s)", name, want)
		ev := evs[0]
		require.NotNil(t, ev.ActorUserID, name)
		assert.Equal(t, e.adminID, *ev.ActorUserID, name)
		assert.Equal(t, sc.action, ev.Action, name)
		assert.Equal(t, sc.entity, ev.EntityType, name)
		assert.Equal(t, sc.id, ev.EntityID, name)
		var changes map[string]any
		require.NoError(t, json.Unmarshal([]byte(ev.Changes), &changes), name)
		for k, want := range sc.changes {
			assert.Equal(t, want, changes[k], "%s: changes[%q] in %s", name, k, ev.Changes)
		}
		for _, k := range sc.absent {
			assert.NotContains(t, changes, k, "%s: %s", name, ev.Changes)
		}
		for _, k := range sc.present {
			assert.Contains(t, changes, k, "%s: %s", name, ev.Changes)
		}
		assert.NotContains(t, ev.Changes, "$2a$", "%s: no password hash ever", name)
		if sc.path == "/api/v1/users/me/revoke-tokens" {
			e.admin = login(t, e.api, "admin@example.com", adminPassword)
		}
	}

	doc, err := openapi3.NewLoader().LoadFromData(openAPI(t, e.api))
	require.NoError(t, err)
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if method == http.MethodGet || path == "/api/v1/auth/token" || !strings.HasPrefix(path, "/api/v1/") {
				continue
			}
			assert.True(t, covered[method+" "+path], "write route %s %s has no audit scenario: add one", method, path)
		}
	}
}

// TestNothingChangedOrFailedWritesNoEvent: a request that changes nothing, and a request that
// fails (409, 412, 422, a COMMIT that fails), leave neither a row change nor an event.
func TestNothingChangedOrFailedWritesNoEvent(t *testing.T) {
	t.Parallel()
	e := newAuditEnv(t)
	cat := e.create(t, "categories", map[string]any{"code": "tools", "name": "Tools"})
	prod := e.create(t, "products", map[string]any{"sku": "P-1", "name": "Hammer", "price": "19.99", "category_id": cat})
	path := fmt.Sprintf("/api/v1/products/%d", prod)
	// A deferred check that fails only when the transaction commits.
	require.NoError(t, e.api.DB.Outside(t).Exec(`
		CREATE FUNCTION test_fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.sku = 'FAIL-AT-COMMIT' THEN RAISE EXCEPTION 'refused at commit' USING ERRCODE = '23514'; END IF;
			RETURN NULL;
		END $$;
		CREATE CONSTRAINT TRIGGER test_fail_at_commit AFTER INSERT OR UPDATE ON products
			DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_fail_at_commit();`).Error)

	for _, tc := range []struct {
		name    string
		method  string
		path    string
		body    any
		headers []string
		status  int
	}{
		{"PATCH {}", http.MethodPatch, path, map[string]any{}, nil, http.StatusOK},
		{"the same values", http.MethodPatch, path, map[string]any{"name": "Hammer", "price": "19.99"}, nil, http.StatusOK},
		{"duplicate SKU", http.MethodPost, "/api/v1/products", map[string]any{"sku": "p-1", "name": "X", "price": "1"}, nil, http.StatusConflict},
		{"stale If-Match", http.MethodPatch, path, map[string]any{"name": "Mallet"}, []string{"If-Match", `"41"`}, http.StatusPreconditionFailed},
		{"unknown category", http.MethodPatch, path, map[string]any{"category_id": 999999}, nil, http.StatusUnprocessableEntity},
		{"still referenced", http.MethodDelete, fmt.Sprintf("/api/v1/categories/%d", cat), nil, nil, http.StatusConflict},
		{"COMMIT fails", http.MethodPost, "/api/v1/products", map[string]any{"sku": "FAIL-AT-COMMIT", "name": "X", "price": "1"}, nil, http.StatusUnprocessableEntity},
		{"COMMIT fails in a PATCH", http.MethodPatch, path, map[string]any{"sku": "FAIL-AT-COMMIT"}, nil, http.StatusUnprocessableEntity},
	} {
		reqID := "nothing-" + strings.ReplaceAll(tc.name, " ", "-")
		res := e.do(t, tc.method, tc.path, tc.body, reqID, tc.headers...)
		require.Equal(t, tc.status, res.Status, "%s: %s", tc.name, res.Body)
		assert.Empty(t, e.events(t, reqID), "%s writes no event", tc.name)
	}
	var p struct {
		Version int
		Name    string
		SKU     string
	}
	require.NoError(t, e.api.DB.Outside(t).Raw("SELECT version, name, sku FROM products WHERE id = ?", prod).Scan(&p).Error)
	assert.Equal(t, 1, p.Version, "nothing bumped the version")
	assert.Equal(t, "P-1", p.SKU)
	var n int64
	require.NoError(t, e.api.DB.Outside(t).Raw("SELECT count(*) FROM products").Scan(&n).Error)
	assert.Equal(t, int64(1), n, "no failed create left a row")
}

// TestChangesOutsideTheServiceAreAudited: a change made with psql is audited, with no actor;
// TRUNCATE, which fires no row triggers, is refused.
func TestChangesOutsideTheServiceAreAudited(t *testing.T) {
	t.Parallel()
	e := newAuditEnv(t)
	prod := e.create(t, "products", map[string]any{"sku": "P-1", "name": "Hammer", "price": "19.99"})
	psql := e.api.DB.Outside(t)
	require.NoError(t, psql.Exec("UPDATE products SET price = 21 WHERE id = ?", prod).Error)
	var ev struct {
		ActorUserID *int64
		RequestID   *string
		Action      string
		Changes     string
	}
	require.NoError(t, psql.Raw(`SELECT actor_user_id, request_id, action, changes::text AS changes FROM audit_events
		WHERE entity_type = 'product' AND entity_id = ? ORDER BY id DESC LIMIT 1`, prod).Scan(&ev).Error)
	assert.Nil(t, ev.ActorUserID, "no actor outside the service")
	assert.Nil(t, ev.RequestID)
	assert.Equal(t, "update", ev.Action)
	assert.JSONEq(t, `{"price":{"old":"19.99","new":"21.00"}}`, ev.Changes)

	for _, table := range []string{"products", "categories", "users", "audit_events"} {
		err := psql.Exec("TRUNCATE " + table + " CASCADE").Error
		require.Error(t, err, table)
		assert.Contains(t, err.Error(), "would bypass the audit trail", table)
	}
}

// TestIdempotentCreateIsReplayedWithOneRowAndOneEvent: through the whole service, a POST retried
// with its Idempotency-Key answers the first outcome (Location and ETag included) and leaves one
// product and one audit event.
func TestIdempotentCreateIsReplayedWithOneRowAndOneEvent(t *testing.T) {
	t.Parallel()
	e := newAuditEnv(t)
	body := map[string]any{"sku": "IDEM-1", "name": "Once", "price": "3.00"}
	first := e.do(t, http.MethodPost, "/api/v1/products", body, "idem-a", "Idempotency-Key", "create-once")
	require.Equal(t, http.StatusCreated, first.Status, "%s", first.Body)
	again := e.do(t, http.MethodPost, "/api/v1/products", body, "idem-b", "Idempotency-Key", "create-once")
	require.Equal(t, http.StatusCreated, again.Status)
	assert.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	assert.Equal(t, first.Header.Get("Location"), again.Header.Get("Location"))
	assert.Equal(t, first.Header.Get("ETag"), again.Header.Get("ETag"))
	assert.JSONEq(t, string(first.Body), string(again.Body))
	assert.Len(t, e.events(t, "idem-a"), 1)
	assert.Empty(t, e.events(t, "idem-b"), "the replay changed nothing")
	other := e.do(t, http.MethodPost, "/api/v1/products", map[string]any{"sku": "IDEM-2", "name": "Other", "price": "3.00"},
		"idem-c", "Idempotency-Key", "create-once")
	assert.Equal(t, http.StatusUnprocessableEntity, other.Status)
	assert.Equal(t, "idempotency_key_reused", other.Problem().Code)
}
