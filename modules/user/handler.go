package user

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/erp-foundation/erp/platform/auth"
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/httperr"
	"github.com/erp-foundation/erp/platform/input"
	"github.com/erp-foundation/erp/platform/listing"
	"github.com/erp-foundation/erp/platform/rest"
)

// Handler serves the user and sign-in routes.
type Handler struct {
	svc      *Service
	lists    *listing.Codec
	tokens   *auth.Tokens
	failures *auth.FailureLimiter
	decoder  input.Decoder
}

// NewHandler returns the HTTP handler of svc; tokens signs access tokens and failures limits
// failed logins.
func NewHandler(svc *Service, lists *listing.Codec, tokens *auth.Tokens, failures *auth.FailureLimiter) *Handler {
	return &Handler{svc: svc, lists: lists, tokens: tokens, failures: failures}
}

func location(id int64) string { return "/api/v1/users/" + strconv.FormatInt(id, 10) }

func (h *Handler) login(c *gin.Context) {
	var req LoginRequest
	if err := h.decoder.Decode(c.Request, &req); err != nil {
		httperr.Abort(c, err)
		return
	}
	emailKey, ipKey := "email:"+strings.ToLower(req.Email), "ip:"+c.ClientIP()
	if blocked, retryAfter := h.failures.Blocked(emailKey, ipKey); blocked {
		httperr.Abort(c, &fault.Error{Kind: fault.TooManyRequests, RetryAfter: retryAfter,
			Detail: "Too many failed logins. Retry later."})
		return
	}
	u, err := h.svc.Authenticate(c.Request.Context(), req.Email, req.Password)
	if err != nil {
		if fault.KindOf(err) == fault.Unauthorized {
			h.failures.Fail(emailKey, ipKey)
		}
		httperr.Abort(c, err)
		return
	}
	h.failures.Reset(emailKey)
	token, err := h.tokens.Issue(u.ID, u.Role)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	rest.JSON(c, http.StatusOK, TokenResponse{AccessToken: token, TokenType: "bearer", ExpiresIn: int(h.tokens.TTL().Seconds())})
}

func (h *Handler) create(c *gin.Context) {
	var req CreateRequest
	if err := h.decoder.Decode(c.Request, &req); err != nil {
		httperr.Abort(c, err)
		return
	}
	u, err := h.svc.Create(c.Request.Context(), req)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	rest.Created(c, location(u.ID), toResponse(*u))
}

func (h *Handler) me(c *gin.Context) {
	p, ok := auth.FromContext(c.Request.Context())
	if !ok {
		httperr.Abort(c, fault.New(fault.Unauthorized, "A valid bearer token is required."))
		return
	}
	u, err := h.svc.Get(c.Request.Context(), p.UserID)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	rest.Read(c, toResponse(*u))
}

func (h *Handler) get(c *gin.Context) {
	id, err := rest.ID(c)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	u, err := h.svc.Get(c.Request.Context(), id)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	rest.Read(c, toResponse(*u))
}

func (h *Handler) list(c *gin.Context) {
	q := c.Request.URL.Query()
	page, err := h.lists.Parse(q, ListSpec())
	filter, ferr := ParseFilter(q)
	if err = listing.JoinErrors(err, ferr); err != nil {
		httperr.Abort(c, err)
		return
	}
	rows, total, err := h.svc.List(c.Request.Context(), filter, page)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	rest.JSON(c, http.StatusOK, listing.Map(listing.Finish(h.lists, page, rows, total), toResponse))
}

func (h *Handler) update(c *gin.Context) {
	id, err := rest.ID(c)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	cond, err := rest.IfMatch(c)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	var req UpdateRequest
	if err := h.decoder.Decode(c.Request, &req); err != nil {
		httperr.Abort(c, err)
		return
	}
	u, err := h.svc.Update(c.Request.Context(), id, req, cond)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	rest.JSON(c, http.StatusOK, toResponse(*u))
}

func (h *Handler) deactivate(c *gin.Context) {
	id, err := rest.ID(c)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	cond, err := rest.IfMatch(c)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	if err := h.svc.Deactivate(c.Request.Context(), id, cond); err != nil {
		httperr.Abort(c, err)
		return
	}
	rest.NoContent(c)
}
