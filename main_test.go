package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/db"
	"github.com/erp-foundation/erp/modules/user"
	"github.com/erp-foundation/erp/platform/apitest"
	"github.com/erp-foundation/erp/platform/app"
	"github.com/erp-foundation/erp/platform/config"
	"github.com/erp-foundation/erp/platform/dbtest"
	"github.com/erp-foundation/erp/platform/logging"
	"github.com/erp-foundation/erp/platform/openapi"
)

var pg = dbtest.NewServer(db.Migrate)

func TestMain(m *testing.M) { pg.Main(m) }

// TestEveryRouteIsDocumented builds the service exactly as `erp serve` does and fails when a
// registered route is missing from the OpenAPI document, or the document is invalid.
func TestEveryRouteIsDocumented(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	svc, err := app.Assemble(wiring(), apitest.Config(d.URL), app.Databases{App: d.DB, Owner: d.DB}, logging.Discard())
	require.NoError(t, err)
	srv := svc.HTTP

	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))

	apiRoutes := 0
	for _, r := range srv.Engine().Routes() {
		if strings.HasPrefix(r.Path, "/docs/assets/") {
			continue // static files of the documentation page
		}
		if strings.HasPrefix(r.Path, "/api/v1/") {
			apiRoutes++
		}
		item := doc.Paths.Find(openapi.Path(r.Path))
		if assert.NotNil(t, item, "%s %s is not in the OpenAPI document", r.Method, r.Path) {
			assert.NotNil(t, item.GetOperation(r.Method), "%s %s is not in the OpenAPI document", r.Method, r.Path)
		}
	}
	assert.GreaterOrEqual(t, apiRoutes, 5)
}

func TestConfigPrintReportsEnvironmentOverrides(t *testing.T) {
	t.Setenv("ERP_DATABASE_POOL_SIZE", "7")
	t.Setenv("ERP_DATABASE_URL", "postgres://app:s3cret-pw@db:5432/erp")
	var out strings.Builder
	w := wiring()
	w.Stdout = &out
	code := app.Execute(context.Background(), w, []string{"config", "print", "--config", "config.yaml"})
	require.Equal(t, 0, code)
	assert.Regexp(t, `database\.pool_size\s+7\s+environment \(ERP_DATABASE_POOL_SIZE\)`, out.String())
	assert.NotContains(t, out.String(), "s3cret-pw")
	assert.Contains(t, out.String(), "postgres://app:xxxxx@db:5432/erp")
}

// TestDatabaseOutageAnswers503AndRecovers cuts the service off its database: readiness and API
// calls answer 503 problems promptly, and both recover without a restart when it is back.
func TestDatabaseOutageAnswers503AndRecovers(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	api := apitest.New(t, d, func(deps *app.Deps) *app.Assembly {
		asm, err := assemble(deps)
		require.NoError(t, err)
		return asm
	})
	require.Equal(t, http.StatusOK, api.Do(http.MethodGet, "/readyz", nil).Status)
	token := adminToken(t, api)

	ctx := context.Background()
	admin, err := pgx.Connect(ctx, otherDatabase(t, d.URL, "postgres"))
	require.NoError(t, err)
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, "ALTER DATABASE "+d.Name+" ALLOW_CONNECTIONS false")
	require.NoError(t, err)
	_, err = admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", d.Name)
	require.NoError(t, err)

	for _, probe := range []struct{ method, path string }{
		{http.MethodGet, "/readyz"},
		{http.MethodGet, "/api/v1/categories"},
		{http.MethodGet, "/api/v1/categories/1"},
		{http.MethodPost, "/api/v1/categories"},
		{http.MethodPost, "/api/v1/auth/token"},
	} {
		var body any
		switch probe.path {
		case "/api/v1/categories":
			if probe.method == http.MethodPost {
				body = map[string]any{"code": "x", "name": "X"}
			}
		case "/api/v1/auth/token":
			body = map[string]any{"email": "admin@example.com", "password": adminPassword}
		}
		res := api.Do(probe.method, probe.path, body, "Authorization", "Bearer "+token)
		assert.Equal(t, http.StatusServiceUnavailable, res.Status, "%s %s: %s", probe.method, probe.path, res.Body)
		assert.Equal(t, "unavailable", res.Problem().Code)
	}

	_, err = admin.Exec(ctx, "ALTER DATABASE "+d.Name+" ALLOW_CONNECTIONS true")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, api.Do(http.MethodGet, "/readyz", nil).Status)
	assert.Equal(t, http.StatusCreated, api.Do(http.MethodPost, "/api/v1/categories", map[string]any{"code": "x", "name": "X"},
		"Authorization", "Bearer "+token).Status)
}

func otherDatabase(t *testing.T, raw, name string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	u.Path = "/" + name
	return u.String()
}

const adminPassword = "tremble orbit walnut 42"

// adminToken creates the first admin directly through the users service (as the create-admin
// command does) and signs in through the API.
func adminToken(t *testing.T, api *apitest.API) string {
	t.Helper()
	svc := user.NewService(api.DB.DB, 4, user.NewDirectory(api.DB.DB, 0))
	_, err := svc.CreateAdmin(context.Background(), "admin@example.com", "Admin", adminPassword)
	require.NoError(t, err)
	return login(t, api, "admin@example.com", adminPassword)
}

func login(t *testing.T, api *apitest.API, email, password string) string {
	t.Helper()
	res := api.Do(http.MethodPost, "/api/v1/auth/token", map[string]any{"email": email, "password": password})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var tok user.TokenResponse
	res.JSON(&tok)
	return tok.AccessToken
}

// TestCreateAdminReadsThePasswordFromStandardInput runs `erp users create-admin` as an operator
// would, then signs in with that password.
func TestCreateAdminReadsThePasswordFromStandardInput(t *testing.T) {
	d := pg.New(t)
	t.Setenv("ERP_DATABASE_URL", d.URL)
	t.Setenv("ERP_AUTH_BCRYPT_COST", "4")
	var out, errs strings.Builder
	w := wiring()
	w.Stdin, w.Stdout, w.Stderr = strings.NewReader("a password from stdin\n"), &out, &errs
	code := app.Execute(context.Background(), w, []string{"users", "create-admin", "--email", "Root@Example.com", "--config", "config.yaml"})
	require.Equal(t, 0, code, errs.String())
	assert.Contains(t, out.String(), "created admin Root@Example.com")

	w.Stdin = strings.NewReader("short\n")
	code = app.Execute(context.Background(), w, []string{"users", "create-admin", "--email", "x@example.com"})
	assert.Equal(t, 1, code)
	assert.Contains(t, errs.String(), "password must be at least 12 characters long")

	w.Stdin = strings.NewReader("a password from stdin\n")
	code = app.Execute(context.Background(), w, []string{"users", "create-admin", "--email", "root@example.com"})
	assert.Equal(t, 1, code)
	assert.Contains(t, errs.String(), "already registered")

	code = app.Execute(context.Background(), w, []string{"users", "create-admin", "--email", "y@example.com", "--password", "on the command line"})
	assert.Equal(t, 1, code, "there is no way to pass a password in argv")

	api := apitest.New(t, d, func(deps *app.Deps) *app.Assembly {
		asm, err := assemble(deps)
		require.NoError(t, err)
		return asm
	})
	assert.NotEmpty(t, login(t, api, "root@example.com", "a password from stdin"))
}

// TestServeRunsStartupAndBackgroundTasksAndStopsCleanly runs the assembled service as `erp
// serve` does: the bootstrap admin appears, and cancelling the context (SIGTERM) stops it.
func TestServeRunsStartupAndBackgroundTasksAndStopsCleanly(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	cfg := apitest.Config(d.URL)
	cfg.BootstrapAdmin = config.BootstrapAdmin{Email: "boot@example.com", Password: adminPassword, FullName: "Boot"}
	svc, err := app.Assemble(wiring(), cfg, app.Databases{App: d.DB, Owner: d.DB}, logging.Discard())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- svc.Serve(ctx, ln) }()
	// Serving means the startup tasks are over (stopping during one would fail it, as it should).
	require.Eventually(t, func() bool {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+ln.Addr().String()+"/healthz", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		_ = res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 10*time.Second, 50*time.Millisecond)
	var n int64
	require.NoError(t, d.Outside(t).Raw("SELECT count(*) FROM users WHERE email = 'boot@example.com' AND role = 'admin'").Scan(&n).Error)
	assert.Equal(t, int64(1), n, "the bootstrap admin exists")
	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
}

// TestReadinessFollowsTheSchemaVersion: a database missing a migration this binary needs is
// not ready; a database ahead of the binary (a newer release migrated first) stays ready and
// says so in /readyz and /metrics.
func TestReadinessFollowsTheSchemaVersion(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	svc, err := app.Assemble(wiring(), apitest.Config(d.URL), app.Databases{App: d.DB, Owner: d.DB}, logging.Discard())
	require.NoError(t, err)
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		svc.HTTP.Handler().ServeHTTP(rec, httptest.NewRequestWithContext(context.Background(), http.MethodGet, path, nil))
		return rec.Code, rec.Body.String()
	}
	status, _ := get("/readyz")
	require.Equal(t, http.StatusOK, status)

	require.NoError(t, d.Outside(t).Exec("INSERT INTO schema_migrations (id) VALUES ('209901010000_future_thing')").Error)
	status, body := get("/readyz")
	assert.Equal(t, http.StatusOK, status, "ahead of the binary stays ready")
	assert.Contains(t, body, `"schema":"ahead"`)
	assert.Contains(t, body, "209901010000_future_thing")
	_, metrics := get("/metrics")
	assert.Contains(t, metrics, "erp_schema_unknown_migrations 1")

	ids := db.IDs()
	require.NoError(t, d.Outside(t).Exec("DELETE FROM schema_migrations WHERE id = ?", ids[len(ids)-1]).Error)
	status, body = get("/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, status, "a missing migration is not ready")
	assert.Contains(t, body, ids[len(ids)-1])
	assert.Contains(t, body, "erp migrate up")
}
