package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/erp-foundation/erp/platform/fault"
)

// wellFormedObject rejects, with 400, everything that is not exactly one JSON object in UTF-8
// whose objects (at any depth) name each key once: a repeated key is ambiguous (parsers keep
// the first or the last), and {"role":"viewer","role":"admin"} must never create an admin.
func wellFormedObject(body []byte) error {
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return fault.New(fault.BadRequest, "A JSON request body is required.")
	case !utf8.Valid(body):
		return fault.New(fault.BadRequest, "The request body is not valid UTF-8.")
	case trimmed[0] != '{':
		if !json.Valid(trimmed) {
			return fault.New(fault.BadRequest, "The request body is not valid JSON.")
		}
		return fault.New(fault.BadRequest, "The request body must be a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := walkValue(dec); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fault.New(fault.BadRequest, "The request body has data after the JSON value.")
	}
	return nil
}

// MaxBodyDepth bounds how deeply a request body nests: no DTO comes close (free-form
// attributes stop at FreeFormMaxDepth inside a field), and a bound checked while scanning keeps
// a body of nothing but brackets from costing memory that grows with its depth.
const MaxBodyDepth = 32

// walker checks one body token by token. path holds the keys and indices leading to the current
// value (at most MaxBodyDepth of them); a dotted path is built only for an error.
type walker struct {
	dec  *json.Decoder
	path []string
}

// walkValue reads one value from dec, checking every object it contains for repeated keys.
func walkValue(dec *json.Decoder) error {
	w := walker{dec: dec, path: make([]string, 0, MaxBodyDepth)}
	return w.value()
}

func (w *walker) value() error {
	tok, err := w.dec.Token()
	if err != nil {
		return syntaxProblem(w.dec, err)
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if len(w.path) >= MaxBodyDepth {
		return fault.Validation(fault.Field(orRoot(strings.Join(w.path, ".")),
			fmt.Sprintf("nests deeper than %d levels", MaxBodyDepth)))
	}
	switch delim {
	case '{':
		var seen map[string]struct{}
		for w.dec.More() {
			keyTok, err := w.dec.Token()
			if err != nil {
				return syntaxProblem(w.dec, err)
			}
			key, _ := keyTok.(string)
			if seen == nil {
				seen = map[string]struct{}{}
			}
			if _, twice := seen[key]; twice {
				return &fault.Error{Kind: fault.BadRequest, Detail: "The request body names a key twice in one object.",
					Fields: []fault.FieldError{fault.Field(strings.Join(append(w.path, key), "."), "is given twice")}}
			}
			seen[key] = struct{}{}
			if err := w.member(key); err != nil {
				return err
			}
		}
	case '[':
		for i := 0; w.dec.More(); i++ {
			if err := w.member(strconv.Itoa(i)); err != nil {
				return err
			}
		}
	}
	if _, err := w.dec.Token(); err != nil { // the closing delimiter
		return syntaxProblem(w.dec, err)
	}
	return nil
}

// member walks the value under key (or index) of the current object (or array).
func (w *walker) member(key string) error {
	w.path = append(w.path, key)
	err := w.value()
	w.path = w.path[:len(w.path)-1]
	return err
}

func syntaxProblem(dec *json.Decoder, err error) error {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fault.New(fault.BadRequest, fmt.Sprintf("The request body is not valid JSON (at byte %d).", syntax.Offset))
	}
	return fault.New(fault.BadRequest, fmt.Sprintf("The request body is not valid JSON (near byte %d).", dec.InputOffset()))
}
