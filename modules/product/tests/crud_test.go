package tests

import (
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateReadEmbedsTheCategory(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	cat := create(t, api, "categories", map[string]any{"code": "tools", "name": "Tools",
		"translations": map[string]any{"fr": map[string]any{"name": "Outils"}}})

	res := api.Do(http.MethodPost, "/api/v1/products", map[string]any{
		"sku": "HAM-1", "name": "Hammer", "price": 19.9, "category_id": cat,
		"attributes":   map[string]any{"size": 42, "color": "red"},
		"translations": map[string]any{"fr": map[string]any{"name": "Marteau", "description": "Un marteau"}},
	})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	body := res.Map()
	assert.Equal(t, "19.90", body["price"], "money is a string with two decimals")
	assert.Equal(t, true, body["is_active"], "is_active defaults to true")
	assert.Nil(t, body["description"])
	assert.Equal(t, map[string]any{"id": float64(cat), "code": "tools", "name": "Tools"}, body["category"])
	assert.Equal(t, map[string]any{"size": float64(42), "color": "red"}, body["attributes"])
	id := int64(body["id"].(float64))
	assert.Equal(t, productPath(id), res.Header.Get("Location"))
	assert.Equal(t, `"1"`, res.Header.Get("ETag"))

	p := get(t, api, id, "?lang=fr")
	assert.Equal(t, "Marteau", p.Name)
	assert.Equal(t, "Un marteau", *p.Description)
	assert.Equal(t, "Outils", p.Category.Name, "the embedded category is localised too")
	assert.Equal(t, "fr", p.Lang)

	plain := create(t, api, "products", map[string]any{"sku": "NAIL", "name": "Nail", "price": "0.05"})
	raw := api.Do(http.MethodGet, productPath(plain), nil).Map()
	assert.Nil(t, raw["category"])
	assert.Nil(t, raw["category_id"])
	assert.Equal(t, map[string]any{}, raw["attributes"], "attributes default to {}")

	res = api.Do(http.MethodGet, productPath(99999), nil)
	assert.Equal(t, http.StatusNotFound, res.Status)
	assert.Equal(t, "not_found", res.Problem().Code)
}

func TestValidation(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	res := api.Do(http.MethodPost, "/api/v1/products", map[string]any{
		"sku": "", "name": 5, "price": "1.230", "is_active": "yes", "category_id": 0, "attributes": []any{1},
		"colour": "red", "translations": map[string]any{"fr": map[string]any{"colour": "rouge"}},
	})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	assert.Equal(t, map[string]string{
		"sku":                    "must be at least 1 character long",
		"name":                   "must be a string",
		"price":                  "must have at most 2 decimal places",
		"is_active":              "must be a boolean",
		"category_id":            "must be greater than or equal to 1",
		"attributes":             "must be an object",
		"colour":                 "unknown field",
		"translations.fr.colour": "is not a translatable field",
	}, res.FieldErrors())

	for price, msg := range map[string]string{
		`-1`:               "must be greater than or equal to 0",
		`1e3`:              "no exponent",
		`"abc"`:            "must be a decimal amount",
		`"10000000000.00"`: "must be less than or equal to 9999999999.99",
		`null`:             "is required",
	} {
		res := api.Do(http.MethodPost, "/api/v1/products", `{"sku":"a","name":"b","price":`+price+`}`)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, price)
		assert.Contains(t, res.FieldErrors()["price"], msg, price)
	}
	res = api.Do(http.MethodPost, "/api/v1/products", `{}`)
	assert.Equal(t, map[string]string{"sku": "is required", "name": "is required", "price": "is required"}, res.FieldErrors())
}

func TestConflictsAreNamed(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	cat := create(t, api, "categories", map[string]any{"code": "c", "name": "C"})
	create(t, api, "products", map[string]any{"sku": "Sku-1", "name": "A", "price": 1, "category_id": cat})

	res := api.Do(http.MethodPost, "/api/v1/products", map[string]any{"sku": "sKU-1", "name": "B", "price": 1})
	require.Equal(t, http.StatusConflict, res.Status)
	p := res.Problem()
	assert.Equal(t, "uq_products_sku", p.Constraint)
	assert.Equal(t, "SKU already exists.", p.Detail)

	res = api.Do(http.MethodPost, "/api/v1/products", map[string]any{"sku": "X", "name": "B", "price": 1, "category_id": 4242})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	assert.Equal(t, "fk_products_category_id", res.Problem().Constraint)
	assert.Equal(t, map[string]string{"category_id": "Category does not exist."}, res.FieldErrors())

	res = api.Do(http.MethodDelete, "/api/v1/categories/"+itoa(cat), nil)
	require.Equal(t, http.StatusConflict, res.Status)
	assert.Equal(t, "fk_products_category_id", res.Problem().Constraint)
	assert.Equal(t, "Category is still used by products.", res.Problem().Detail)

	var count int64
	require.NoError(t, api.DB.Outside(t).Table("products").Count(&count).Error)
	assert.Equal(t, int64(1), count, "failed requests left no rows")
}

func TestFiftyParallelCreatesOfOneSKU(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	const n = 50
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			statuses[i] = api.Do(http.MethodPost, "/api/v1/products", map[string]any{"sku": "RACE", "name": "R", "price": "1.00"}).Status
		})
	}
	wg.Wait()
	counts := map[int]int{}
	for _, s := range statuses {
		counts[s]++
	}
	assert.Equal(t, map[int]int{http.StatusCreated: 1, http.StatusConflict: n - 1}, counts)
}

func TestDelete(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	id := create(t, api, "products", map[string]any{"sku": "a", "name": "A", "price": 1})
	assert.Equal(t, http.StatusPreconditionFailed, api.Do(http.MethodDelete, productPath(id), nil, "If-Match", `"9"`).Status)
	assert.Equal(t, http.StatusNoContent, api.Do(http.MethodDelete, productPath(id), nil, "If-Match", `"1"`).Status)
	assert.Equal(t, http.StatusNotFound, api.Do(http.MethodDelete, productPath(id), nil).Status)
	assert.Equal(t, http.StatusNotFound, api.Do(http.MethodGet, productPath(id), nil).Status)
}
