package input

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/optional"
)

type fuzzTarget struct {
	Name  string                 `json:"name" required:"true" minLength:"1" maxLength:"20"`
	Count optional.Field[int64]  `json:"count" minimum:"0"`
	Note  optional.Field[string] `json:"note" nullable:"true"`
	Inner *struct {
		Flag bool `json:"flag"`
	} `json:"inner"`
}

// FuzzDecodeBytes: whatever the body, the decoder answers nil, a 400 or a 422 that names
// fields, and never panics.
func FuzzDecodeBytes(f *testing.F) {
	for _, seed := range []string{
		`{"name":"a"}`, `{"name":"a","count":3,"note":null,"inner":{"flag":true}}`, `{"name":1}`,
		`{"name":"a","name":"b"}`, `{"x":[1,{"y":2}]}`, `[]`, `{`, "{\"name\":\"\x00\"}", `{"name":"a"} x`,
	} {
		f.Add([]byte(seed))
	}
	var d Decoder
	f.Fuzz(func(t *testing.T, body []byte) {
		var dst fuzzTarget
		err := d.DecodeBytes(body, &dst)
		if err == nil {
			if dst.Name == "" || utf8.RuneCountInString(dst.Name) > 20 {
				t.Fatalf("accepted an invalid name %q", dst.Name)
			}
			return
		}
		var fe *fault.Error
		switch k := fault.KindOf(err); k {
		case fault.BadRequest:
		case fault.Invalid:
			if !errorsAs(err, &fe) || len(fe.Fields) == 0 {
				t.Fatalf("a 422 without fields: %v", err)
			}
		default:
			t.Fatalf("unexpected kind %v: %v", k, err)
		}
	})
}

// FuzzParseQuery: a query string either parses into valid, NUL-free, single values that
// survive re-encoding, or is a 400 naming a parameter.
func FuzzParseQuery(f *testing.F) {
	for _, seed := range []string{"q=a&limit=5", "q=%FF", "q=a&q=b", "%zz", "a=%00", "x=caf%C3%A9&semi=a;b", "&&=&"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := ParseQuery(raw)
		if err != nil {
			var fe *fault.Error
			if !errorsAs(err, &fe) || fe.Kind != fault.BadRequest || len(fe.Fields) == 0 {
				t.Fatalf("not a 400 naming a parameter: %v", err)
			}
			return
		}
		for k, vs := range v {
			if len(vs) != 1 || !utf8.ValidString(k) || !utf8.ValidString(vs[0]) {
				t.Fatalf("bad value for %q: %q", k, vs)
			}
		}
		again, err := ParseQuery(v.Encode())
		if err != nil || len(again) != len(v) {
			t.Fatalf("re-encoding changed the query: %v", err)
		}
		for k := range v {
			if again.Get(k) != v.Get(k) {
				t.Fatalf("re-encoding changed %q", k)
			}
		}
		// Without a semicolon, net/url (which gin's handlers read) sees exactly these values,
		// so the HTTP layer need not re-encode the query (httpserver's checkQuery).
		if !strings.Contains(raw, ";") {
			std, err := url.ParseQuery(raw)
			if err != nil || !reflect.DeepEqual(map[string][]string(std), map[string][]string(v)) {
				t.Fatalf("net/url reads %q as %v (%v), the checked parser as %v", raw, std, err, v)
			}
		}
	})
}

func errorsAs(err error, target **fault.Error) bool { return errors.As(err, target) }
