// Package requestid gives every request an id: the client's X-Request-ID when it is 1-128
// characters of [A-Za-z0-9._-], a new random one otherwise. The id is echoed in the response
// header, carried in the request context (for logs, problems and audit records) and never
// trusted for anything else.
package requestid

import (
	"context"
	"crypto/rand"

	"github.com/gin-gonic/gin"
)

// Header is the HTTP header that carries the id both ways.
const Header = "X-Request-ID"

type ctxKey struct{}

// Middleware assigns the id before any other handler runs.
func Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(Header)
		if !Valid(id) {
			id = rand.Text()
		}
		c.Header(Header, id)
		c.Request = c.Request.WithContext(With(c.Request.Context(), id))
		c.Next()
	}
}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// From returns the id carried by ctx, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// Valid reports whether a client-supplied id may be echoed.
func Valid(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for i := range len(id) {
		ch := id[i]
		ok := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' ||
			ch == '.' || ch == '_' || ch == '-'
		if !ok {
			return false
		}
	}
	return true
}
