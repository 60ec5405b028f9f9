package tests

import (
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/modules/product"
)

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func TestPatchSemantics(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	cat := create(t, api, "categories", map[string]any{"code": "c", "name": "C"})
	id := create(t, api, "products", map[string]any{"sku": "a", "name": "A", "price": "5.00", "description": "d",
		"category_id": cat, "attributes": map[string]any{"x": 1, "y": 2}})

	res := api.Do(http.MethodPatch, productPath(id), map[string]any{"is_active": false, "price": 0, "description": ""})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var p product.Response
	res.JSON(&p)
	assert.False(t, p.IsActive, "false is a real value")
	assert.Equal(t, "0.00", p.Price.String(), "0 is a real value")
	assert.Equal(t, "", *p.Description, `"" is a real value`)
	assert.Equal(t, "A", p.Name, "absent fields keep their value")
	assert.Equal(t, int32(2), p.Version)
	assert.Equal(t, `"2"`, res.Header.Get("ETag"))
	require.NotNil(t, p.Category, "PATCH responses embed the category")

	res = api.Do(http.MethodPatch, productPath(id), map[string]any{"description": nil, "category_id": nil, "attributes": map[string]any{"z": true}})
	res.JSON(&p)
	assert.Nil(t, p.Description, "null clears")
	assert.Nil(t, p.CategoryID)
	assert.Nil(t, p.Category)
	raw, _ := p.Attributes.MarshalJSON()
	assert.JSONEq(t, `{"z":true}`, string(raw), "attributes are replaced as a whole")

	res = api.Do(http.MethodPatch, productPath(id), map[string]any{})
	res.JSON(&p)
	assert.Equal(t, int32(3), p.Version, "PATCH {} changes nothing")

	res = api.Do(http.MethodPatch, productPath(id), map[string]any{"sku": nil, "name": nil, "price": nil, "is_active": nil, "attributes": nil})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	assert.Len(t, res.FieldErrors(), 5, "null for a required field is refused: %v", res.FieldErrors())

	res = api.Do(http.MethodPatch, productPath(id), map[string]any{"translations": map[string]any{"fr": map[string]any{"name": "x"}}})
	assert.Equal(t, map[string]string{"translations": "unknown field"}, res.FieldErrors(), "translations have their own routes")

	res = api.Do(http.MethodPatch, productPath(id), map[string]any{"category_id": 777})
	assert.Equal(t, http.StatusUnprocessableEntity, res.Status)
	assert.Equal(t, "fk_products_category_id", res.Problem().Constraint)
}

func TestStaleIfMatchChangesNothing(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	id := create(t, api, "products", map[string]any{"sku": "a", "name": "A", "price": 1})
	res := api.Do(http.MethodPatch, productPath(id), map[string]any{"name": "B"}, "If-Match", `"2"`)
	require.Equal(t, http.StatusPreconditionFailed, res.Status)
	assert.Equal(t, "precondition_failed", res.Problem().Code)
	p := get(t, api, id, "")
	assert.Equal(t, "A", p.Name)
	assert.Equal(t, int32(1), p.Version)
	assert.Equal(t, http.StatusBadRequest, api.Do(http.MethodPatch, productPath(id), map[string]any{"name": "B"}, "If-Match", "1").Status)
}

func TestRacingPatchesWithOneVersion(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	id := create(t, api, "products", map[string]any{"sku": "a", "name": "A", "price": 1})
	const n = 10
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			statuses[i] = api.Do(http.MethodPatch, productPath(id), map[string]any{"price": i}, "If-Match", `"1"`).Status
		})
	}
	wg.Wait()
	counts := map[int]int{}
	for _, s := range statuses {
		counts[s]++
	}
	assert.Equal(t, map[int]int{http.StatusOK: 1, http.StatusPreconditionFailed: n - 1}, counts)
	assert.Equal(t, int32(2), get(t, api, id, "").Version)
}
