package i18n

import (
	"net/http"
	"strings"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/erp-foundation/erp/platform/etag"
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/httperr"
	"github.com/erp-foundation/erp/platform/httpserver"
	"github.com/erp-foundation/erp/platform/input"
	"github.com/erp-foundation/erp/platform/openapi"
	"github.com/erp-foundation/erp/platform/rest"
)

// Resource describes a translatable table for the translation routes.
type Resource struct {
	// Path is the collection path relative to /api/v1 ("/categories").
	Path string
	// Table is the table holding the rows and their translations column.
	Table string
	// Model is a value of the row's model type; its tagged fields are the translatable ones.
	Model any
	// NotFound is the module's error for a missing row.
	NotFound error
	// Tag groups the routes in the OpenAPI document.
	Tag string
	// Name is the entity's singular name in the OpenAPI summaries ("category").
	Name string
	// ReadRoles and WriteRoles protect the routes (empty: open).
	ReadRoles, WriteRoles []string
}

// Routes returns GET {path}/:id/translations, PUT and DELETE {path}/:id/translations/:lang for
// r: the whole translation API of a module, from its tagged model alone.
func (t *Translator) Routes(db *database.DB, r Resource) []httpserver.Route {
	h := &routes{t: t, r: r, store: &store{db: db, table: r.Table, notFound: r.NotFound}}
	ifMatch := map[string]string{"If-Match": `Optimistic lock on the entity: "<version>" or *.`}
	etagHeader := map[string]string{"ETag": `The entity's new "<version>".`}
	fields := h.fieldsSchema()
	all := openapi3.NewObjectSchema()
	all.AdditionalProperties = openapi3.AdditionalProperties{Schema: fields.NewRef()}
	return []httpserver.Route{
		{Handler: httperr.Handle(h.list), Operation: openapi.Operation{
			Method: http.MethodGet, Path: r.Path + "/:id/translations", Tag: r.Tag, Roles: r.ReadRoles,
			Summary:        "List the translations (non-default languages) of a " + r.Name,
			ResponseSchema: all, Headers: map[string]string{"ETag": `"<version>"`}, Errors: []int{http.StatusNotFound},
		}},
		{Handler: httperr.Handle(h.put), Operation: openapi.Operation{
			Method: http.MethodPut, Path: r.Path + "/:id/translations/:lang", Tag: r.Tag, Roles: r.WriteRoles,
			Summary:       "Replace one language's translation of a " + r.Name,
			Description:   "Only translatable fields; a field given as null or left out is not translated. The default language is edited on the entity itself (422).",
			RequestSchema: fields, ResponseSchema: fields, Headers: etagHeader, RequestHeaders: ifMatch,
			Errors: []int{http.StatusNotFound, http.StatusPreconditionFailed},
		}},
		{Handler: httperr.Handle(h.remove), Operation: openapi.Operation{
			Method: http.MethodDelete, Path: r.Path + "/:id/translations/:lang", Tag: r.Tag, Roles: r.WriteRoles,
			Summary: "Delete one language's translation of a " + r.Name, Status: http.StatusNoContent, RequestHeaders: ifMatch,
			Errors: []int{http.StatusNotFound, http.StatusPreconditionFailed},
		}},
	}
}

type routes struct {
	t       *Translator
	r       Resource
	store   *store
	decoder input.Decoder
}

func (h *routes) fieldsSchema() *openapi3.Schema {
	s := openapi3.NewObjectSchema()
	no := false
	s.AdditionalProperties = openapi3.AdditionalProperties{Has: &no}
	for _, f := range h.t.Fields(h.r.Model) {
		p := openapi3.NewStringSchema()
		p.Nullable = true
		if f.Rules.MaxLength != nil {
			v := uint64(*f.Rules.MaxLength) //nolint:gosec // small tag values
			p.MaxLength = &v
		}
		s.Properties[f.Name] = p.NewRef()
	}
	return s
}

func (h *routes) list(c *gin.Context) error {
	id, err := rest.ID(c)
	if err != nil {
		return err
	}
	v, err := h.store.get(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.Header("ETag", etag.Of(v.Version))
	rest.JSON(c, http.StatusOK, v.Translations.Without(h.t.def))
	return nil
}

// language reads :lang: supported and not the default, else 422.
func (h *routes) language(c *gin.Context) (string, error) {
	lang := strings.ToLower(c.Param("lang"))
	switch {
	case !h.t.Supported(lang):
		return "", fault.Validation(fault.Field("lang", "is not a supported language ("+strings.Join(h.t.supported, ", ")+")"))
	case lang == h.t.def:
		return "", fault.Validation(fault.Field("lang", "is the default language: change the entity's own fields instead"))
	}
	return lang, nil
}

func (h *routes) put(c *gin.Context) error {
	id, cond, err := rest.Target(c)
	if err != nil {
		return err
	}
	lang, langErr := h.language(c)
	body, err := h.decoder.Object(c.Request)
	if err != nil {
		return err
	}
	if err := input.Join(langErr, h.t.CheckFields(h.r.Model, "", body)); err != nil {
		return err
	}
	v, err := h.store.put(c.Request.Context(), id, lang, BuildFields(body), cond)
	if err != nil {
		return err
	}
	text := v.Translations.Lang(lang)
	if text == nil {
		text = map[string]string{}
	}
	c.Header("ETag", etag.Of(v.Version))
	rest.JSON(c, http.StatusOK, text)
	return nil
}

func (h *routes) remove(c *gin.Context) error {
	id, cond, err := rest.Target(c)
	if err != nil {
		return err
	}
	lang, err := h.language(c)
	if err != nil {
		return err
	}
	if err := h.store.remove(c.Request.Context(), id, lang, cond); err != nil {
		return err
	}
	rest.NoContent(c)
	return nil
}
