// Package apitest runs modules behind the real HTTP stack (middleware, error mapping, OpenAPI)
// on a dbtest database, in-process, and offers compact request helpers for table-driven
// HTTP scenarios.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/erp-foundation/erp/platform/app"
	"github.com/erp-foundation/erp/platform/config"
	"github.com/erp-foundation/erp/platform/dbtest"
	"github.com/erp-foundation/erp/platform/httperr"
	"github.com/erp-foundation/erp/platform/httpserver"
	"github.com/erp-foundation/erp/platform/i18n"
	"github.com/erp-foundation/erp/platform/idempotency"
	"github.com/erp-foundation/erp/platform/listing"
	"github.com/erp-foundation/erp/platform/logging"
)

// Config returns the configuration tests run the service with.
func Config(databaseURL string) *config.Config {
	return &config.Config{
		Env: config.EnvTest,
		HTTP: config.HTTP{
			Addr: "127.0.0.1:0", ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
			WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute, ShutdownTimeout: 5 * time.Second,
			MaxBodyBytes: 1 << 20,
		},
		Database: dbtest.TestPoolConfig(databaseURL),
		Auth: config.Auth{
			JWTSecret: "apitest-jwt-secret-0123456789abcdef", TokenTTL: time.Hour,
			BcryptCost: 4, LoginFailuresPerMinute: 10, LoginFailuresPerEmail: 50, LoginFailuresPerAddr: 100,
			MaxPasswordChecks: 4, Audience: "erp",
		},
		Log:        config.Log{Level: "error", Format: "text"},
		I18n:       config.I18n{DefaultLanguage: "en", SupportedLanguages: []string{"en", "fr", "de", "es"}},
		Pagination: config.Pagination{CursorSecret: "apitest-cursor-secret"},
		Audit:      config.Audit{MonthsAhead: 3, MaintenanceInterval: time.Hour},
		Archive:    config.Archive{Dir: "archive"},
		Backup:     config.Backup{Mode: config.BackupSelfManaged, Dir: "backups", KeepLast: 7, KeepDays: 14},
	}
}

// API is an in-process service.
type API struct {
	t       testing.TB
	Handler http.Handler
	DB      *dbtest.DB
	Deps    *app.Deps
}

// New builds the service that build(deps) assembles, on database d. An assembly without a
// Guard serves its routes without authentication (module tests); main's assembly has one.
func New(tb testing.TB, d *dbtest.DB, build func(*app.Deps) *app.Assembly) *API {
	tb.Helper()
	cfg := Config(d.URL)
	cfg.Backup.Dir, cfg.Archive.Dir = tb.TempDir(), tb.TempDir()
	deps := &app.Deps{
		Config: cfg, DB: d.DB, Owner: d.Owner, Logger: logging.Discard(),
		Lists: listing.NewCodec(cfg.Pagination.CursorSecret), I18n: i18n.New(cfg.I18n), Metrics: prometheus.NewRegistry(),
	}
	asm := build(deps)
	var routes []httpserver.Route
	var constraints [][]httperr.Constraint
	for _, m := range asm.Modules {
		routes = append(routes, m.Routes()...)
		constraints = append(constraints, m.Constraints())
	}
	registry := httperr.NewRegistry(constraints...)
	srv, err := httpserver.New(httpserver.Options{
		Config: cfg.HTTP, Logger: deps.Logger, Errors: registry,
		Idempotency: idempotency.New(d.DB, registry, deps.Logger).Middleware,
		Ready:       func(ctx context.Context) (map[string]any, error) { return nil, d.Ping(ctx) }, Metrics: deps.Metrics, Routes: routes, Guard: asm.Guard, Title: "test", Version: "test",
	})
	if err != nil {
		tb.Fatalf("apitest: %v", err)
	}
	return &API{t: tb, Handler: srv.Handler(), DB: d, Deps: deps}
}

// Response is a recorded response.
type Response struct {
	t      testing.TB
	Status int
	Header http.Header
	Body   []byte
}

// Do sends a request. body may be nil, a string (sent as is) or a value (sent as JSON);
// headers are name, value pairs. A body gets Content-Type: application/json unless headers set one.
func (a *API) Do(method, path string, body any, headers ...string) *Response {
	a.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			a.t.Fatalf("apitest: marshal body: %v", err)
		}
		r = bytes.NewReader(raw)
	}
	req := httptest.NewRequestWithContext(context.Background(), method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, req)
	return &Response{t: a.t, Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// JSON decodes the body into v.
func (r *Response) JSON(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("apitest: decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map() map[string]any {
	r.t.Helper()
	var m map[string]any
	r.JSON(&m)
	return m
}

// Problem decodes a problem document, checking its content type and request id.
func (r *Response) Problem() httperr.Problem {
	r.t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != httperr.ContentType {
		r.t.Fatalf("apitest: status %d with Content-Type %q, want a problem: %s", r.Status, ct, r.Body)
	}
	var p httperr.Problem
	r.JSON(&p)
	if p.RequestID == "" || p.RequestID != r.Header.Get("X-Request-ID") {
		r.t.Fatalf("apitest: problem request_id %q differs from X-Request-ID %q", p.RequestID, r.Header.Get("X-Request-ID"))
	}
	return p
}

// FieldErrors returns a problem's errors as field -> message.
func (r *Response) FieldErrors() map[string]string {
	r.t.Helper()
	out := map[string]string{}
	for _, e := range r.Problem().Errors {
		out[e.Field] = e.Message
	}
	return out
}
