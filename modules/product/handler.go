package product

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/erp-foundation/erp/platform/i18n"
	"github.com/erp-foundation/erp/platform/input"
	"github.com/erp-foundation/erp/platform/listing"
	"github.com/erp-foundation/erp/platform/rest"
)

// Handler serves the product routes.
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

func location(id int64) string { return "/api/v1/products/" + strconv.FormatInt(id, 10) }

// localize renders p in lang: its own text and its category's name.
func (h *Handler) localize(p *Product, lang string) Response {
	itemLang := h.tr.Localize(p, lang)
	if p.Category != nil {
		h.tr.Localize(p.Category, lang)
	}
	return toResponse(*p, itemLang)
}

// one renders a single product in the request's language and sets the language headers.
func (h *Handler) one(c *gin.Context, p *Product) Response {
	r := h.localize(p, h.tr.FromRequest(c))
	i18n.SetHeaders(c, r.Lang)
	return r
}

func (h *Handler) create(c *gin.Context) error {
	var req CreateRequest
	err := h.decoder.Decode(c.Request, &req)
	if err = input.Join(err, h.tr.Check(Product{}, "translations", req.Translations)); err != nil {
		return err
	}
	p, err := h.svc.Create(c.Request.Context(), req)
	if err != nil {
		return err
	}
	rest.Created(c, location(p.ID), h.one(c, p))
	return nil
}

func (h *Handler) get(c *gin.Context) error {
	id, err := rest.ID(c)
	if err != nil {
		return err
	}
	p, err := h.svc.Get(c.Request.Context(), id)
	if err != nil {
		return err
	}
	rest.Read(c, h.one(c, p))
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
	var langs []string
	out := listing.Map(listing.Finish(h.lists, page, rows, total), func(p Product) Response {
		r := h.localize(&p, filter.Lang)
		langs = append(langs, r.Lang)
		return r
	})
	i18n.SetHeaders(c, h.tr.ResponseLanguage(filter.Lang, langs))
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
	p, err := h.svc.Update(c.Request.Context(), id, req, cond)
	if err != nil {
		return err
	}
	rest.JSON(c, http.StatusOK, h.one(c, p))
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
