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

// render turns a product, already localised into itemLang, into a response; the embedded
// category's name follows the requested language too.
func (h *Handler) render(p *Product, lang, itemLang string) Response {
	if p.Category != nil {
		h.tr.Localize(p.Category, lang)
	}
	return toResponse(*p, itemLang)
}

// one renders a single product in the request's language and sets the language headers.
func (h *Handler) one(c *gin.Context, p *Product) Response {
	lang := h.tr.FromRequest(c)
	itemLang := h.tr.Localize(p, lang)
	i18n.SetHeaders(c, itemLang)
	return h.render(p, lang, itemLang)
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
	out := i18n.Page(c, h.tr, filter.Lang, listing.Finish(h.lists, page, rows, total),
		func(p *Product, itemLang string) Response { return h.render(p, filter.Lang, itemLang) })
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
