// Package input decodes and validates JSON request bodies strictly, as the API contract asks:
// malformed JSON is a 400; well-formed JSON with wrong types, missing required fields, invalid
// values or unknown fields (at any depth) is a 422 that lists every invalid field at once, by
// its dotted JSON path. Validation rules come from struct tags named after the OpenAPI
// keywords (required, nullable, minLength, maxLength, pattern, minimum, maximum, enum, format).
package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/erp-foundation/erp/platform/fault"
)

// Validator is implemented by DTOs with rules that tags cannot express (cross-field rules,
// values checked by a custom type). It runs after decoding, and its errors join the others.
type Validator interface {
	Validate() []fault.FieldError
}

// Decoder reads request bodies into DTO structs. Its zero value is ready to use.
type Decoder struct {
	Inspector Inspector
}

// Decode reads r's body into dst, a pointer to a struct. Errors are *fault.Error values: 415
// for a missing or non-JSON content type, 413 past the body limit (set by the server's
// http.MaxBytesReader), 400 for malformed JSON, 422 listing every invalid field.
func (d *Decoder) Decode(r *http.Request, dst any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	return d.DecodeBytes(body, dst)
}

// readBody checks the content type and reads the body within the server's limit.
func readBody(r *http.Request) ([]byte, error) {
	if err := checkContentType(r); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, fault.New(fault.TooLarge, fmt.Sprintf("The request body is larger than %d bytes.", tooLarge.Limit))
		}
		return nil, fault.New(fault.BadRequest, "The request body could not be read.")
	}
	return body, nil
}

// DecodeBytes is Decode for a body already read.
func (d *Decoder) DecodeBytes(body []byte, dst any) error {
	if err := wellFormedObject(body); err != nil {
		return err
	}
	v := reflect.ValueOf(dst).Elem()
	var errs []fault.FieldError
	d.decodeObject("", body, v, d.Inspector.Struct(v.Type()), &errs)
	if val, ok := dst.(Validator); ok {
		errs = append(errs, val.Validate()...)
	}
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b fault.FieldError) int { return strings.Compare(a.Field, b.Field) })
		errs = slices.CompactFunc(errs, func(a, b fault.FieldError) bool { return a.Field == b.Field })
		return fault.Validation(errs...)
	}
	return nil
}

// checkContentType accepts application/json with any parameters, and for PATCH also
// application/merge-patch+json.
func checkContentType(r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err == nil && (mt == "application/json" || r.Method == http.MethodPatch && mt == "application/merge-patch+json") {
		return nil
	}
	return fault.New(fault.UnsupportedMedia, "The request body must be sent with Content-Type: application/json.")
}

// decodeObject decodes a JSON object into the struct v, recording problems under path.
func (d *Decoder) decodeObject(path string, raw []byte, v reflect.Value, info *StructInfo, errs *[]fault.FieldError) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil || members == nil {
		*errs = append(*errs, fault.Field(orRoot(path), "must be an object"))
		return
	}
	for name, value := range members {
		f, ok := info.Field(name)
		if !ok {
			*errs = append(*errs, fault.Field(join(path, name), "unknown field"))
			continue
		}
		d.decodeField(join(path, name), value, v.Field(f.Index), f, errs)
	}
	for _, f := range info.Fields {
		if _, present := members[f.Name]; f.Rules.Required && !present {
			*errs = append(*errs, fault.Field(join(path, f.Name), "is required"))
		}
	}
}

func (d *Decoder) decodeField(path string, raw json.RawMessage, fv reflect.Value, f FieldInfo, errs *[]fault.FieldError) {
	if bytes.Equal(raw, []byte("null")) && !f.Rules.Nullable {
		msg := "must not be null"
		if f.Rules.Required {
			msg = "is required"
		}
		*errs = append(*errs, fault.Field(path, msg))
		return
	}
	switch f.kind {
	case kindObject:
		d.decodeObject(path, raw, fv, f.elem, errs)
	case kindMapOfObject:
		d.decodeMapOfObjects(path, raw, fv, f.elem, errs)
	default:
		if err := json.Unmarshal(raw, fv.Addr().Interface()); err != nil {
			var ve *ValueError
			if errors.As(err, &ve) && ve.Path != "" {
				path = join(path, ve.Path)
			}
			*errs = append(*errs, fault.Field(path, typeMessage(err)))
			return
		}
		for _, msg := range checkRules(fv, f.Rules) {
			*errs = append(*errs, fault.Field(path, msg))
		}
	}
}

func (d *Decoder) decodeMapOfObjects(path string, raw []byte, fv reflect.Value, elem *StructInfo, errs *[]fault.FieldError) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil || members == nil {
		*errs = append(*errs, fault.Field(path, "must be an object"))
		return
	}
	m := reflect.MakeMapWithSize(fv.Type(), len(members))
	for key, value := range members {
		entry := reflect.New(elem.Type).Elem()
		d.decodeObject(join(path, key), value, entry, elem, errs)
		m.SetMapIndex(reflect.ValueOf(key).Convert(fv.Type().Key()), entry)
	}
	fv.Set(m)
}

// ValueError lets a type with its own UnmarshalJSON (money, say) explain what is wrong with a
// value; its message becomes the field's message. Path, when set, names the part of the value
// at fault (a key inside a free-form object), appended to the field's path.
type ValueError struct {
	Message string
	Path    string
}

// Error implements error.
func (e *ValueError) Error() string { return e.Message }

func typeMessage(err error) string {
	var ve *ValueError
	if errors.As(err, &ve) {
		return ve.Message
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "must be " + typeName(te.Type)
	}
	return "has an invalid value"
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	default:
		return "a valid value"
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func orRoot(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

// Object reads r's body as one JSON object whose members are checked by the caller (bodies
// whose allowed fields are known only at run time, such as translations). Errors are as for
// Decode: 415, 413, 400.
func (d *Decoder) Object(r *http.Request) (map[string]json.RawMessage, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if err := wellFormedObject(body); err != nil {
		return nil, err
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return nil, fault.New(fault.BadRequest, "The request body is not valid JSON.")
	}
	return members, nil
}

// Join merges validation errors: when err is a 422 or nil, the extra field errors join it into
// one 422 that lists every field; any other error (400, 413, 415...) is returned unchanged.
func Join(err error, extra []fault.FieldError) error {
	var fe *fault.Error
	if err != nil && (!errors.As(err, &fe) || fe.Kind != fault.Invalid) {
		return err
	}
	if len(extra) == 0 {
		return err
	}
	var fields []fault.FieldError
	if fe != nil {
		fields = fe.Fields
	}
	fields = append(slices.Clone(fields), extra...)
	slices.SortStableFunc(fields, func(a, b fault.FieldError) int { return strings.Compare(a.Field, b.Field) })
	return fault.Validation(fields...)
}
