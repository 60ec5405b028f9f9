// Package tests runs the product routes through the real HTTP stack on a fresh PostgreSQL
// database per test.
package tests

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/db"
	"github.com/erp-foundation/erp/modules/category"
	"github.com/erp-foundation/erp/modules/product"
	"github.com/erp-foundation/erp/platform/apitest"
	"github.com/erp-foundation/erp/platform/app"
	"github.com/erp-foundation/erp/platform/dbtest"
	"github.com/erp-foundation/erp/platform/listing"
)

var pg = dbtest.NewServer(db.Migrate)

func TestMain(m *testing.M) { pg.Main(m) }

type page = listing.Result[product.Response]

func newAPI(t *testing.T) *apitest.API {
	t.Helper()
	return apitest.New(t, pg.New(t), func(d *app.Deps) *app.Assembly {
		return &app.Assembly{Modules: []app.Module{
			category.NewHandler(category.NewService(d.DB, d.I18n), d.Lists, d.I18n),
			product.NewHandler(product.NewService(d.DB, d.I18n), d.Lists, d.I18n),
		}}
	})
}

func create(t *testing.T, api *apitest.API, collection string, body map[string]any) int64 {
	t.Helper()
	res := api.Do(http.MethodPost, "/api/v1/"+collection, body)
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var out struct {
		ID int64 `json:"id"`
	}
	res.JSON(&out)
	return out.ID
}

func productPath(id int64) string { return fmt.Sprintf("/api/v1/products/%d", id) }

func get(t *testing.T, api *apitest.API, id int64, query string) product.Response {
	t.Helper()
	res := api.Do(http.MethodGet, productPath(id)+query, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var p product.Response
	res.JSON(&p)
	return p
}

func list(t *testing.T, api *apitest.API, query string) page {
	t.Helper()
	res := api.Do(http.MethodGet, "/api/v1/products?"+query, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s: %s", query, res.Body)
	var p page
	res.JSON(&p)
	return p
}

func skus(p page) []string {
	out := []string{}
	for _, item := range p.Items {
		out = append(out, item.SKU)
	}
	return out
}

// TestPgBouncerRunIsReal: under TEST_VIA_PGBOUNCER=1 (make test runs this suite that way too),
// the service's pool really goes through PgBouncer, without prepared statements.
func TestPgBouncerRunIsReal(t *testing.T) {
	t.Parallel()
	if os.Getenv(dbtest.ViaPgBouncerEnv) != "1" {
		t.Skip("runs when make test runs the product and category suites through PgBouncer")
	}
	d := pg.New(t)
	cfg := d.Config()
	assert.Equal(t, "exec", cfg.QueryExecMode)
	assert.NotEqual(t, portOf(t, d.URL), portOf(t, cfg.URL), "the pool's URL is PgBouncer's")
	var n int
	require.NoError(t, d.QueryRow(context.Background(), "SELECT 1", nil, &n))
}

func portOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.Port()
}
