// Package tests runs the users and sign-in routes through the real HTTP stack, with
// authentication on, on a fresh PostgreSQL database per test.
package tests

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/db"
	"github.com/erp-foundation/erp/modules/user"
	"github.com/erp-foundation/erp/platform/apitest"
	"github.com/erp-foundation/erp/platform/app"
	"github.com/erp-foundation/erp/platform/auth"
	"github.com/erp-foundation/erp/platform/dbtest"
)

var pg = dbtest.NewServer(db.Migrate)

func TestMain(m *testing.M) { pg.Main(m) }

const password = "a long enough password"

// env is one test's service with an admin signed in.
type env struct {
	*apitest.API
	svc   *user.Service
	dir   *user.Directory
	admin string // the admin's token
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvOn(t, pg.New(t))
}

// newEnvOn is newEnv on a given database (a pool configured by the test, say).
func newEnvOn(t *testing.T, db *dbtest.DB) *env {
	t.Helper()
	e := &env{}
	e.API = apitest.New(t, db, func(d *app.Deps) *app.Assembly {
		tokens := auth.NewTokens(d.Config.Auth)
		e.dir = user.NewDirectory(d.DB, 0)
		e.svc = user.NewService(d.DB, d.Config.Auth.BcryptCost, e.dir)
		return &app.Assembly{
			Modules: []app.Module{user.NewHandler(e.svc, d.Lists, tokens, auth.NewThrottle(d.Config.Auth, auth.NewMemoryLimiter()))},
			Guard:   auth.NewGuard(tokens, e.dir).Require,
		}
	})
	_, err := e.svc.CreateAdmin(context.Background(), "admin@example.com", "Admin", password)
	require.NoError(t, err)
	e.admin = e.login(t, "admin@example.com", password)
	return e
}

func (e *env) login(t *testing.T, email, pw string) string {
	t.Helper()
	res := e.Do(http.MethodPost, "/api/v1/auth/token", map[string]any{"email": email, "password": pw})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var tok user.TokenResponse
	res.JSON(&tok)
	require.Equal(t, "bearer", tok.TokenType)
	require.Equal(t, 3600, tok.ExpiresIn)
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"), "a token is never cached")
	return tok.AccessToken
}

// as sends a request with a token.
func (e *env) as(token, method, path string, body any, headers ...string) *apitest.Response {
	return e.Do(method, path, body, append([]string{"Authorization", "Bearer " + token}, headers...)...)
}

// newUser creates a user through the API and returns its id.
func (e *env) newUser(t *testing.T, email, role string) int64 {
	t.Helper()
	res := e.as(e.admin, http.MethodPost, "/api/v1/users", map[string]any{
		"email": email, "password": password, "full_name": "Some One", "role": role,
	})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var u user.Response
	res.JSON(&u)
	return u.ID
}

func userPath(id int64) string { return fmt.Sprintf("/api/v1/users/%d", id) }

// adminID is the signed-in admin's id.
func (e *env) adminID(t *testing.T) int64 {
	t.Helper()
	var u user.Response
	e.as(e.admin, http.MethodGet, "/api/v1/users/me", nil).JSON(&u)
	return u.ID
}
