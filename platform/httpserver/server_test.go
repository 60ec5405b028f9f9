package httpserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/platform/config"
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/httperr"
	"github.com/erp-foundation/erp/platform/httpserver"
	"github.com/erp-foundation/erp/platform/openapi"
)

type echoRequest struct {
	Name string `json:"name" required:"true"`
}

func newServer(t *testing.T, ready func(context.Context) error, logs io.Writer) *httpserver.Server {
	t.Helper()
	if logs == nil {
		logs = io.Discard
	}
	routes := []httpserver.Route{
		{Operation: openapi.Operation{Method: http.MethodGet, Path: "/boom", Summary: "panics"},
			Handler: func(*gin.Context) { panic("secret internal state") }},
		{Operation: openapi.Operation{Method: http.MethodGet, Path: "/things/:id", Summary: "conflict", Response: echoRequest{}},
			Handler: func(c *gin.Context) {
				httperr.Abort(c, &fault.Error{Kind: fault.Conflict, Detail: "taken", Constraint: "uq_things_name"})
			}},
		{Operation: openapi.Operation{Method: http.MethodPost, Path: "/things", Summary: "echo", Request: echoRequest{}},
			Handler: func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"ok": true}) }},
	}
	srv, err := httpserver.New(httpserver.Options{
		Config: config.HTTP{Addr: "127.0.0.1:0", MaxBodyBytes: 1024, WriteTimeout: 5 * time.Second,
			ReadHeaderTimeout: time.Second, ReadTimeout: time.Second, IdleTimeout: time.Second, ShutdownTimeout: 5 * time.Second},
		Logger:  slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Errors:  httperr.NewRegistry(),
		Ready:   func(ctx context.Context) (map[string]any, error) { return nil, ready(ctx) },
		Metrics: prometheus.NewRegistry(),
		Routes:  routes,
		Title:   "test", Version: "1",
	})
	require.NoError(t, err)
	return srv
}

func do(srv *httpserver.Server, method, path string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	return rec
}

func problem(t *testing.T, rec *httptest.ResponseRecorder) httperr.Problem {
	t.Helper()
	assert.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
	var p httperr.Problem
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	assert.Equal(t, rec.Header().Get("X-Request-ID"), p.RequestID)
	return p
}

func TestRequestIDIsEchoedOrGenerated(t *testing.T) {
	srv := newServer(t, func(context.Context) error { return nil }, nil)
	rec := do(srv, http.MethodGet, "/healthz", "X-Request-ID", "abc-123_x.y")
	assert.Equal(t, "abc-123_x.y", rec.Header().Get("X-Request-ID"))
	for _, bad := range []string{"", "has space", strings.Repeat("a", 129), "semi;colon"} {
		rec := do(srv, http.MethodGet, "/healthz", "X-Request-ID", bad)
		got := rec.Header().Get("X-Request-ID")
		assert.NotEmpty(t, got)
		assert.NotEqual(t, bad, got)
	}
}

func TestPanicBecomesA500WithoutInternals(t *testing.T) {
	var logs bytes.Buffer
	srv := newServer(t, func(context.Context) error { return nil }, &logs)
	rec := do(srv, http.MethodGet, "/api/v1/boom")
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	p := problem(t, rec)
	assert.Equal(t, "internal", p.Code)
	assert.NotContains(t, rec.Body.String(), "secret")
	assert.NotContains(t, rec.Body.String(), "goroutine")
	assert.Contains(t, logs.String(), "secret internal state", "the panic is logged for operators")
	assert.Equal(t, 1, strings.Count(logs.String(), `"msg":"request failed"`), "logged once")
}

func TestUnknownRouteAndMethod(t *testing.T) {
	srv := newServer(t, func(context.Context) error { return nil }, nil)
	rec := do(srv, http.MethodGet, "/api/v1/nope")
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Equal(t, "not_found", problem(t, rec).Code)
	rec = do(srv, http.MethodDelete, "/api/v1/things")
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	assert.Equal(t, "method_not_allowed", problem(t, rec).Code)
}

func TestHealthAndReadiness(t *testing.T) {
	var down atomic.Bool
	srv := newServer(t, func(ctx context.Context) error {
		if down.Load() {
			<-ctx.Done() // a hung database: the probe must still answer in time
			return ctx.Err()
		}
		return nil
	}, nil)
	assert.JSONEq(t, `{"status":"ok"}`, do(srv, http.MethodGet, "/healthz").Body.String())
	assert.Equal(t, http.StatusOK, do(srv, http.MethodGet, "/readyz").Code)

	down.Store(true)
	start := time.Now()
	rec := do(srv, http.MethodGet, "/readyz")
	assert.Less(t, time.Since(start), 1500*time.Millisecond)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "unavailable", problem(t, rec).Code)
	assert.Equal(t, http.StatusOK, do(srv, http.MethodGet, "/healthz").Code, "liveness never touches the database")
}

func TestMetricsUseRouteTemplatesAndCountConflicts(t *testing.T) {
	srv := newServer(t, func(context.Context) error { return nil }, nil)
	do(srv, http.MethodGet, "/api/v1/things/1")
	do(srv, http.MethodGet, "/api/v1/things/2")
	do(srv, http.MethodGet, "/api/v1/nope/123")
	body := do(srv, http.MethodGet, "/metrics").Body.String()
	assert.Contains(t, body, `erp_http_requests_total{method="GET",route="/api/v1/things/:id",status="409"} 2`)
	assert.Contains(t, body, `erp_http_conflicts_total{constraint="uq_things_name"} 2`)
	assert.Contains(t, body, `route="unmatched"`)
	assert.NotContains(t, body, "/api/v1/things/1", "raw paths never become labels")
	assert.Contains(t, body, "erp_http_request_duration_seconds_bucket")
}

func TestOpenAPIDocumentIsValidAndComplete(t *testing.T) {
	srv := newServer(t, func(context.Context) error { return nil }, nil)
	rec := do(srv, http.MethodGet, "/openapi.json")
	require.Equal(t, http.StatusOK, rec.Code)
	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	for _, r := range srv.Engine().Routes() {
		if strings.HasPrefix(r.Path, "/docs/assets") {
			continue
		}
		item := doc.Paths.Find(openapi.Path(r.Path))
		require.NotNil(t, item, "route %s %s is missing from the OpenAPI document", r.Method, r.Path)
		assert.NotNil(t, item.GetOperation(r.Method), "route %s %s is missing from the OpenAPI document", r.Method, r.Path)
	}
	things := doc.Paths.Find("/api/v1/things").Post
	require.NotNil(t, things.RequestBody)
	schema := doc.Components.Schemas["HttpserverEchoRequest"]
	require.NotNil(t, schema, "%v", doc.Components.Schemas)
	assert.Equal(t, []string{"name"}, schema.Value.Required, "required comes from the tag the decoder enforces")

	page := do(srv, http.MethodGet, "/docs")
	assert.Equal(t, http.StatusOK, page.Code)
	assert.Contains(t, page.Body.String(), "/openapi.json")
	asset := do(srv, http.MethodGet, "/docs/assets/swagger-ui-bundle.js")
	assert.Equal(t, http.StatusOK, asset.Code, "the UI is served from the binary")
}

func TestGracefulShutdownDrainsInFlightRequests(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	srv, err := httpserver.New(httpserver.Options{
		Config: config.HTTP{Addr: "127.0.0.1:0", MaxBodyBytes: 1024, WriteTimeout: 10 * time.Second,
			ReadHeaderTimeout: time.Second, ReadTimeout: 5 * time.Second, IdleTimeout: time.Second, ShutdownTimeout: 10 * time.Second},
		Logger: slog.New(slog.DiscardHandler), Errors: httperr.NewRegistry(),
		Ready: func(context.Context) (map[string]any, error) { return map[string]any{}, nil }, Metrics: prometheus.NewRegistry(),
		Routes: []httpserver.Route{{Operation: openapi.Operation{Method: http.MethodGet, Path: "/slow"},
			Handler: func(c *gin.Context) { close(started); <-release; c.JSON(http.StatusOK, gin.H{"done": true}) }}},
	})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	got := make(chan int, 1)
	go func() {
		res, err := http.Get("http://" + ln.Addr().String() + "/api/v1/slow")
		if err != nil {
			got <- 0
			return
		}
		_ = res.Body.Close()
		got <- res.StatusCode
	}()
	<-started
	cancel() // SIGTERM arrives while the request is in flight
	time.Sleep(50 * time.Millisecond)
	close(release)
	assert.Equal(t, http.StatusOK, <-got, "the in-flight request completes")
	assert.NoError(t, <-served)
	_, err = http.Get("http://" + ln.Addr().String() + "/healthz") //nolint:bodyclose,noctx // expected to fail
	assert.Error(t, err, "no new connections after shutdown")
}
