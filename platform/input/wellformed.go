package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	if err := walkValue(dec, ""); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fault.New(fault.BadRequest, "The request body has data after the JSON value.")
	}
	return nil
}

// walkValue reads one value from dec, checking every object it contains for repeated keys.
func walkValue(dec *json.Decoder, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxProblem(dec, err)
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch delim {
	case '{':
		seen := map[string]bool{}
		for dec.More() {
			keyTok, err := dec.Token()
			if err != nil {
				return syntaxProblem(dec, err)
			}
			key, _ := keyTok.(string)
			if seen[key] {
				return &fault.Error{Kind: fault.BadRequest, Detail: "The request body names a key twice in one object.",
					Fields: []fault.FieldError{fault.Field(join(path, key), "is given twice")}}
			}
			seen[key] = true
			if err := walkValue(dec, join(path, key)); err != nil {
				return err
			}
		}
	case '[':
		for i := 0; dec.More(); i++ {
			if err := walkValue(dec, join(path, fmt.Sprint(i))); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return syntaxProblem(dec, err)
	}
	return nil
}

func syntaxProblem(dec *json.Decoder, err error) error {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fault.New(fault.BadRequest, fmt.Sprintf("The request body is not valid JSON (at byte %d).", syntax.Offset))
	}
	return fault.New(fault.BadRequest, fmt.Sprintf("The request body is not valid JSON (near byte %d).", dec.InputOffset()))
}
