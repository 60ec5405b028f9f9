package tests

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/erp-foundation/erp/modules/category"
)

func TestInlineTranslationsAndPerFieldFallback(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	id := createCategory(t, api, map[string]any{
		"code": "tools", "name": "Tools", "description": "Hand tools",
		"translations": map[string]any{"fr": map[string]any{"name": "Outils"}, "de": map[string]any{"name": "Werkzeuge", "description": "Handwerkzeuge"}},
	})

	res := api.Do(http.MethodGet, path(id)+"?lang=fr", nil)
	require.Equal(t, http.StatusOK, res.Status)
	var c category.Response
	res.JSON(&c)
	assert.Equal(t, "Outils", c.Name)
	assert.Equal(t, "Hand tools", *c.Description, "description falls back to English on its own")
	assert.Equal(t, "fr", c.Lang)
	assert.Equal(t, "fr", res.Header.Get("Content-Language"))
	assert.Contains(t, res.Header.Values("Vary"), "Accept-Language")

	res = api.Do(http.MethodGet, path(id), nil, "Accept-Language", "it, de-AT;q=0.8, fr;q=0.5")
	res.JSON(&c)
	assert.Equal(t, "Werkzeuge", c.Name)
	assert.Equal(t, "Handwerkzeuge", *c.Description)
	assert.Equal(t, "de", res.Header.Get("Content-Language"))

	res = api.Do(http.MethodGet, path(id)+"?lang=es", nil, "Accept-Language", "fr")
	res.JSON(&c)
	assert.Equal(t, "Tools", c.Name, "Spanish is supported but missing: every field falls back")
	assert.Equal(t, "en", c.Lang)

	res = api.Do(http.MethodGet, path(id)+"?lang=it", nil, "Accept-Language", "fr")
	res.JSON(&c)
	assert.Equal(t, "Outils", c.Name, "an unsupported ?lang falls back to Accept-Language")

	res = api.Do(http.MethodGet, path(id)+"/translations", nil)
	require.Equal(t, http.StatusOK, res.Status)
	assert.JSONEq(t, `{"fr":{"name":"Outils"},"de":{"name":"Werkzeuge","description":"Handwerkzeuge"}}`, string(res.Body))
}

func TestTranslationRoutes(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	id := createCategory(t, api, map[string]any{"code": "tools", "name": "Tools"})
	tr := path(id) + "/translations/"

	res := api.Do(http.MethodPut, tr+"FR", map[string]any{"name": "Outils", "description": nil})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	assert.JSONEq(t, `{"name":"Outils"}`, string(res.Body), "null is not translated")
	assert.Equal(t, `"2"`, res.Header.Get("ETag"), "a translation change bumps the entity's version")

	var c category.Response
	api.Do(http.MethodGet, path(id)+"?lang=fr", nil).JSON(&c)
	assert.Equal(t, int32(2), c.Version)
	assert.Equal(t, "Outils", c.Name)
	assert.True(t, c.UpdatedAt.After(c.CreatedAt), "and its updated_at")

	res = api.Do(http.MethodPut, tr+"fr", map[string]any{"description": "Des outils"})
	require.Equal(t, http.StatusOK, res.Status)
	api.Do(http.MethodGet, path(id)+"?lang=fr", nil).JSON(&c)
	assert.Equal(t, "Tools", c.Name, "PUT replaces the language as a whole")
	assert.Equal(t, "Des outils", *c.Description)

	res = api.Do(http.MethodPut, tr+"fr", map[string]any{"name": "Outils", "code": "x", "colour": "rouge"})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	assert.Equal(t, map[string]string{"code": "is not a translatable field", "colour": "is not a translatable field"}, res.FieldErrors())

	res = api.Do(http.MethodPut, tr+"fr", map[string]any{"name": strings.Repeat("x", 256)})
	assert.Equal(t, map[string]string{"name": "must be at most 255 characters long"}, res.FieldErrors())
	res = api.Do(http.MethodPut, tr+"fr", map[string]any{"name": 5})
	assert.Equal(t, map[string]string{"name": "must be a string or null"}, res.FieldErrors())
	res = api.Do(http.MethodPut, tr+"en", map[string]any{"name": "Tools!"})
	assert.Equal(t, http.StatusUnprocessableEntity, res.Status)
	assert.Contains(t, res.FieldErrors()["lang"], "default language")
	res = api.Do(http.MethodPut, tr+"it", map[string]any{"name": "Attrezzi"})
	assert.Equal(t, http.StatusUnprocessableEntity, res.Status)
	assert.Contains(t, res.FieldErrors()["lang"], "not a supported language")
	res = api.Do(http.MethodPut, tr+"fr", `{"name":`, "Content-Type", "application/json")
	assert.Equal(t, http.StatusBadRequest, res.Status)
	res = api.Do(http.MethodPut, tr+"fr", `{"name":"x"}`, "Content-Type", "text/plain")
	assert.Equal(t, http.StatusUnsupportedMediaType, res.Status)
	res = api.Do(http.MethodPut, "/api/v1/categories/999/translations/fr", map[string]any{"name": "x"})
	assert.Equal(t, http.StatusNotFound, res.Status)

	res = api.Do(http.MethodPut, tr+"de", map[string]any{"name": "Werkzeuge"}, "If-Match", `"1"`)
	assert.Equal(t, http.StatusPreconditionFailed, res.Status)
	res = api.Do(http.MethodDelete, tr+"fr", nil, "If-Match", `"1"`)
	assert.Equal(t, http.StatusPreconditionFailed, res.Status)

	res = api.Do(http.MethodDelete, tr+"fr", nil)
	assert.Equal(t, http.StatusNoContent, res.Status)
	res = api.Do(http.MethodDelete, tr+"fr", nil)
	assert.Equal(t, http.StatusNotFound, res.Status, "deleting a missing translation is a 404")
	assert.Equal(t, http.StatusNotFound, api.Do(http.MethodDelete, "/api/v1/categories/999/translations/fr", nil).Status)
	assert.JSONEq(t, `{}`, string(api.Do(http.MethodGet, path(id)+"/translations", nil).Body))
}

func TestInlineTranslationErrorsJoinTheOthers(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	res := api.Do(http.MethodPost, "/api/v1/categories", map[string]any{
		"code": "bad code", "name": "N",
		"translations": map[string]any{"fr": map[string]any{"name": "Nom", "colour": "rouge"}, "xx": map[string]any{}},
	})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	assert.Equal(t, map[string]string{
		"code":                   "must match the pattern ^[A-Za-z0-9_-]+$",
		"translations.fr.colour": "is not a translatable field",
		"translations.xx":        "is not a supported language (en, fr, de, es)",
	}, res.FieldErrors())
}

func TestListsAreLocalisedWithAConstantNumberOfQueries(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	for i := range 150 {
		body := map[string]any{"code": fmt.Sprintf("c%03d", i), "name": fmt.Sprintf("Tool %d", i)}
		if i%2 == 0 {
			body["translations"] = map[string]any{"fr": map[string]any{"name": fmt.Sprintf("Outil %d", i)}}
		}
		createCategory(t, api, body)
	}
	queries := func(query string) (int64, *page) {
		before := api.DB.Stats().Statements
		res := api.Do(http.MethodGet, "/api/v1/categories?"+query, nil)
		require.Equal(t, http.StatusOK, res.Status)
		var p page
		res.JSON(&p)
		return api.DB.Stats().Statements - before, &p
	}
	one, _ := queries("limit=1&lang=fr")
	many, p := queries("limit=150&lang=fr")
	english, _ := queries("limit=150")
	assert.Equal(t, one, many, "the number of queries does not grow with the page")
	assert.Equal(t, english, many, "French costs no more queries than English")
	assert.Equal(t, "Outil 0", p.Items[0].Name)
	assert.Equal(t, "fr", p.Items[0].Lang)
	assert.Equal(t, "Tool 1", p.Items[1].Name)
	assert.Equal(t, "en", p.Items[1].Lang, "lang is per item")

	res := api.Do(http.MethodGet, "/api/v1/categories?limit=150&lang=fr", nil)
	assert.Equal(t, "en", res.Header.Get("Content-Language"), "a mixed page is labelled with the default language")
	res = api.Do(http.MethodGet, "/api/v1/categories?limit=1&lang=fr", nil)
	assert.Equal(t, "fr", res.Header.Get("Content-Language"))
}

func TestSearchInFrenchUsesTheTranslationIndex(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	createCategory(t, api, map[string]any{"code": "hammer", "name": "Hammer",
		"translations": map[string]any{"fr": map[string]any{"name": "Marteau"}, "de": map[string]any{"name": "Hammer"}}})
	createCategory(t, api, map[string]any{"code": "saw", "name": "Saw",
		"translations": map[string]any{"de": map[string]any{"name": "Marteausäge"}}})

	var p page
	api.Do(http.MethodGet, "/api/v1/categories?q=marte&lang=fr", nil).JSON(&p)
	require.Len(t, p.Items, 1, "only the French text matches, not the German one that shares the index")
	assert.Equal(t, "Marteau", p.Items[0].Name)
	api.Do(http.MethodGet, "/api/v1/categories?q=marte", nil).JSON(&p)
	assert.Empty(t, p.Items, "in English, French names are not searched")
	api.Do(http.MethodGet, "/api/v1/categories?q=ham&lang=fr", nil).JSON(&p)
	assert.Len(t, p.Items, 1, "the base name still matches")

	// The plan: with sequential scans disabled, the translated predicate must be answerable from
	// the trigram index on i18n_text(translations, 'name').
	cond, args := api.Deps.I18n.Search("categories", "name", "fr", "%marte%")
	var plan []string
	require.NoError(t, api.DB.Outside(t).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SET LOCAL enable_seqscan = off").Error; err != nil {
			return err
		}
		return tx.Raw("EXPLAIN SELECT id FROM categories WHERE "+cond, args...).Scan(&plan).Error
	}))
	t.Log(strings.Join(plan, "\n"))
	assert.Contains(t, strings.Join(plan, "\n"), "ix_categories_name_i18n_trgm", strings.Join(plan, "\n"))
}
