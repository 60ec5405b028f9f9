package tests

import (
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/modules/category"
)

func TestPatchChangesOnlyPresentFields(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	id := createCategory(t, api, map[string]any{"code": "a", "name": "A", "description": "first"})

	res := api.Do(http.MethodPatch, path(id), map[string]any{"name": "B"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var c category.Response
	res.JSON(&c)
	assert.Equal(t, "B", c.Name)
	assert.Equal(t, "a", c.Code)
	assert.Equal(t, "first", *c.Description, "absent fields keep their value")
	assert.Equal(t, int32(2), c.Version)
	assert.Equal(t, `"2"`, res.Header.Get("ETag"))
	assert.True(t, c.UpdatedAt.After(c.CreatedAt), "the database moves updated_at on every change")

	res = api.Do(http.MethodPatch, path(id), map[string]any{"description": ""})
	res.JSON(&c)
	assert.Equal(t, "", *c.Description, `"" is a real value`)

	res = api.Do(http.MethodPatch, path(id), map[string]any{"description": nil})
	res.JSON(&c)
	assert.Nil(t, c.Description, "null clears an optional field")
	assert.Equal(t, int32(4), c.Version)

	res = api.Do(http.MethodPatch, path(id), map[string]any{}, "Content-Type", "application/merge-patch+json")
	require.Equal(t, http.StatusOK, res.Status)
	res.JSON(&c)
	assert.Equal(t, int32(4), c.Version, "PATCH {} changes nothing, not even the version")

	res = api.Do(http.MethodPatch, path(id), map[string]any{"code": nil, "name": nil})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	assert.Equal(t, map[string]string{"code": "must not be null", "name": "must not be null"}, res.FieldErrors())

	res = api.Do(http.MethodPatch, path(id), map[string]any{"translations": map[string]any{}})
	assert.Equal(t, map[string]string{"translations": "unknown field"}, res.FieldErrors())
}

func TestIfMatch(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	id := createCategory(t, api, map[string]any{"code": "a", "name": "A"})

	res := api.Do(http.MethodPatch, path(id), map[string]any{"name": "stale"}, "If-Match", `"7"`)
	require.Equal(t, http.StatusPreconditionFailed, res.Status)
	assert.Equal(t, "precondition_failed", res.Problem().Code)
	var c category.Response
	api.Do(http.MethodGet, path(id), nil).JSON(&c)
	assert.Equal(t, "A", c.Name, "a stale If-Match changes nothing")
	assert.Equal(t, int32(1), c.Version)

	res = api.Do(http.MethodPatch, path(id), map[string]any{"name": "B"}, "If-Match", `"1"`)
	require.Equal(t, http.StatusOK, res.Status)
	res = api.Do(http.MethodPatch, path(id), map[string]any{"name": "C"}, "If-Match", `*`)
	require.Equal(t, http.StatusOK, res.Status)
	res = api.Do(http.MethodPatch, path(id), map[string]any{"name": "D"}, "If-Match", `3`)
	require.Equal(t, http.StatusBadRequest, res.Status, "a malformed If-Match is a 400")
	res = api.Do(http.MethodPatch, path(id), map[string]any{}, "If-Match", `"1"`)
	require.Equal(t, http.StatusPreconditionFailed, res.Status, "PATCH {} still honours If-Match")

	res = api.Do(http.MethodDelete, path(id), nil, "If-Match", `"1"`)
	require.Equal(t, http.StatusPreconditionFailed, res.Status)
	res = api.Do(http.MethodDelete, path(id), nil, "If-Match", `"3"`)
	require.Equal(t, http.StatusNoContent, res.Status)
}

func TestRacingPatchesWithTheSameVersion(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	id := createCategory(t, api, map[string]any{"code": "a", "name": "A"})

	const n = 8
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			statuses[i] = api.Do(http.MethodPatch, path(id), map[string]any{"name": "racer"}, "If-Match", `"1"`).Status
		})
	}
	wg.Wait()
	ok, stale := 0, 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			ok++
		case http.StatusPreconditionFailed:
			stale++
		}
	}
	assert.Equal(t, 1, ok, "exactly one racer wins: %v", statuses)
	assert.Equal(t, n-1, stale)
}

func TestCyclesAreRejected(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	a := createCategory(t, api, map[string]any{"code": "a", "name": "A"})
	b := createCategory(t, api, map[string]any{"code": "b", "name": "B", "parent_id": a})
	c := createCategory(t, api, map[string]any{"code": "c", "name": "C", "parent_id": b})

	for _, parent := range []int64{a, c} {
		res := api.Do(http.MethodPatch, path(a), map[string]any{"parent_id": parent})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "parent %d", parent)
		assert.Equal(t, map[string]string{"parent_id": "would make the category its own ancestor"}, res.FieldErrors())
	}
	var got category.Response
	api.Do(http.MethodGet, path(a), nil).JSON(&got)
	assert.Nil(t, got.ParentID, "a rejected move changes nothing")
	assert.Equal(t, int32(1), got.Version)

	res := api.Do(http.MethodPatch, path(c), map[string]any{"parent_id": nil})
	require.Equal(t, http.StatusOK, res.Status, "moving to the root is fine")
	res = api.Do(http.MethodPatch, path(a), map[string]any{"parent_id": c})
	require.Equal(t, http.StatusOK, res.Status, "a is no longer an ancestor of c")
}

func TestConcurrentMovesCannotCreateACycle(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	for range 5 {
		a := createCategory(t, api, map[string]any{"code": "x" + randomSuffix(), "name": "A"})
		b := createCategory(t, api, map[string]any{"code": "y" + randomSuffix(), "name": "B"})
		var wg sync.WaitGroup
		var sa, sb int
		wg.Go(func() { sa = api.Do(http.MethodPatch, path(a), map[string]any{"parent_id": b}).Status })
		wg.Go(func() { sb = api.Do(http.MethodPatch, path(b), map[string]any{"parent_id": a}).Status })
		wg.Wait()
		assert.ElementsMatch(t, []int{http.StatusOK, http.StatusUnprocessableEntity}, []int{sa, sb})
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	parent := createCategory(t, api, map[string]any{"code": "p", "name": "P"})
	child := createCategory(t, api, map[string]any{"code": "c", "name": "C", "parent_id": parent})

	res := api.Do(http.MethodDelete, path(parent), nil)
	require.Equal(t, http.StatusConflict, res.Status)
	p := res.Problem()
	assert.Equal(t, "fk_categories_parent_id", p.Constraint)
	assert.Equal(t, "Category still has child categories.", p.Detail)

	assert.Equal(t, http.StatusNoContent, api.Do(http.MethodDelete, path(child), nil).Status)
	assert.Equal(t, http.StatusNoContent, api.Do(http.MethodDelete, path(parent), "ignored body").Status)
	assert.Equal(t, http.StatusNotFound, api.Do(http.MethodDelete, path(parent), nil).Status)
	assert.Equal(t, http.StatusNotFound, api.Do(http.MethodGet, path(parent), nil).Status)
}

func TestParallelDuplicateCreates(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	const n = 20
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			statuses[i] = api.Do(http.MethodPost, "/api/v1/categories", map[string]any{"code": "same", "name": "S"}).Status
		})
	}
	wg.Wait()
	counts := map[int]int{}
	for _, s := range statuses {
		counts[s]++
	}
	assert.Equal(t, map[int]int{http.StatusCreated: 1, http.StatusConflict: n - 1}, counts)
}
