package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/db"
	"github.com/erp-foundation/erp/platform/apitest"
	"github.com/erp-foundation/erp/platform/app"
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
	srv, err := app.NewServer(wiring(), apitest.Config(d.URL), d.DB, logging.Discard())
	require.NoError(t, err)

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
