// Package etag implements optimistic locking on versioned rows: a row's entity tag is its
// version in quotes ("3"), and an If-Match header becomes a Match that a service checks in the
// same statement as its UPDATE or DELETE.
package etag

import (
	"strconv"
	"strings"

	"github.com/erp-foundation/erp/platform/fault"
)

// Of returns the strong entity tag of a version.
func Of(version int32) string { return `"` + strconv.FormatInt(int64(version), 10) + `"` }

// Match is a parsed If-Match header. A nil *Match means the request set no precondition.
type Match struct {
	// Any is true for If-Match: *, which matches any existing row.
	Any bool
	// Versions are the versions the client accepts; a tag that is not a version matches none.
	Versions []int32
}

// ParseIfMatch parses an If-Match header value; "" gives nil. A malformed header is a 400.
func ParseIfMatch(header string) (*Match, error) {
	header = strings.TrimSpace(header)
	if header == "" {
		return nil, nil //nolint:nilnil // no header, no precondition
	}
	if header == "*" {
		return &Match{Any: true}, nil
	}
	m := &Match{Versions: []int32{}}
	for _, part := range strings.Split(header, ",") {
		tag := strings.TrimSpace(part)
		weak := strings.HasPrefix(tag, "W/")
		tag = strings.TrimPrefix(tag, "W/")
		if len(tag) < 2 || tag[0] != '"' || tag[len(tag)-1] != '"' || strings.Contains(tag[1:len(tag)-1], `"`) {
			return nil, &fault.Error{Kind: fault.BadRequest, Detail: `If-Match must be * or a list of entity tags such as "3".`,
				Fields: []fault.FieldError{{Field: "If-Match", Message: "is malformed"}}}
		}
		if weak { // If-Match compares strongly: a weak tag never matches
			continue
		}
		if v, err := strconv.ParseInt(tag[1:len(tag)-1], 10, 32); err == nil {
			m.Versions = append(m.Versions, int32(v))
		}
	}
	return m, nil
}

// Allows reports whether a row at version satisfies the precondition.
func (m *Match) Allows(version int32) bool {
	if m == nil || m.Any {
		return true
	}
	for _, v := range m.Versions {
		if v == version {
			return true
		}
	}
	return false
}

// Restricts reports whether the precondition limits versions (not absent, not *).
func (m *Match) Restricts() bool { return m != nil && !m.Any }

// Stale is the error for a failed precondition.
func Stale() error {
	return fault.New(fault.PreconditionFailed, "The resource has changed since you read it (If-Match does not match its ETag).")
}

// Condition is the SQL condition that enforces m in the statement that changes the row, with
// its parameter taken from arg ($n); "" when m does not restrict versions.
func (m *Match) Condition(arg func(any) string) string {
	if !m.Restricts() {
		return ""
	}
	return "version = ANY(" + arg(m.Versions) + "::int[])"
}
