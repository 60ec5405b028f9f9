package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/platform/apitest"
	"github.com/erp-foundation/erp/platform/app"
	"github.com/erp-foundation/erp/platform/auth"
	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/logging"
)

// TestEveryRouteChecksTokensAndRoles walks every /api/v1 route of the real service and checks,
// for each, that no token, a token with a bad signature, an expired token and a deactivated
// user's token are all 401, that each role outside the route's roles is 403, and that each role
// inside them gets through (whatever the handler then answers, but never a 5xx: the service
// runs as the least-privilege application role, and every route works under it).
func TestEveryRouteChecksTokensAndRoles(t *testing.T) {
	t.Parallel()
	d := pg.New(t).AsApplicationRole(t, database.Privileges{ReadOnly: wiring().ReadOnlyTables})
	api := apitest.New(t, d, func(deps *app.Deps) *app.Assembly {
		asm, err := assemble(deps)
		require.NoError(t, err)
		return asm
	})
	admin := adminToken(t, api)
	tokens := map[string]string{auth.RoleAdmin: admin}
	for _, role := range []string{auth.RoleStaff, auth.RoleViewer, "gone"} {
		r := role
		if role == "gone" {
			r = auth.RoleStaff
		}
		res := api.Do(http.MethodPost, "/api/v1/users", map[string]any{
			"email": role + "@example.com", "password": adminPassword, "full_name": role, "role": r,
		}, "Authorization", "Bearer "+admin)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		tokens[role] = login(t, api, role+"@example.com", adminPassword)
		if role == "gone" {
			require.Equal(t, http.StatusNoContent, api.Do(http.MethodDelete, res.Header.Get("Location"), nil,
				"Authorization", "Bearer "+admin).Status)
		}
	}
	cfg := apitest.Config(d.URL).Auth
	forged, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "1", "iss": auth.Issuer, "exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString([]byte("not the service's key, but 32 bytes long"))
	expired, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "1", "iss": auth.Issuer, "exp": time.Now().Add(-time.Minute).Unix(),
	}).SignedString([]byte(cfg.JWTSecret))

	doc, err := openapi3.NewLoader().LoadFromData(openAPI(t, api))
	require.NoError(t, err)
	routes := 0
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, "/api/v1/") {
			continue
		}
		for method, op := range item.Operations() {
			routes++
			url := strings.NewReplacer("{id}", "1", "{lang}", "fr").Replace(path)
			var body any
			if method != http.MethodGet && method != http.MethodDelete {
				body = map[string]any{}
			}
			name := method + " " + path
			if path == "/api/v1/auth/token" {
				assert.NotEqual(t, http.StatusUnauthorized, api.Do(method, url, map[string]any{"email": "admin@example.com", "password": adminPassword}).Status, name)
				continue
			}
			roles, _ := op.Extensions["x-roles"].([]any)
			require.NotEmpty(t, roles, "%s declares its roles in the OpenAPI document", name)
			require.NotNil(t, op.Security, name)

			for label, header := range map[string]string{
				"no token": "", "bad signature": "Bearer " + forged, "expired": "Bearer " + expired,
				"deactivated user": "Bearer " + tokens["gone"], "not a bearer": "Basic YWRtaW46YWRtaW4=",
			} {
				res := api.Do(method, url, body, "Authorization", header)
				assert.Equal(t, http.StatusUnauthorized, res.Status, "%s with %s", name, label)
				assert.Equal(t, "unauthorized", res.Problem().Code, "%s with %s", name, label)
			}
			for _, role := range auth.Roles() {
				res := api.Do(method, url, body, "Authorization", "Bearer "+tokens[role])
				if allowed(roles, role) {
					assert.NotContains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, res.Status, "%s as %s: %s", name, role, res.Body)
					assert.Less(t, res.Status, 500, "%s as %s: %s", name, role, res.Body)
				} else {
					assert.Equal(t, http.StatusForbidden, res.Status, "%s as %s", name, role)
				}
				if strings.HasSuffix(path, "/revoke-tokens") && res.Status == http.StatusNoContent {
					// That signed someone out everywhere: sign the roles in again.
					for r := range tokens {
						if r != "gone" {
							tokens[r] = login(t, api, emailOf(r), adminPassword)
						}
					}
				}
			}
		}
	}
	assert.GreaterOrEqual(t, routes, 20)
	assert.NotNil(t, doc.Components.SecuritySchemes["bearer"], "the document declares the bearer scheme")
}

func emailOf(role string) string {
	if role == auth.RoleAdmin {
		return "admin@example.com"
	}
	return role + "@example.com"
}

func allowed(roles []any, role string) bool {
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}

func openAPI(t *testing.T, api *apitest.API) []byte {
	t.Helper()
	res := api.Do(http.MethodGet, "/openapi.json", nil)
	require.Equal(t, http.StatusOK, res.Status)
	return res.Body
}

// TestRolesPerRouteAreWhatTheContractSays pins the role table: viewers only read, staff may
// not touch users, admins may do everything.
func TestRolesPerRouteAreWhatTheContractSays(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	svc, err := app.Assemble(wiring(), apitest.Config(d.URL), app.Databases{App: d.DB, Owner: d.DB}, logging.Discard())
	require.NoError(t, err)
	doc, err := openapi3.NewLoader().LoadFromData(svc.HTTP.OpenAPI())
	require.NoError(t, err)
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, "/api/v1/") || path == "/api/v1/auth/token" {
			continue
		}
		for method, op := range item.Operations() {
			roles, _ := op.Extensions["x-roles"].([]any)
			name := method + " " + path
			assert.True(t, allowed(roles, auth.RoleAdmin), "admins may do everything: %s", name)
			switch {
			case strings.HasPrefix(path, "/api/v1/ops/"):
				assert.Len(t, roles, 1, "only admins operate the database: %s", name)
			case path == "/api/v1/audit-events":
				assert.ElementsMatch(t, []any{auth.RoleAdmin, auth.RoleStaff}, roles, "staff read their own events, viewers none")
			case path == "/api/v1/users/me" || path == "/api/v1/users/me/revoke-tokens":
				assert.Len(t, roles, 3, "every role reads itself and may sign out everywhere: %s", name)
			case strings.HasPrefix(path, "/api/v1/users"):
				assert.Len(t, roles, 1, "only admins manage users: %s", name)
			case method == http.MethodGet:
				assert.True(t, allowed(roles, auth.RoleViewer), "viewers read: %s", name)
			default:
				assert.False(t, allowed(roles, auth.RoleViewer), "viewers never write: %s", name)
				assert.True(t, allowed(roles, auth.RoleStaff), "staff write the catalogue: %s", name)
			}
		}
	}
}
