package httpserver

import (
	"github.com/gin-gonic/gin"

	"github.com/erp-foundation/erp/platform/openapi"
)

// APIPrefix is the base path of every module route.
const APIPrefix = "/api/v1"

// Route is one entry of a module's route table: how it is documented (method, path relative to
// APIPrefix, DTOs, errors, roles) and the handler that serves it. The same entry registers the
// route and documents it, so the OpenAPI document lists exactly what is served.
type Route struct {
	openapi.Operation
	Handler gin.HandlerFunc
}

// Guard builds the middleware that admits only callers holding one of roles (auth.Guard's
// Require, wired in main.go); nil means routes are not protected.
type Guard func(roles []string) gin.HandlerFunc
