package auth

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/httperr"
)

// Guard builds the middleware that admits callers with a valid token whose user is active and
// holds one of the roles: 401 otherwise (no token, bad signature, expired, unknown or
// deactivated user), 403 for a role without the right.
type Guard struct {
	tokens    *Tokens
	directory Directory
}

// NewGuard returns a guard verifying tokens and asking directory for accounts.
func NewGuard(tokens *Tokens, directory Directory) *Guard {
	return &Guard{tokens: tokens, directory: directory}
}

// Require admits principals holding one of roles.
func (g *Guard) Require(roles []string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, err := g.authenticate(c)
		if err != nil {
			httperr.Abort(c, err)
			return
		}
		if !p.Has(roles) {
			httperr.Abort(c, fault.New(fault.Forbidden, "Your role does not allow this."))
			return
		}
		// The caller is the actor of every write the request makes (audit trail).
		ctx := database.WithActor(WithPrincipal(c.Request.Context(), p), p.UserID)
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

func unauthorized(c *gin.Context, tokenGiven bool) error {
	if tokenGiven {
		c.Header("WWW-Authenticate", `Bearer error="invalid_token"`)
	}
	return fault.New(fault.Unauthorized, "A valid bearer token is required.")
}

func (g *Guard) authenticate(c *gin.Context) (Principal, error) {
	scheme, token, found := strings.Cut(c.GetHeader("Authorization"), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return Principal{}, unauthorized(c, false)
	}
	sub, err := g.tokens.Verify(strings.TrimSpace(token))
	if err != nil {
		return Principal{}, unauthorized(c, true)
	}
	acct, ok, err := g.directory.Account(c.Request.Context(), sub.UserID)
	if err != nil {
		return Principal{}, err
	}
	if !ok || !acct.Active || acct.TokenGeneration != sub.Generation {
		return Principal{}, unauthorized(c, true)
	}
	return Principal{UserID: sub.UserID, Role: acct.Role}, nil
}
