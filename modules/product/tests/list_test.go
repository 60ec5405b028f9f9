package tests

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/erp-foundation/erp/modules/product"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListFilters(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	tools := create(t, api, "categories", map[string]any{"code": "tools", "name": "Tools"})
	garden := create(t, api, "categories", map[string]any{"code": "garden", "name": "Garden"})
	create(t, api, "products", map[string]any{"sku": "HAM-1", "name": "Claw hammer", "price": "19.99", "category_id": tools,
		"attributes":   map[string]any{"size": 42, "color": "red", "magnetic": true},
		"translations": map[string]any{"fr": map[string]any{"name": "Marteau arrache-clou"}}})
	create(t, api, "products", map[string]any{"sku": "HAM-2", "name": "Sledge hammer", "price": "20.00", "category_id": tools,
		"attributes": map[string]any{"size": "42", "color": "blue"}})
	create(t, api, "products", map[string]any{"sku": "RAKE", "name": "Rake 100%", "price": "9.99", "category_id": garden,
		"is_active": false, "attributes": map[string]any{"size": 42.0, "magnetic": "true"}})
	create(t, api, "products", map[string]any{"sku": "HOSE_1", "name": "Hose", "price": "20.01"})
	create(t, api, "products", map[string]any{"sku": "SET", "name": "Socket set", "price": "15.00",
		"attributes": map[string]any{"size": []any{42, 43}, "color": map[string]any{"shade": "red"}}})

	cases := map[string][]string{
		"category_id=" + itoa(tools):   {"HAM-1", "HAM-2"},
		"is_active=false":              {"RAKE"},
		"is_active=true":               {"HAM-1", "HAM-2", "HOSE_1", "SET"},
		"q=ham":                        {"HAM-1", "HAM-2"},
		"q=HAMMER":                     {"HAM-1", "HAM-2"},
		"q=" + url.QueryEscape("%"):    {"RAKE"},
		"q=" + url.QueryEscape("e_"):   {"HOSE_1"},
		"q=marteau":                    {},
		"q=marteau&lang=fr":            {"HAM-1"},
		"min_price=19.99&max_price=20": {"HAM-1", "HAM-2"},
		"min_price=20.00":              {"HAM-2", "HOSE_1"},
		"max_price=9.99":               {"RAKE"},
		"attr.size=42":                 {"HAM-1", "HAM-2", "RAKE"},
		"attr.color=red":               {"HAM-1"},
		"attr.color=red&attr.size=42":  {"HAM-1"},
		"attr.magnetic=true":           {"HAM-1", "RAKE"},
		"attr.size=43":                 {},
		"attr.color=red&category_id=" + itoa(garden): {},
		// A value is data, never path syntax: quotes and operators in it match nothing.
		"attr.color=" + url.QueryEscape(`red" || true || "`): {},
		"attr.color=" + url.QueryEscape(`\u0072ed`):          {},
	}
	for query, want := range cases {
		assert.Equal(t, want, skus(list(t, api, query+"&sort=sku")), query)
	}

	p := list(t, api, "include_total=true&limit=1&sort=-price")
	assert.Equal(t, []string{"HOSE_1"}, skus(p))
	require.NotNil(t, p.Total)
	assert.Equal(t, int64(5), *p.Total)
}

func TestListBadParameters(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	for query, param := range map[string]string{
		"category_id=x":           "category_id",
		"category_id=0":           "category_id",
		"is_active=yes":           "is_active",
		"is_active=1":             "is_active",
		"min_price=-1":            "min_price",
		"max_price=1.234":         "max_price",
		"min_price=1e2":           "min_price",
		"attr.a%20b=1":            "attr.a b",
		"attr.size=1&attr.size=2": "attr.size",
		"sort=colour":             "sort",
		"limit=201":               "limit",
		"q=a&q=b":                 "q",
	} {
		res := api.Do(http.MethodGet, "/api/v1/products?"+query, nil)
		require.Equal(t, http.StatusBadRequest, res.Status, query)
		assert.Contains(t, res.FieldErrors(), param, query)
	}
	res := api.Do(http.MethodGet, "/api/v1/products?limit=0&is_active=maybe", nil)
	assert.Len(t, res.FieldErrors(), 2, "every bad parameter is listed at once")
}

func TestListBoundsTheAttributeFilters(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	query := ""
	for i := range product.MaxAttributeFilters {
		query += fmt.Sprintf("attr.k%02d=%d&", i, i)
	}
	res := api.Do(http.MethodGet, "/api/v1/products?"+query, nil)
	require.Equal(t, http.StatusOK, res.Status, "%d filters are allowed", product.MaxAttributeFilters)

	res = api.Do(http.MethodGet, "/api/v1/products?"+query+"attr.zz=1", nil)
	require.Equal(t, http.StatusBadRequest, res.Status)
	assert.Contains(t, res.FieldErrors(), "attr.zz")
	assert.Len(t, res.FieldErrors(), 1)
}

func TestKeysetPagingByPriceVisitsEveryRowOnce(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	const n = 40
	for i := range n {
		create(t, api, "products", map[string]any{"sku": fmt.Sprintf("S%02d", i), "name": "P", "price": fmt.Sprintf("%d.50", i%4)})
	}
	for _, sort := range []string{"price", "-price", "price,-sku", "-price,name", "name,-created_at"} {
		seen := map[int64]int{}
		cursor, pages := "", 0
		lastPrice := ""
		for {
			query := "limit=6&sort=" + url.QueryEscape(sort)
			if cursor != "" {
				query += "&cursor=" + url.QueryEscape(cursor)
			}
			p := list(t, api, query)
			pages++
			for _, item := range p.Items {
				seen[item.ID]++
				if sort == "price" && lastPrice != "" {
					assert.LessOrEqual(t, lastPrice, item.Price.String())
				}
				lastPrice = item.Price.String()
			}
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
		}
		assert.Len(t, seen, n, sort)
		for id, k := range seen {
			assert.Equal(t, 1, k, "sort %s: product %d seen %d times", sort, id, k)
		}
		assert.Equal(t, (n+5)/6, pages)
	}
}

func TestListStatementsDoNotGrowWithThePageOrTheLanguage(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	cat := create(t, api, "categories", map[string]any{"code": "c", "name": "C",
		"translations": map[string]any{"fr": map[string]any{"name": "Cé"}}})
	for i := range 200 {
		body := map[string]any{"sku": fmt.Sprintf("S%03d", i), "name": "Product", "price": 1, "category_id": cat}
		if i%2 == 0 {
			body["translations"] = map[string]any{"fr": map[string]any{"name": "Produit"}}
		}
		create(t, api, "products", body)
	}
	statements := func(query string) (int64, page) {
		before := api.DB.Stats().Statements
		p := list(t, api, query)
		return api.DB.Stats().Statements - before, p
	}
	one, _ := statements("limit=1")
	many, _ := statements("limit=200")
	french, p := statements("limit=200&lang=fr")
	assert.Equal(t, int64(1), one, "one statement: the page with its categories")
	assert.Equal(t, one, many, "200 rows cost what 1 row costs")
	assert.Equal(t, many, french, "French costs what English costs")
	require.Len(t, p.Items, 200)
	assert.Equal(t, "Produit", p.Items[0].Name)
	assert.Equal(t, "Product", p.Items[1].Name)
	assert.Equal(t, "Cé", p.Items[1].Category.Name)

	single, _ := statements("limit=1&include_total=true")
	assert.Equal(t, int64(2), single, "include_total adds one count")

	before := api.DB.Stats().Statements
	get(t, api, 1, "?lang=fr")
	assert.Equal(t, int64(1), api.DB.Stats().Statements-before, "a read is one statement")
}

// TestWritesAreOneRoundTripWithTheirAuditContext: a create and a PATCH send the audit context
// and the statement together, in one round trip and one implicit transaction.
func TestWritesAreOneRoundTripWithTheirAuditContext(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	before := api.DB.Stats()
	id := create(t, api, "products", map[string]any{"sku": "RT-1", "name": "N", "price": "1.00"})
	after := api.DB.Stats()
	assert.Equal(t, int64(1), after.RoundTrips-before.RoundTrips, "a create is one round trip")
	assert.Equal(t, int64(2), after.Statements-before.Statements, "the audit context and the INSERT")

	res := api.Do(http.MethodPatch, productPath(id), map[string]any{"price": "2.00"})
	require.Equal(t, http.StatusOK, res.Status)
	assert.Equal(t, int64(1), api.DB.Stats().RoundTrips-after.RoundTrips, "a PATCH is one round trip")
}
