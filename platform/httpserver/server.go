// Package httpserver assembles the gin engine: request ids, access logs, metrics, panic
// recovery, body limits, problem+json errors, the module routes under /api/v1, the service
// endpoints (/healthz, /readyz, /metrics, /openapi.json, /docs), and a graceful http.Server.
package httpserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/erp-foundation/erp/platform/config"
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/httperr"
	"github.com/erp-foundation/erp/platform/openapi"
	"github.com/erp-foundation/erp/platform/requestid"
)

// Options are the inputs of New.
type Options struct {
	Config config.HTTP
	Logger *slog.Logger
	// Errors maps errors to problems (the merged constraint registry).
	Errors *httperr.Registry
	// Ready is the readiness check: real database queries within the context's deadline. The
	// details it returns go into the body of a healthy answer.
	Ready func(context.Context) (map[string]any, error)
	// Metrics receives the HTTP metrics and is what /metrics serves.
	Metrics *prometheus.Registry
	// Routes are the module routes, paths relative to APIPrefix.
	Routes []Route
	// Guard protects routes that name roles; nil leaves them open.
	Guard Guard
	// Idempotency, when set, runs every guarded POST under its Idempotency-Key header.
	Idempotency gin.HandlerFunc
	// Title, Version and Description head the OpenAPI document.
	Title, Version, Description string
}

// Server is the HTTP side of the service.
type Server struct {
	engine *gin.Engine
	cfg    config.HTTP
	log    *slog.Logger
	doc    []byte
}

// New builds the engine and the OpenAPI document. gin's mode is the caller's choice
// (gin.SetMode), made once at start.
func New(opts Options) (*Server, error) {
	metrics, err := newHTTPMetrics(opts.Metrics)
	if err != nil {
		return nil, fmt.Errorf("httpserver: metrics: %w", err)
	}
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.ContextWithFallback = true
	// X-Forwarded-For is believed only from the configured proxies (login limits, logs).
	e.RemoteIPHeaders = []string{"X-Forwarded-For"}
	if err := e.SetTrustedProxies(opts.Config.TrustedProxies); err != nil {
		return nil, fmt.Errorf("httpserver: http.trusted_proxies: %w", err)
	}
	e.Use(
		requestid.Middleware(),
		securityHeaders(),
		accessLog(opts.Logger),
		metrics.middleware(),
		deadline(requestDeadline(opts.Config)),
		limitBody(opts.Config.MaxBodyBytes),
		httperr.Middleware(opts.Errors, opts.Logger),
		httperr.Recover(opts.Logger),
		limitInFlight(opts.Config.MaxInFlight),
	)
	e.NoRoute(func(c *gin.Context) { httperr.Abort(c, fault.New(fault.NotFound, "No such resource.")) })
	e.NoMethod(func(c *gin.Context) {
		httperr.Abort(c, fault.New(fault.MethodNotAllowed, "The resource does not support this method."))
	})

	s := &Server{engine: e, cfg: opts.Config, log: opts.Logger}
	b := openapi.NewBuilder(opts.Title, opts.Version, opts.Description)
	for _, r := range serviceRoutes(opts.Ready, opts.Metrics, func() []byte { return s.doc }) {
		e.Handle(r.Method, r.Path, checkQuery(), r.Handler)
		b.Add(r.Operation)
	}
	e.GET(docsAssets+"/*file", docsFiles())

	api := e.Group(APIPrefix, noStore())
	for _, r := range opts.Routes {
		// Authentication and role first, then the query string, then the handler.
		handlers := []gin.HandlerFunc{checkQuery(), r.Handler}
		if opts.Guard != nil {
			if len(r.Roles) == 0 && !r.Public {
				return nil, fmt.Errorf("httpserver: %s %s names no roles and is not public", r.Method, r.Path)
			}
			if len(r.Roles) > 0 {
				handlers = append([]gin.HandlerFunc{opts.Guard(r.Roles)}, handlers...)
			}
		}
		doc := r.Operation
		if opts.Idempotency != nil && r.Method == http.MethodPost && len(r.Roles) > 0 {
			handlers = append(handlers[:len(handlers)-1:len(handlers)-1], opts.Idempotency, r.Handler)
			doc = withIdempotency(doc)
		}
		api.Handle(r.Method, r.Path, handlers...)
		doc.Path = APIPrefix + r.Path
		b.Add(doc)
	}
	if s.doc, err = b.JSON(); err != nil {
		return nil, fmt.Errorf("httpserver: openapi: %w", err)
	}
	return s, nil
}

// Handler returns the engine, for tests and for http.Server.
func (s *Server) Handler() http.Handler { return s.engine }

// Engine returns the gin engine (tests list its routes).
func (s *Server) Engine() *gin.Engine { return s.engine }

// OpenAPI returns the rendered OpenAPI document.
func (s *Server) OpenAPI() []byte { return s.doc }

// Run serves on the configured address until ctx is cancelled, then stops accepting
// connections and waits up to shutdown_timeout for in-flight requests to finish.
func (s *Server) Run(ctx context.Context) error {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve is Run on an existing listener.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	ln = limitConnections(ln, s.cfg.MaxConnections)
	srv := &http.Server{
		Handler:           s.engine,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	s.log.Info("serving HTTP", "addr", ln.Addr().String())

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down: draining in-flight requests", "timeout", s.cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	s.log.Info("HTTP server stopped")
	return nil
}

// withIdempotency documents the Idempotency-Key header of a POST.
func withIdempotency(op openapi.Operation) openapi.Operation {
	headers := map[string]string{"Idempotency-Key": "1-255 printable ASCII characters: a retry with the same key and body " +
		"gets the first outcome again (Idempotent-Replayed: true) for 24 h; another body with the key is a 422, " +
		"a retry while the first request runs a 409. A 5xx outcome is not kept."}
	for k, v := range op.RequestHeaders {
		headers[k] = v
	}
	op.RequestHeaders = headers
	for _, status := range []int{http.StatusConflict, http.StatusUnprocessableEntity, http.StatusBadRequest} {
		if !slices.Contains(op.Errors, status) {
			op.Errors = append(slices.Clone(op.Errors), status)
		}
	}
	return op
}
