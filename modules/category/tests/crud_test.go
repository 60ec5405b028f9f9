package tests

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/modules/category"
)

func TestCreateReturnsLocationETagAndBody(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	res := api.Do(http.MethodPost, "/api/v1/categories", map[string]any{"code": "tools", "name": "Tools", "description": "Hand tools"})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var c category.Response
	res.JSON(&c)
	assert.Equal(t, path(c.ID), res.Header.Get("Location"))
	assert.Equal(t, `"1"`, res.Header.Get("ETag"))
	assert.Equal(t, "tools", c.Code)
	assert.Equal(t, "Hand tools", *c.Description)
	assert.Nil(t, c.ParentID)
	assert.Equal(t, int32(1), c.Version)
	assert.False(t, c.CreatedAt.IsZero())
	assert.True(t, strings.HasSuffix(res.Map()["created_at"].(string), "Z"), "timestamps are UTC with Z")
	assert.Nil(t, res.Map()["parent_id"], "unset optional fields are null")

	got := api.Do(http.MethodGet, path(c.ID), nil)
	require.Equal(t, http.StatusOK, got.Status)
	assert.Equal(t, `"1"`, got.Header.Get("ETag"))
	assert.JSONEq(t, string(res.Body), string(got.Body))

	notModified := api.Do(http.MethodGet, path(c.ID), nil, "If-None-Match", `"1"`)
	assert.Equal(t, http.StatusNotModified, notModified.Status)
}

func TestDuplicateCodeIsConflictWhateverTheCase(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	createCategory(t, api, map[string]any{"code": "Tools", "name": "Tools"})
	res := api.Do(http.MethodPost, "/api/v1/categories", map[string]any{"code": "tOOLS", "name": "Other"})
	require.Equal(t, http.StatusConflict, res.Status)
	p := res.Problem()
	assert.Equal(t, "conflict", p.Code)
	assert.Equal(t, "uq_categories_code", p.Constraint)
	assert.Equal(t, "Category code already exists.", p.Detail)
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	for _, p := range []string{"/api/v1/categories/999", "/api/v1/categories/abc", "/api/v1/categories/0",
		"/api/v1/categories/-1", "/api/v1/categories/99999999999999999999", "/api/v1/categories/1.5"} {
		for _, method := range []string{http.MethodGet, http.MethodPatch, http.MethodDelete} {
			var body any
			if method == http.MethodPatch {
				body = map[string]any{"name": "x"}
			}
			res := api.Do(method, p, body)
			assert.Equal(t, http.StatusNotFound, res.Status, "%s %s", method, p)
			assert.Equal(t, "not_found", res.Problem().Code)
		}
	}
}

func TestValidationListsEveryField(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	res := api.Do(http.MethodPost, "/api/v1/categories",
		`{"code":"bad code!","name":"","description":5,"parent_id":"x","colour":"red"}`)
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	assert.Equal(t, map[string]string{
		"code":        "must match the pattern ^[A-Za-z0-9_-]+$",
		"name":        "must be at least 1 character long",
		"description": "must be a string",
		"parent_id":   "must be an integer",
		"colour":      "unknown field",
	}, res.FieldErrors())

	res = api.Do(http.MethodPost, "/api/v1/categories", `{}`)
	assert.Equal(t, map[string]string{"code": "is required", "name": "is required"}, res.FieldErrors())

	res = api.Do(http.MethodPost, "/api/v1/categories", map[string]any{"code": strings.Repeat("a", 65), "name": strings.Repeat("n", 256)})
	assert.Equal(t, map[string]string{
		"code": "must be at most 64 characters long", "name": "must be at most 255 characters long",
	}, res.FieldErrors())

	res = api.Do(http.MethodPost, "/api/v1/categories", map[string]any{"code": "ok", "name": "ok", "parent_id": 0})
	assert.Equal(t, map[string]string{"parent_id": "must be greater than or equal to 1"}, res.FieldErrors())
}

func TestMalformedBodies(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	for name, body := range map[string]string{
		"syntax":   `{"code":"a",`,
		"trailing": `{"code":"a","name":"b"}x`,
		"array":    `[]`,
		"empty":    ``,
	} {
		res := api.Do(http.MethodPost, "/api/v1/categories", body, "Content-Type", "application/json")
		assert.Equal(t, http.StatusBadRequest, res.Status, name)
		assert.Equal(t, "bad_request", res.Problem().Code, name)
	}

	res := api.Do(http.MethodPost, "/api/v1/categories", `{"code":"a","name":"b"}`, "Content-Type", "text/plain")
	assert.Equal(t, http.StatusUnsupportedMediaType, res.Status)
	assert.Equal(t, "unsupported_media_type", res.Problem().Code)

	big := `{"code":"a","name":"` + strings.Repeat("x", 2<<20) + `"}`
	res = api.Do(http.MethodPost, "/api/v1/categories", big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.Status)
	assert.Equal(t, "payload_too_large", res.Problem().Code)

	res = api.Do(http.MethodGet, "/api/v1/categories", big, "Content-Type", "text/plain")
	assert.Equal(t, http.StatusOK, res.Status, "a route without a body ignores one")

	var count int64
	require.NoError(t, api.DB.Outside(t).Table("categories").Count(&count).Error)
	assert.Zero(t, count, "no failed request left a row")
}

func TestUnknownParentIsNamed(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	res := api.Do(http.MethodPost, "/api/v1/categories", map[string]any{"code": "a", "name": "A", "parent_id": 4242})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	p := res.Problem()
	assert.Equal(t, "fk_categories_parent_id", p.Constraint)
	assert.Equal(t, map[string]string{"parent_id": "Parent category does not exist."}, res.FieldErrors())
}
