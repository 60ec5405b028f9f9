package product

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"errors"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/erp-foundation/erp/platform/input"
)

// Attributes is a free-form JSON object stored as JSONB; the empty value is {}.
type Attributes struct {
	raw json.RawMessage
}

// UnmarshalJSON accepts only an object within the free-form limits (input.CheckFreeForm).
func (a *Attributes) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return &input.ValueError{Message: "must be an object"}
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		return &input.ValueError{Message: "must be an object"}
	}
	if problem := input.CheckFreeForm(compact.Bytes()); problem != nil {
		return problem
	}
	a.raw = compact.Bytes()
	return nil
}

// MarshalJSON writes the object.
func (a Attributes) MarshalJSON() ([]byte, error) {
	if len(a.raw) == 0 {
		return []byte("{}"), nil
	}
	return a.raw, nil
}

// Value stores the object as JSONB text.
func (a Attributes) Value() (driver.Value, error) {
	if len(a.raw) == 0 {
		return "{}", nil
	}
	return string(a.raw), nil
}

// Scan reads JSONB.
func (a *Attributes) Scan(src any) error {
	switch v := src.(type) {
	case []byte:
		a.raw = append(json.RawMessage(nil), v...)
	case string:
		a.raw = json.RawMessage(v)
	case nil:
		a.raw = nil
	default:
		return errors.New("product: attributes must be scanned from JSON")
	}
	return nil
}

// OpenAPISchema documents attributes as any JSON object.
func (Attributes) OpenAPISchema() *openapi3.Schema {
	s := openapi3.NewObjectSchema()
	yes := true
	s.AdditionalProperties = openapi3.AdditionalProperties{Has: &yes}
	s.Description = "Free-form attributes (a JSON object); filter with attr.<key>=<value>."
	return s
}
