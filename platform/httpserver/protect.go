package httpserver

import (
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/erp-foundation/erp/platform/config"
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/httperr"
	"github.com/erp-foundation/erp/platform/input"
)

// securityHeaders marks every response as what its Content-Type says (no sniffing).
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("X-Content-Type-Options", "nosniff")
		c.Next()
	}
}

// noStore keeps API answers (each for one caller, tokens included) out of caches.
func noStore() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		c.Next()
	}
}

// checkQuery parses the query string with the service's one parser (input.ParseQuery): a
// malformed or repeated parameter is a 400 before any handler or database work. Later readers
// (net/url's parser, through gin) must see exactly the values checked here: they do when the
// query has no semicolon (both split on "&" and unescape alike, and whatever the two would
// disagree on was refused above); a query with one, which net/url would drop, is re-encoded.
func checkQuery() gin.HandlerFunc {
	return func(c *gin.Context) {
		raw := c.Request.URL.RawQuery
		if raw == "" {
			c.Next()
			return
		}
		values, err := input.ParseQuery(raw)
		if err != nil {
			httperr.Abort(c, err)
			return
		}
		if strings.Contains(raw, ";") {
			c.Request.URL.RawQuery = values.Encode()
		}
		c.Next()
	}
}

// limitInFlight answers 503 with Retry-After to requests beyond max handled at once, instead
// of letting a flood queue without bound; 0 means no limit. Probes and scrapes are not counted
// (they must keep answering while the service is saturated).
func limitInFlight(max int) gin.HandlerFunc {
	var inFlight atomic.Int64
	return func(c *gin.Context) {
		if max <= 0 {
			c.Next()
			return
		}
		switch c.Request.URL.Path {
		case "/healthz", "/readyz", "/metrics":
			c.Next()
			return
		}
		if inFlight.Add(1) > int64(max) {
			inFlight.Add(-1)
			httperr.Abort(c, &fault.Error{Kind: fault.Unavailable, RetryAfter: 1,
				Detail: "The service is handling as many requests as it may. Retry shortly."})
			return
		}
		defer inFlight.Add(-1)
		c.Next()
	}
}

// requestDeadline is the bound of one request's work: shorter than the write timeout by a
// margin, so that a request stopped by it can still deliver its problem document.
func requestDeadline(cfg config.HTTP) time.Duration {
	margin := min(cfg.WriteTimeout/10, 2*time.Second)
	return cfg.WriteTimeout - margin
}

// limitConnections closes connections accepted beyond max open at once (idle keep-alive ones
// included), so that a flood of connections cannot exhaust memory; 0 means no limit.
func limitConnections(ln net.Listener, max int) net.Listener {
	if max <= 0 {
		return ln
	}
	return &cappedListener{Listener: ln, max: int64(max)}
}

type cappedListener struct {
	net.Listener
	max  int64
	open atomic.Int64
}

func (l *cappedListener) Accept() (net.Conn, error) {
	for {
		conn, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) > l.max {
			l.open.Add(-1)
			_ = conn.Close()
			continue
		}
		return &countedConn{Conn: conn, l: l}, nil
	}
}

type countedConn struct {
	net.Conn
	l      *cappedListener
	closed atomic.Bool
}

func (c *countedConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.l.open.Add(-1)
	}
	return c.Conn.Close()
}

// methodLabel maps the request method to a fixed set, so that made-up methods cannot add
// metric series.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	default:
		return "OTHER"
	}
}
