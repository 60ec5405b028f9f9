package httpserver

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/erp-foundation/erp/platform/httperr"
)

// httpMetrics are the request metrics /metrics exposes. Routes are labelled by template
// (/api/v1/categories/:id), never by raw path, so the label set stays bounded.
type httpMetrics struct {
	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	conflicts *prometheus.CounterVec
}

func newHTTPMetrics(reg prometheus.Registerer) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "erp_http_requests_total", Help: "HTTP requests by method, route template and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "erp_http_request_duration_seconds",
			Help:    "HTTP request latency by method and route template.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
		conflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "erp_http_conflicts_total", Help: "409 responses by the database constraint that caused them.",
		}, []string{"constraint"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.conflicts} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *httpMetrics) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := routeLabel(c)
		status := c.Writer.Status()
		method := methodLabel(c.Request.Method)
		m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
		m.duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
		if p, ok := httperr.FromContext(c); ok && p.Status == http.StatusConflict {
			constraint := p.Constraint
			if constraint == "" {
				constraint = "none"
			}
			m.conflicts.WithLabelValues(constraint).Inc()
		}
	}
}

func routeLabel(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}
