package category

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/erp-foundation/erp/platform/i18n"
	"github.com/erp-foundation/erp/platform/input"
	"github.com/erp-foundation/erp/platform/listing"
	"github.com/erp-foundation/erp/platform/rest"
)

// Handler serves the category routes.
type Handler struct {
	svc     *Service
	lists   *listing.Codec
	tr      *i18n.Translator
	decoder input.Decoder
}

// NewHandler returns the HTTP handler of svc; lists signs list cursors, tr localises responses.
func NewHandler(svc *Service, lists *listing.Codec, tr *i18n.Translator) *Handler {
	return &Handler{svc: svc, lists: lists, tr: tr}
}

func location(id int64) string { return "/api/v1/categories/" + strconv.FormatInt(id, 10) }

// localized renders one category in the request's language and sets the language headers.
func (h *Handler) localized(c *gin.Context, cat *Category) Response {
	lang := h.tr.Localize(cat, h.tr.FromRequest(c))
	i18n.SetHeaders(c, lang)
	return toResponse(*cat, lang)
}

func (h *Handler) create(c *gin.Context) error {
	var req CreateRequest
	err := h.decoder.Decode(c.Request, &req)
	if err = input.Join(err, h.tr.Check(Category{}, "translations", req.Translations)); err != nil {
		return err
	}
	cat, err := h.svc.Create(c.Request.Context(), req)
	if err != nil {
		return err
	}
	rest.Created(c, location(cat.ID), h.localized(c, cat))
	return nil
}

func (h *Handler) get(c *gin.Context) error {
	id, err := rest.ID(c)
	if err != nil {
		return err
	}
	cat, err := h.svc.Get(c.Request.Context(), id)
	if err != nil {
		return err
	}
	rest.Read(c, h.localized(c, cat))
	return nil
}

func (h *Handler) list(c *gin.Context) error {
	q := c.Request.URL.Query()
	page, err := h.lists.Parse(q, ListSpec())
	filter, ferr := ParseFilter(q)
	if err = listing.JoinErrors(err, ferr); err != nil {
		return err
	}
	filter.Lang = h.tr.FromRequest(c)
	rows, total, err := h.svc.List(c.Request.Context(), filter, page)
	if err != nil {
		return err
	}
	out := i18n.Page(c, h.tr, filter.Lang, listing.Finish(h.lists, page, rows, total),
		func(cat *Category, lang string) Response { return toResponse(*cat, lang) })
	rest.JSON(c, http.StatusOK, out)
	return nil
}

func (h *Handler) update(c *gin.Context) error {
	id, cond, err := rest.Target(c)
	if err != nil {
		return err
	}
	var req UpdateRequest
	if err := h.decoder.Decode(c.Request, &req); err != nil {
		return err
	}
	cat, err := h.svc.Update(c.Request.Context(), id, req, cond)
	if err != nil {
		return err
	}
	rest.JSON(c, http.StatusOK, h.localized(c, cat))
	return nil
}

func (h *Handler) remove(c *gin.Context) error {
	id, cond, err := rest.Target(c)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request.Context(), id, cond); err != nil {
		return err
	}
	rest.NoContent(c)
	return nil
}
