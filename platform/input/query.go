package input

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/erp-foundation/erp/platform/fault"
)

// ParseQuery is the service's one query-string parser: every route's parameters are read
// through it (as a middleware, after authentication and before anything else), so they behave
// the same everywhere. A parameter that is badly percent-encoded, not valid UTF-8 once decoded,
// or holds a NUL, and a parameter given twice, is a 400 naming it; nothing malformed ever
// reaches a handler or the database. Unknown parameters are left for handlers to ignore.
func ParseQuery(raw string) (url.Values, error) {
	// Bounded before anything is decoded: net/url would silently drop every parameter past its
	// 10,000th (a filter dropped is a list unfiltered), and each one costs the handler work.
	if len(raw) > MaxQueryBytes {
		return nil, fault.New(fault.BadRequest, fmt.Sprintf("The query string is longer than %d bytes.", MaxQueryBytes))
	}
	if countParams(raw) > MaxQueryParams {
		return nil, fault.New(fault.BadRequest, fmt.Sprintf("The query string has more than %d parameters.", MaxQueryParams))
	}
	values := url.Values{}
	var errs []fault.FieldError
	bad := func(name, msg string) {
		if !slices.ContainsFunc(errs, func(e fault.FieldError) bool { return e.Field == name }) {
			errs = append(errs, fault.Field(name, msg))
		}
	}
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		key, keyErr := url.QueryUnescape(rawKey)
		if keyErr != nil || !clean(key) {
			bad(printable(rawKey), "is not a valid parameter name (bad percent-encoding, invalid UTF-8 or NUL)")
			continue
		}
		value, err := url.QueryUnescape(rawValue)
		switch {
		case err != nil:
			bad(key, "is badly percent-encoded")
		case !utf8.ValidString(value):
			bad(key, "is not valid UTF-8")
		case strings.ContainsRune(value, 0):
			bad(key, "must not contain NUL characters")
		case values.Has(key):
			bad(key, "must be given once")
		default:
			values[key] = []string{value}
		}
	}
	if len(errs) > 0 {
		return nil, &fault.Error{Kind: fault.BadRequest, Detail: "The request has invalid query parameters.", Fields: errs}
	}
	return values, nil
}

// Bounds of a query string: no route takes more than a few dozen parameters (a list with every
// filter and 16 attribute filters stays well under both).
const (
	MaxQueryBytes  = 8 << 10
	MaxQueryParams = 64
)

// countParams counts the non-empty &-separated pairs of raw.
func countParams(raw string) int {
	n := 0
	for pair := range strings.SplitSeq(raw, "&") {
		if pair != "" {
			n++
		}
	}
	return n
}

func clean(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// printable shows a raw parameter name that does not decode as itself, escaped so that the
// problem document stays valid UTF-8.
func printable(raw string) string {
	if utf8.ValidString(raw) && !strings.ContainsRune(raw, 0) {
		return raw
	}
	return url.QueryEscape(raw)
}
