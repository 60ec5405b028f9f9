package openapi

import (
	"encoding/json"
	"path"
	"reflect"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/erp-foundation/erp/platform/input"
)

// Schemer is implemented by value types that describe their own JSON schema (money, say).
type Schemer interface {
	OpenAPISchema() *openapi3.Schema
}

// elemTyper is implemented by optional.Field: the type it wraps.
type elemTyper interface {
	ElemType() reflect.Type
}

// schemaRef returns a reference to a component for named structs, an inline schema otherwise.
func (b *Builder) schemaRef(t reflect.Type, request bool) *openapi3.SchemaRef {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s := b.special(t, request); s != nil {
		return s.NewRef()
	}
	if t.Kind() != reflect.Struct {
		return b.schema(t, request).NewRef()
	}
	name := componentName(t)
	if _, done := b.doc.Components.Schemas[name]; !done {
		ref := &openapi3.SchemaRef{Value: openapi3.NewObjectSchema()}
		b.doc.Components.Schemas[name] = ref // registered first: recursive types terminate
		ref.Value = b.structSchema(t, request)
	}
	return openapi3.NewSchemaRef("#/components/schemas/"+name, nil)
}

// special handles types with their own JSON form: Schemer, optional.Field, time.Time.
func (b *Builder) special(t reflect.Type, request bool) *openapi3.Schema {
	zero := reflect.New(t).Elem().Interface()
	switch v := zero.(type) {
	case Schemer:
		return v.OpenAPISchema()
	case elemTyper:
		return b.inline(v.ElemType(), request)
	case time.Time:
		return openapi3.NewDateTimeSchema()
	case json.RawMessage:
		return &openapi3.Schema{}
	}
	return nil
}

// inline returns a schema value (dereferencing nothing: components stay references inside).
func (b *Builder) inline(t reflect.Type, request bool) *openapi3.Schema {
	ref := b.schemaRef(t, request)
	if ref.Ref != "" {
		return &openapi3.Schema{AllOf: openapi3.SchemaRefs{ref}}
	}
	return ref.Value
}

func (b *Builder) schema(t reflect.Type, request bool) *openapi3.Schema {
	if s := b.special(t, request); s != nil {
		return s
	}
	switch t.Kind() {
	case reflect.String:
		return openapi3.NewStringSchema()
	case reflect.Bool:
		return openapi3.NewBoolSchema()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32:
		return openapi3.NewInt32Schema()
	case reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return openapi3.NewInt64Schema()
	case reflect.Float32, reflect.Float64:
		return openapi3.NewFloat64Schema()
	case reflect.Slice, reflect.Array:
		s := openapi3.NewArraySchema()
		s.Items = b.schemaRef(t.Elem(), request)
		return s
	case reflect.Map:
		s := openapi3.NewObjectSchema()
		if t.Elem().Kind() == reflect.Interface {
			yes := true
			s.AdditionalProperties = openapi3.AdditionalProperties{Has: &yes}
		} else {
			s.AdditionalProperties = openapi3.AdditionalProperties{Schema: b.schemaRef(t.Elem(), request)}
		}
		return s
	case reflect.Struct, reflect.Pointer:
		return b.inline(t, request)
	default:
		return &openapi3.Schema{}
	}
}

// structSchema describes a DTO. Request DTOs take required, nullable and the validation
// keywords from the tags input.Decoder enforces, and reject unknown properties; response DTOs
// mark every field without omitempty as required and pointer fields as nullable.
func (b *Builder) structSchema(t reflect.Type, request bool) *openapi3.Schema {
	s := openapi3.NewObjectSchema()
	if request {
		no := false
		s.AdditionalProperties = openapi3.AdditionalProperties{Has: &no}
		for _, f := range b.inspector.Struct(t).Fields {
			prop := withRules(b.inline(f.Type, true), f.Rules)
			s.Properties[f.Name] = prop.NewRef()
			if f.Rules.Required {
				s.Required = append(s.Required, f.Name)
			}
		}
		return s
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		prop := b.inline(sf.Type, false)
		if sf.Type.Kind() == reflect.Pointer {
			prop = nullable(prop)
		}
		if d := sf.Tag.Get("doc"); d != "" {
			prop.Description = d
		}
		s.Properties[name] = prop.NewRef()
		if !strings.Contains(opts, "omitempty") {
			s.Required = append(s.Required, name)
		}
	}
	return s
}

// nullable marks a schema nullable; a bare reference is wrapped because OpenAPI 3.0 ignores
// siblings of $ref, and the wrapper says it is an object, since in 3.0 nullable means nothing
// without a type (strict clients would refuse the null).
func nullable(s *openapi3.Schema) *openapi3.Schema {
	if len(s.AllOf) == 1 && s.Type == nil {
		return &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeObject}, AllOf: s.AllOf, Nullable: true}
	}
	c := *s
	c.Nullable = true
	return &c
}

func withRules(s *openapi3.Schema, r input.Rules) *openapi3.Schema {
	c := *s
	if r.Nullable {
		c.Nullable = true
	}
	if r.MinLength != nil {
		c.MinLength = uint64(*r.MinLength) //nolint:gosec // tag values are small non-negative numbers
	}
	if r.MaxLength != nil {
		v := uint64(*r.MaxLength) //nolint:gosec // as above
		c.MaxLength = &v
	}
	if r.Pattern != nil {
		c.Pattern = r.Pattern.String()
	}
	c.Min, c.Max = r.Minimum, r.Maximum
	if len(r.Enum) > 0 {
		c.Enum = nil
		for _, e := range r.Enum {
			c.Enum = append(c.Enum, e)
		}
	}
	if r.Format != "" {
		c.Format = r.Format
	}
	return &c
}

// Namer is implemented by types that name their own component (platform types whose package
// name means nothing to an API client).
type Namer interface {
	OpenAPIName() string
}

// componentName names a struct component after its package and type: category.Response ->
// CategoryResponse; listing.Result[category.Response] -> CategoryResponseResult; a Namer names
// itself.
func componentName(t reflect.Type) string {
	if n, ok := reflect.New(t).Elem().Interface().(Namer); ok {
		return n.OpenAPIName()
	}
	name, pkg := t.Name(), path.Base(t.PkgPath())
	if base, arg, generic := strings.Cut(name, "["); generic {
		arg = strings.TrimSuffix(arg, "]")
		argPkg, argName, _ := strings.Cut(path.Base(arg), ".")
		return qualify(argPkg, argName) + base
	}
	return qualify(pkg, name)
}

func qualify(pkg, name string) string {
	pkg = strings.TrimSuffix(pkg, "_test")
	title := strings.ToUpper(pkg[:1]) + pkg[1:]
	name = strings.ToUpper(name[:1]) + name[1:]
	if strings.HasPrefix(name, title) {
		return name
	}
	return title + name
}
