package httpserver

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/httperr"
	"github.com/erp-foundation/erp/platform/openapi"
)

// ReadyTimeout bounds the readiness probe's database query.
const ReadyTimeout = time.Second

// Status is the body of a healthy probe; readiness adds details (a database ahead of the
// binary, replicas).
type Status struct {
	Status string `json:"status"`
}

// ReadyStatus is the body of a ready /readyz (details only when there is something to say).
type ReadyStatus struct {
	Status  string         `json:"status"`
	Details map[string]any `json:"details,omitempty"`
}

// OpenAPIName names the component.
func (ReadyStatus) OpenAPIName() string { return "ReadyStatus" }

// OpenAPIName names the component.
func (Status) OpenAPIName() string { return "ServiceStatus" }

// serviceRoutes are the unauthenticated endpoints outside APIPrefix.
func serviceRoutes(ready func(context.Context) (map[string]any, error), metrics *prometheus.Registry, doc func() []byte) []Route {
	return []Route{
		{Operation: openapi.Operation{
			Method: http.MethodGet, Path: "/healthz", Tag: "service", Response: Status{},
			Summary: "Liveness: 200 while the process serves (no database call).",
		}, Handler: func(c *gin.Context) { c.JSON(http.StatusOK, Status{Status: "ok"}) }},
		{Operation: openapi.Operation{
			Method: http.MethodGet, Path: "/readyz", Tag: "service", Response: ReadyStatus{},
			Summary: "Readiness: 200 when the database answers a query within 1 s, else 503.",
			Errors:  []int{http.StatusServiceUnavailable},
		}, Handler: readyHandler(ready)},
		{Operation: openapi.Operation{
			Method: http.MethodGet, Path: "/metrics", Tag: "service",
			Summary: "Prometheus metrics: requests by route and status, latency, pool gauges, 409s by constraint.",
		}, Handler: gin.WrapH(promhttp.HandlerFor(metrics, promhttp.HandlerOpts{}))},
		{Operation: openapi.Operation{
			Method: http.MethodGet, Path: "/openapi.json", Tag: "service", Summary: "This OpenAPI document.",
		}, Handler: func(c *gin.Context) { c.Data(http.StatusOK, "application/json", doc()) }},
		{Operation: openapi.Operation{
			Method: http.MethodGet, Path: "/docs", Tag: "service", Summary: "Interactive API documentation (Swagger UI).",
		}, Handler: docsPage},
	}
}

func readyHandler(ready func(context.Context) (map[string]any, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), ReadyTimeout)
		defer cancel()
		details, err := ready(ctx)
		var fe *fault.Error
		if errors.As(err, &fe) {
			httperr.Abort(c, err)
			return
		}
		if err != nil {
			detail := "The database is unreachable."
			if ctx.Err() != nil {
				detail = "The database did not answer within 1 s."
			}
			httperr.Abort(c, &fault.Error{Kind: fault.Unavailable, Detail: detail, Err: err})
			return
		}
		c.JSON(http.StatusOK, ReadyStatus{Status: "ok", Details: details})
	}
}
