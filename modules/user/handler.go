package user

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/erp-foundation/erp/platform/auth"
	"github.com/erp-foundation/erp/platform/fault"
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

func (h *Handler) login(c *gin.Context) error {
	var req LoginRequest
	if err := h.decoder.Decode(c.Request, &req); err != nil {
		return err
	}
	emailKey, ipKey := "email:"+strings.ToLower(req.Email), "ip:"+c.ClientIP()
	if blocked, retryAfter := h.failures.Blocked(emailKey, ipKey); blocked {
		return &fault.Error{Kind: fault.TooManyRequests, RetryAfter: retryAfter, Detail: "Too many failed logins. Retry later."}
	}
	u, err := h.svc.Authenticate(c.Request.Context(), req.Email, req.Password)
	if err != nil {
		if fault.KindOf(err) == fault.Unauthorized {
			h.failures.Fail(emailKey, ipKey)
		}
		return err
	}
	h.failures.Reset(emailKey)
	token, err := h.tokens.Issue(u.ID, u.Role)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	rest.JSON(c, http.StatusOK, TokenResponse{AccessToken: token, TokenType: "bearer", ExpiresIn: int(h.tokens.TTL().Seconds())})
	return nil
}

func (h *Handler) create(c *gin.Context) error {
	var req CreateRequest
	if err := h.decoder.Decode(c.Request, &req); err != nil {
		return err
	}
	u, err := h.svc.Create(c.Request.Context(), req)
	if err != nil {
		return err
	}
	rest.Created(c, location(u.ID), toResponse(*u))
	return nil
}

func (h *Handler) me(c *gin.Context) error {
	p, ok := auth.FromContext(c.Request.Context())
	if !ok {
		return fault.New(fault.Unauthorized, "A valid bearer token is required.")
	}
	u, err := h.svc.Get(c.Request.Context(), p.UserID)
	if err != nil {
		return err
	}
	rest.Read(c, toResponse(*u))
	return nil
}

func (h *Handler) get(c *gin.Context) error {
	id, err := rest.ID(c)
	if err != nil {
		return err
	}
	u, err := h.svc.Get(c.Request.Context(), id)
	if err != nil {
		return err
	}
	rest.Read(c, toResponse(*u))
	return nil
}

func (h *Handler) list(c *gin.Context) error {
	q := c.Request.URL.Query()
	page, err := h.lists.Parse(q, ListSpec())
	filter, ferr := ParseFilter(q)
	if err = listing.JoinErrors(err, ferr); err != nil {
		return err
	}
	rows, total, err := h.svc.List(c.Request.Context(), filter, page)
	if err != nil {
		return err
	}
	rest.JSON(c, http.StatusOK, listing.Map(listing.Finish(h.lists, page, rows, total), toResponse))
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
	u, err := h.svc.Update(c.Request.Context(), id, req, cond)
	if err != nil {
		return err
	}
	rest.JSON(c, http.StatusOK, toResponse(*u))
	return nil
}

func (h *Handler) deactivate(c *gin.Context) error {
	id, cond, err := rest.Target(c)
	if err != nil {
		return err
	}
	if err := h.svc.Deactivate(c.Request.Context(), id, cond); err != nil {
		return err
	}
	rest.NoContent(c)
	return nil
}
