package httpserver

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/erp-foundation/erp/platform/requestid"
)

// accessLog writes one structured line per request. Probes and scrapes log at DEBUG.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		level := slog.LevelInfo
		if p := c.Request.URL.Path; p == "/healthz" || p == "/readyz" || p == "/metrics" {
			level = slog.LevelDebug
		}
		ctx := c.Request.Context()
		if !log.Enabled(ctx, level) {
			return
		}
		log.Log(ctx, level, "request",
			"method", methodLabel(c.Request.Method),
			"route", routeLabel(c),
			"path", c.Request.URL.Path,
			"status", c.Writer.Status(),
			"duration_ms", float64(time.Since(start).Microseconds())/1000,
			"bytes", c.Writer.Size(),
			"client", c.ClientIP(),
			"request_id", requestid.From(ctx))
	}
}

// deadline bounds each request's work (see requestDeadline): database work stops with it, and
// the problem document still reaches the client before the write timeout.
func deadline(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// limitBody caps how much of a body a handler can read; input.Decoder turns the overflow into
// 413. Routes that take no body never read it, so they never answer 413.
func limitBody(limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		c.Next()
	}
}
