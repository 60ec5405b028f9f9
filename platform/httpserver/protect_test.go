package httpserver_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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

// protectedServer serves /api/v1/echo (the client address and the query) and /api/v1/wait
// (blocks until release), behind a guard that admits only "Authorization: yes".
func protectedServer(t *testing.T, adjust func(*config.HTTP), release <-chan struct{}, started chan<- struct{}) *httpserver.Server {
	t.Helper()
	cfg := config.HTTP{Addr: "127.0.0.1:0", MaxBodyBytes: 1024, WriteTimeout: 10 * time.Second,
		ReadHeaderTimeout: time.Second, ReadTimeout: 5 * time.Second, IdleTimeout: time.Second, ShutdownTimeout: 5 * time.Second}
	if adjust != nil {
		adjust(&cfg)
	}
	guard := func([]string) gin.HandlerFunc {
		return func(c *gin.Context) {
			if c.GetHeader("Authorization") != "yes" {
				httperr.Abort(c, fault.New(fault.Unauthorized, "no"))
				return
			}
			c.Next()
		}
	}
	srv, err := httpserver.New(httpserver.Options{
		Config: cfg, Logger: slog.New(slog.DiscardHandler), Errors: httperr.NewRegistry(),
		Ready: func(context.Context) (map[string]any, error) { return map[string]any{}, nil }, Metrics: prometheus.NewRegistry(), Guard: guard,
		Routes: []httpserver.Route{
			{Operation: openapi.Operation{Method: http.MethodGet, Path: "/echo", Roles: []string{"any"}},
				Handler: func(c *gin.Context) { c.String(http.StatusOK, c.ClientIP()+" "+c.Request.URL.Query().Get("q")) }},
			{Operation: openapi.Operation{Method: http.MethodGet, Path: "/wait", Public: true},
				Handler: func(c *gin.Context) {
					started <- struct{}{}
					<-release
					c.String(http.StatusOK, "done")
				}},
		},
	})
	require.NoError(t, err)
	return srv
}

func TestQueryStringIsCheckedAfterAuthenticationOnEveryRoute(t *testing.T) {
	srv := protectedServer(t, nil, nil, nil)
	assert.Equal(t, http.StatusUnauthorized, do(srv, http.MethodGet, "/api/v1/echo?q=%FF").Code, "authentication comes first")
	for _, q := range []string{"q=%FF%FE", "q=%E2%82", "q=%00", "q=a&q=b", "lang=%FF"} {
		rec := do(srv, http.MethodGet, "/api/v1/echo?"+q, "Authorization", "yes")
		assert.Equal(t, http.StatusBadRequest, rec.Code, q)
		p := problem(t, rec)
		require.NotEmpty(t, p.Errors, q)
		assert.Equal(t, strings.SplitN(q, "=", 2)[0], p.Errors[0].Field, q)
	}
	assert.Equal(t, http.StatusBadRequest, do(srv, http.MethodGet, "/readyz?x=%FF").Code, "service endpoints too")
	rec := do(srv, http.MethodGet, "/api/v1/echo?q=caf%C3%A9", "Authorization", "yes")
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.True(t, strings.HasSuffix(rec.Body.String(), " café"))
}

func TestHandlersSeeTheQueryValuesThatWereChecked(t *testing.T) {
	srv := protectedServer(t, nil, nil, nil)
	// net/url drops a pair with a semicolon; the checked value is what the handler reads.
	for q, want := range map[string]string{"q=a;b": "a;b", "x=1;2&q=c%20d": "c d", "q=a+b&&": "a b", "": ""} {
		rec := do(srv, http.MethodGet, "/api/v1/echo?"+q, "Authorization", "yes")
		require.Equal(t, http.StatusOK, rec.Code, q)
		assert.Equal(t, " "+want, strings.TrimPrefix(rec.Body.String(), "192.0.2.1"), q)
	}
}

func TestSecurityHeaders(t *testing.T) {
	srv := protectedServer(t, nil, nil, nil)
	for _, path := range []string{"/healthz", "/api/v1/echo", "/api/v1/nope", "/openapi.json"} {
		assert.Equal(t, "nosniff", do(srv, http.MethodGet, path).Header().Get("X-Content-Type-Options"), path)
	}
	assert.Equal(t, "no-store", do(srv, http.MethodGet, "/api/v1/echo", "Authorization", "yes").Header().Get("Cache-Control"))
	assert.Equal(t, "no-store", do(srv, http.MethodGet, "/api/v1/echo").Header().Get("Cache-Control"), "401s too")
}

func TestMadeUpMethodsShareOneMetricLabel(t *testing.T) {
	srv := protectedServer(t, nil, nil, nil)
	for i := range 50 {
		do(srv, "BREW"+strings.Repeat("X", i), "/api/v1/echo")
	}
	body := do(srv, http.MethodGet, "/metrics").Body.String()
	assert.NotContains(t, body, "BREW")
	assert.Contains(t, body, `method="OTHER"`)
	assert.LessOrEqual(t, strings.Count(body, `method="OTHER"`), 20, "a bounded number of series")
}

func TestTrustedProxiesDecideTheClientAddress(t *testing.T) {
	direct := protectedServer(t, nil, nil, nil)
	viaProxy := protectedServer(t, func(c *config.HTTP) { c.TrustedProxies = []string{"192.0.2.0/24"} }, nil, nil)
	ask := func(srv *httpserver.Server) string {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "/api/v1/echo", nil)
		req.RemoteAddr = "192.0.2.10:4000"
		req.Header.Set("Authorization", "yes")
		req.Header.Set("X-Forwarded-For", "198.51.100.7, 203.0.113.9")
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return strings.Fields(rec.Body.String())[0]
	}
	assert.Equal(t, "192.0.2.10", ask(direct), "without trusted proxies the peer is the client")
	assert.Equal(t, "203.0.113.9", ask(viaProxy), "the entry the trusted proxy added")
}

func TestRequestsBeyondMaxInFlightGet503(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	srv := protectedServer(t, func(c *config.HTTP) { c.MaxInFlight = 2 }, release, started)
	done := make(chan int, 2)
	for range 2 {
		go func() { done <- do(srv, http.MethodGet, "/api/v1/wait").Code }()
		<-started
	}
	rec := do(srv, http.MethodGet, "/api/v1/wait")
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))
	assert.Equal(t, "unavailable", problem(t, rec).Code)
	assert.Equal(t, http.StatusOK, do(srv, http.MethodGet, "/healthz").Code, "probes still answer")
	close(release)
	assert.Equal(t, http.StatusOK, <-done)
	assert.Equal(t, http.StatusOK, <-done)
}

func TestConnectionsBeyondTheCapAreClosed(t *testing.T) {
	srv := protectedServer(t, func(c *config.HTTP) { c.MaxConnections = 3; c.IdleTimeout = time.Minute }, nil, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = srv.Serve(ctx, ln) }()
	var idle []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		idle = append(idle, c)
	}
	extra, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	_ = extra.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = extra.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF, "the connection beyond the cap is closed at once")
	_ = idle[0].Close()
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			return false
		}
		defer c.Close()
		_, _ = c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
		_ = c.SetReadDeadline(time.Now().Add(time.Second))
		n, _ := c.Read(make([]byte, 12))
		return n > 0
	}, 5*time.Second, 50*time.Millisecond, "a freed slot is usable again")
}
