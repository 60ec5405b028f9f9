package tests

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/modules/category"
	"github.com/erp-foundation/erp/platform/listing"
)

type page = listing.Result[category.Response]

func TestListFiltersAndTotal(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	root := createCategory(t, api, map[string]any{"code": "root", "name": "Root"})
	createCategory(t, api, map[string]any{"code": "kid_1", "name": "Hammers", "parent_id": root})
	createCategory(t, api, map[string]any{"code": "kid-2", "name": "100% Steel", "parent_id": root})
	createCategory(t, api, map[string]any{"code": "other", "name": "Garden"})

	get := func(query string) page {
		t.Helper()
		res := api.Do(http.MethodGet, "/api/v1/categories?"+query, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s: %s", query, res.Body)
		var p page
		res.JSON(&p)
		return p
	}
	codes := func(p page) []string {
		var out []string
		for _, c := range p.Items {
			out = append(out, c.Code)
		}
		return out
	}

	assert.Equal(t, []string{"kid_1", "kid-2"}, codes(get(fmt.Sprintf("parent_id=%d", root))))
	assert.Equal(t, []string{"root", "other"}, codes(get("parent_id=null")))
	assert.Equal(t, []string{"kid_1", "kid-2"}, codes(get("q=KID")), "q is case-insensitive on code")
	assert.Equal(t, []string{"kid_1"}, codes(get("q=hAMM")), "q matches names")
	assert.Equal(t, []string{"kid_1"}, codes(get("q="+url.QueryEscape("d_"))), "_ is literal")
	assert.Equal(t, []string{"kid-2"}, codes(get("q="+url.QueryEscape("0%"))), "% is literal")
	assert.Empty(t, get("q=nothing").Items)

	p := get("include_total=true&limit=1&q=kid")
	require.NotNil(t, p.Total)
	assert.Equal(t, int64(2), *p.Total)
	assert.Len(t, p.Items, 1)
	assert.NotEmpty(t, p.NextCursor)
	assert.Nil(t, get("limit=1").Total, "total only when asked")

	assert.Equal(t, []string{"other", "kid-2", "kid_1", "root"}, codes(get("sort=-id")))
	assert.Equal(t, []string{"kid-2", "other", "kid_1", "root"}, codes(get("sort=name")))

	last := get("offset=3")
	assert.Len(t, last.Items, 1)
	assert.Empty(t, last.NextCursor, "no next_cursor on the last page")
	assert.NotEmpty(t, get("offset=1&limit=2").NextCursor, "offset pages have next_cursor too")
}

func TestListBadParameters(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	first := api.Do(http.MethodGet, "/api/v1/categories?limit=1&q=a", nil)
	require.Equal(t, http.StatusOK, first.Status)
	for _, query := range []string{
		"limit=0", "limit=201", "limit=x", "offset=-1", "offset=100001", "sort=colour", "sort=-",
		"parent_id=x", "parent_id=0", "include_total=1", "cursor=garbage", "cursor=a.b&offset=0",
	} {
		res := api.Do(http.MethodGet, "/api/v1/categories?"+query, nil)
		assert.Equal(t, http.StatusBadRequest, res.Status, query)
		assert.Equal(t, "bad_request", res.Problem().Code, query)
	}
}

func TestKeysetPagingVisitsEveryRowOnce(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	const n = 57
	for i := range n {
		// Only 5 distinct names: sorting by name needs the id tie-breaker to be total.
		createCategory(t, api, map[string]any{"code": fmt.Sprintf("c%02d", i), "name": fmt.Sprintf("name %d", i%5)})
	}
	for _, sort := range []string{"id", "-id", "name", "-name,code", "-created_at", "updated_at,-code"} {
		seen := map[int64]int{}
		cursor := ""
		pages := 0
		var prev *category.Response
		for {
			query := "limit=7&q=c&sort=" + url.QueryEscape(sort)
			if cursor != "" {
				query += "&cursor=" + url.QueryEscape(cursor)
			}
			res := api.Do(http.MethodGet, "/api/v1/categories?"+query, nil)
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			var p page
			res.JSON(&p)
			pages++
			for i := range p.Items {
				seen[p.Items[i].ID]++
				if prev != nil && sort == "name" {
					assert.LessOrEqual(t, prev.Name, p.Items[i].Name)
				}
				prev = &p.Items[i]
			}
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
		}
		assert.Len(t, seen, n, "sort %s visits every row", sort)
		for id, times := range seen {
			assert.Equal(t, 1, times, "sort %s: row %d seen %d times", sort, id, times)
		}
		assert.Equal(t, (n+6)/7, pages, sort)
	}
}

func TestCursorMustRepeatSortAndFilters(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	for i := range 3 {
		createCategory(t, api, map[string]any{"code": fmt.Sprintf("c%d", i), "name": "N"})
	}
	var p page
	api.Do(http.MethodGet, "/api/v1/categories?limit=1&sort=name&q=c", nil).JSON(&p)
	require.NotEmpty(t, p.NextCursor)
	cursor := url.QueryEscape(p.NextCursor)

	ok := api.Do(http.MethodGet, "/api/v1/categories?limit=2&q=c&sort=name&cursor="+cursor, nil)
	assert.Equal(t, http.StatusOK, ok.Status, "limit may change")

	for _, query := range []string{"sort=name&q=d", "sort=-name&q=c", "q=c", "sort=name&q=c&parent_id=1"} {
		res := api.Do(http.MethodGet, "/api/v1/categories?"+query+"&cursor="+cursor, nil)
		assert.Equal(t, http.StatusBadRequest, res.Status, query)
		assert.Contains(t, res.FieldErrors()["cursor"], "different sort or different filters", query)
	}
	tampered := []byte(p.NextCursor)
	tampered[3] ^= 1
	res := api.Do(http.MethodGet, "/api/v1/categories?sort=name&q=c&cursor="+url.QueryEscape(string(tampered)), nil)
	assert.Equal(t, http.StatusBadRequest, res.Status)
}

func TestListCostsTheSameQueriesForOneOrManyRows(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	count := func(limit int) int64 {
		before := api.DB.Stats().Statements
		res := api.Do(http.MethodGet, fmt.Sprintf("/api/v1/categories?limit=%d&include_total=true", limit), nil)
		require.Equal(t, http.StatusOK, res.Status)
		return api.DB.Stats().Statements - before
	}
	createCategory(t, api, map[string]any{"code": "one", "name": "One"})
	single := count(1)
	for i := range 120 {
		createCategory(t, api, map[string]any{"code": fmt.Sprintf("k%d", i), "name": "K"})
	}
	assert.Equal(t, single, count(200))
	assert.Equal(t, int64(2), single, "one page query and one count")
}
