// Package auth authenticates API callers with bearer tokens (HS256 JWTs) and authorises them by
// role. Tokens carry the user id; the user's current role and whether the account is still
// active come from a Directory (the users module), which answers from a short cache kept
// fresh by database notifications, so a deactivated or demoted user loses access within
// seconds without a query per request.
package auth

import (
	"context"
	"slices"
)

// The roles. admin may do everything; staff reads and writes the catalogue; viewer only reads.
const (
	RoleAdmin  = "admin"
	RoleStaff  = "staff"
	RoleViewer = "viewer"
)

// Roles lists every role, most powerful first.
func Roles() []string { return []string{RoleAdmin, RoleStaff, RoleViewer} }

// Readers may read the catalogue.
func Readers() []string { return Roles() }

// Writers may change the catalogue.
func Writers() []string { return []string{RoleAdmin, RoleStaff} }

// Admins may manage users and operations.
func Admins() []string { return []string{RoleAdmin} }

// Principal is the authenticated caller of a request.
type Principal struct {
	UserID int64
	Role   string
}

// Has reports whether the principal holds one of roles.
func (p Principal) Has(roles []string) bool { return slices.Contains(roles, p.Role) }

type ctxKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the request's principal, if authenticated.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

// Account is what the Directory knows of a user for authorisation.
type Account struct {
	Role   string
	Active bool
	// TokenGeneration is the generation a token must carry to be accepted.
	TokenGeneration int32
}

// Directory answers who a token's subject is now. Implementations must be cheap per call
// (cache) and say ok=false for an unknown user.
type Directory interface {
	Account(ctx context.Context, userID int64) (acct Account, ok bool, err error)
}
