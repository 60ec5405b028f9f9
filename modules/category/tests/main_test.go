// Package tests runs the categories routes through the real HTTP stack on a fresh PostgreSQL
// database per test.
package tests

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/db"
	"github.com/erp-foundation/erp/modules/category"
	"github.com/erp-foundation/erp/platform/apitest"
	"github.com/erp-foundation/erp/platform/app"
	"github.com/erp-foundation/erp/platform/dbtest"
)

var pg = dbtest.NewServer(db.Migrate)

func TestMain(m *testing.M) { pg.Main(m) }

func newAPI(t *testing.T) *apitest.API {
	t.Helper()
	return apitest.New(t, pg.New(t), func(d *app.Deps) *app.Assembly {
		return &app.Assembly{Modules: []app.Module{
			category.NewHandler(category.NewService(d.DB, d.I18n), d.Lists, d.I18n),
		}}
	})
}

// createCategory creates a category and returns its id.
func createCategory(t *testing.T, api *apitest.API, body map[string]any) int64 {
	t.Helper()
	res := api.Do(http.MethodPost, "/api/v1/categories", body)
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var c category.Response
	res.JSON(&c)
	return c.ID
}

func path(id int64) string { return fmt.Sprintf("/api/v1/categories/%d", id) }

func randomSuffix() string { return strings.ToLower(rand.Text()[:8]) }
