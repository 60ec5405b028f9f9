// Package openapi builds the service's OpenAPI 3 document from the same route table that
// registers the routes, and the same DTO types and struct tags that validate request bodies:
// the document cannot drift from what the server does.
package openapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/erp-foundation/erp/platform/input"
)

// Param documents a query parameter.
type Param struct {
	Name        string
	Description string
	// Type is a JSON Schema type: string (default), integer, boolean, number.
	Type string
	// Enum lists the allowed values, if limited.
	Enum []string
}

// Operation documents one route. Path uses gin syntax (/categories/:id).
type Operation struct {
	Method      string
	Path        string
	Summary     string
	Description string
	Tag         string
	// Request is a value of the request body DTO type; nil for routes without a body.
	Request any
	// Response is a value of the success body type; nil for an empty body.
	Response any
	// RequestSchema and ResponseSchema, when set, describe bodies whose shape is known only at
	// run time (translations of a model's tagged fields); they take precedence.
	RequestSchema, ResponseSchema *openapi3.Schema
	// Status is the success status (200 when zero).
	Status int
	Query  []Param
	// Errors are the error statuses the route can answer, besides the ones every route has.
	Errors []int
	// Headers are response headers set on success (Location, ETag), with descriptions.
	Headers map[string]string
	// RequestHeaders are headers the route reads (If-Match), with descriptions.
	RequestHeaders map[string]string
	// Roles are the roles allowed; the route needs a bearer token unless Public.
	Roles []string
	// Public marks a route under /api/v1 that needs no token (the token route itself).
	Public bool
}

// Builder accumulates operations into a document.
type Builder struct {
	doc       *openapi3.T
	inspector input.Inspector
	// bearer records whether any operation needs a token, to declare the scheme.
	bearer bool
}

// NewBuilder starts a document.
func NewBuilder(title, version, description string) *Builder {
	return &Builder{doc: &openapi3.T{
		OpenAPI: "3.0.3",
		Info:    &openapi3.Info{Title: title, Version: version, Description: description},
		Servers: openapi3.Servers{{URL: "/"}},
		Paths:   openapi3.NewPaths(),
		Components: &openapi3.Components{
			Schemas:         openapi3.Schemas{"Problem": openapi3.NewSchemaRef("", problemSchema())},
			SecuritySchemes: openapi3.SecuritySchemes{},
		},
	}}
}

// ginParam matches a gin path parameter (:id).
func ginParams() *regexp.Regexp { return regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`) }

// Path converts gin's /x/:id into OpenAPI's /x/{id}.
func Path(ginPath string) string { return ginParams().ReplaceAllString(ginPath, "{$1}") }

// Add documents op.
func (b *Builder) Add(op Operation) {
	path := Path(op.Path)
	item := b.doc.Paths.Value(path)
	if item == nil {
		item = &openapi3.PathItem{}
		b.doc.Paths.Set(path, item)
	}
	o := openapi3.NewOperation()
	o.Summary, o.Description = op.Summary, op.Description
	o.OperationID = operationID(op.Method, path)
	if op.Tag != "" {
		o.Tags = []string{op.Tag}
	}
	for _, m := range ginParams().FindAllStringSubmatch(op.Path, -1) {
		o.AddParameter(pathParam(m[1]))
	}
	for _, q := range op.Query {
		o.AddParameter(openapi3.NewQueryParameter(q.Name).WithDescription(q.Description).WithSchema(paramSchema(q)))
	}
	for name, desc := range op.RequestHeaders {
		o.AddParameter(&openapi3.Parameter{In: "header", Name: name, Description: desc, Schema: openapi3.NewStringSchema().NewRef()})
	}
	switch {
	case op.RequestSchema != nil:
		o.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).
			WithJSONSchema(op.RequestSchema)}
	case op.Request != nil:
		o.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).
			WithJSONSchemaRef(b.schemaRef(reflect.TypeOf(op.Request), true))}
	}
	b.addResponses(o, op)
	b.addSecurity(o, op)
	item.SetOperation(op.Method, o)
}

func (b *Builder) addResponses(o *openapi3.Operation, op Operation) {
	status := op.Status
	if status == 0 {
		status = http.StatusOK
	}
	ok := openapi3.NewResponse().WithDescription(http.StatusText(status))
	switch {
	case op.ResponseSchema != nil:
		ok.WithJSONSchema(op.ResponseSchema)
	case op.Response != nil:
		ok.WithJSONSchemaRef(b.schemaRef(reflect.TypeOf(op.Response), false))
	}
	if len(op.Headers) > 0 {
		ok.Headers = openapi3.Headers{}
		for name, desc := range op.Headers {
			ok.Headers[name] = &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
				Description: desc, Schema: openapi3.NewStringSchema().NewRef(),
			}}}
		}
	}
	o.Responses = openapi3.NewResponses()
	o.Responses.Delete("default")
	o.Responses.Set(strconv.Itoa(status), &openapi3.ResponseRef{Value: ok})
	errs := append([]int{http.StatusInternalServerError}, op.Errors...)
	if op.Path != "/healthz" && op.Path != "/metrics" && !slices.Contains(errs, http.StatusServiceUnavailable) {
		// The database is unreachable or hung, or too many requests are in flight.
		errs = append(errs, http.StatusServiceUnavailable)
	}
	if op.Request != nil || op.RequestSchema != nil {
		errs = append(errs, http.StatusBadRequest, http.StatusRequestEntityTooLarge,
			http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity)
	}
	if len(op.Roles) > 0 {
		errs = append(errs, http.StatusUnauthorized, http.StatusForbidden)
	}
	problem := openapi3.NewContentWithSchemaRef(openapi3.NewSchemaRef("#/components/schemas/Problem", nil),
		[]string{"application/problem+json"})
	for _, s := range errs {
		o.Responses.Set(strconv.Itoa(s), &openapi3.ResponseRef{Value: openapi3.NewResponse().
			WithDescription(http.StatusText(s)).WithContent(problem)})
	}
}

func (b *Builder) addSecurity(o *openapi3.Operation, op Operation) {
	if len(op.Roles) == 0 {
		o.Security = &openapi3.SecurityRequirements{}
		return
	}
	b.bearer = true
	o.Security = &openapi3.SecurityRequirements{openapi3.SecurityRequirement{"bearer": []string{}}}
	o.Extensions = map[string]any{"x-roles": op.Roles}
	o.Description = strings.TrimSpace(o.Description + "\n\nRoles: " + strings.Join(op.Roles, ", ") + ".")
}

// Document returns the finished document.
func (b *Builder) Document() *openapi3.T {
	if b.bearer {
		b.doc.Components.SecuritySchemes["bearer"] = &openapi3.SecuritySchemeRef{Value: openapi3.NewJWTSecurityScheme()}
	}
	return b.doc
}

// JSON renders the document.
func (b *Builder) JSON() ([]byte, error) { return json.Marshal(b.Document()) }

// pathParam documents a path parameter: ids are positive integers, anything else a string.
func pathParam(name string) *openapi3.Parameter {
	if name == "id" || strings.HasSuffix(name, "_id") {
		return openapi3.NewPathParameter(name).WithSchema(openapi3.NewInt64Schema().WithMin(1)).
			WithDescription("A positive integer id; anything else answers 404.")
	}
	return openapi3.NewPathParameter(name).WithSchema(openapi3.NewStringSchema())
}

func operationID(method, path string) string {
	var parts []string
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		seg = strings.NewReplacer("{", "by_", "}", "", "-", "_", ".", "_").Replace(seg)
		if seg != "" {
			parts = append(parts, seg)
		}
	}
	return strings.ToLower(method) + "_" + strings.Join(parts, "_")
}

func paramSchema(q Param) *openapi3.Schema {
	var s *openapi3.Schema
	switch q.Type {
	case "integer":
		s = openapi3.NewInt64Schema()
	case "boolean":
		s = openapi3.NewBoolSchema()
	case "number":
		s = openapi3.NewFloat64Schema()
	default:
		s = openapi3.NewStringSchema()
	}
	if len(q.Enum) > 0 {
		vals := make([]any, len(q.Enum))
		for i, e := range q.Enum {
			vals[i] = e
		}
		s.WithEnum(vals...)
	}
	return s
}

func problemSchema() *openapi3.Schema {
	fieldErr := openapi3.NewObjectSchema().
		WithProperty("field", openapi3.NewStringSchema()).
		WithProperty("message", openapi3.NewStringSchema())
	s := openapi3.NewObjectSchema().
		WithProperty("type", openapi3.NewStringSchema()).
		WithProperty("title", openapi3.NewStringSchema()).
		WithProperty("status", openapi3.NewIntegerSchema()).
		WithProperty("code", openapi3.NewStringSchema().WithEnum("bad_request", "unauthorized", "forbidden",
			"not_found", "method_not_allowed", "conflict", "precondition_failed", "payload_too_large",
			"unsupported_media_type", "validation_failed", "too_many_requests", "internal", "unavailable",
			"idempotency_key_reused", "idempotency_key_in_flight")).
		WithProperty("detail", openapi3.NewStringSchema()).
		WithProperty("constraint", openapi3.NewStringSchema()).
		WithProperty("errors", openapi3.NewArraySchema().WithItems(fieldErr)).
		WithProperty("request_id", openapi3.NewStringSchema())
	s.Required = []string{"type", "title", "status", "code", "detail", "request_id"}
	s.Description = "An RFC 9457 problem document."
	return s
}
