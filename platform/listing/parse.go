// Package listing implements the conventions every list endpoint shares: limit and offset
// bounds, whitelisted multi-field sorting that always ends with id, signed keyset cursors that
// are bound to the sort and filters they were made with, include_total, and the response
// envelope {"items","limit","offset","next_cursor","total"}.
package listing

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/openapi"
)

// Bounds of the paging parameters.
const (
	DefaultLimit = 50
	MaxLimit     = 200
	MaxOffset    = 100000
)

// ValueType says how a sort field's value is carried in a cursor.
type ValueType int

// Sort field value types.
const (
	Int ValueType = iota + 1
	String
	Time
	Decimal
)

// Field is a sortable field: its API name and the SQL expression it sorts by. Sortable
// expressions must be NOT NULL (keyset paging compares them).
type Field struct {
	Name   string
	Column string
	Type   ValueType
}

// Spec describes one list endpoint's sorting: the whitelist and the default order.
type Spec struct {
	// Fields are the sortable fields; one of them must be named "id" (the tie-breaker).
	Fields []Field
	// DefaultSort is used when the request has no sort parameter, e.g. "id" or "-occurred_at".
	DefaultSort string
}

// SortKey is one ORDER BY term.
type SortKey struct {
	Field Field
	Desc  bool
}

// Page is a parsed list request.
type Page struct {
	Limit        int
	Offset       int
	Sort         []SortKey
	IncludeTotal bool
	// After holds the keyset values of the row the cursor points past, one per sort key, or
	// nil on a first page.
	After []any

	sortSpec    string
	fingerprint string
}

// Parse reads limit, offset, cursor, sort and include_total from q. Every problem is a 400
// naming the parameter.
func (c *Codec) Parse(q url.Values, spec Spec) (*Page, error) {
	p := &Page{Limit: DefaultLimit}
	var errs []fault.FieldError
	bad := func(param, msg string) { errs = append(errs, fault.Field(param, msg)) }

	if v, ok := single(q, "limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			bad("limit", "must be an integer from 1 to "+strconv.Itoa(MaxLimit))
		}
		p.Limit = n
	}
	_, hasOffset := q["offset"]
	if v, ok := single(q, "offset"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > MaxOffset {
			bad("offset", "must be an integer from 0 to "+strconv.Itoa(MaxOffset)+"; use the cursor for deeper pages")
		}
		p.Offset = n
	}
	if v, ok := single(q, "include_total"); ok {
		switch v {
		case "true":
			p.IncludeTotal = true
		case "false":
		default:
			bad("include_total", "must be true or false")
		}
	}
	sortSpec := spec.DefaultSort
	if v, ok := single(q, "sort"); ok {
		sortSpec = v
	}
	sort, msg := parseSort(sortSpec, spec)
	if msg != "" {
		bad("sort", msg)
	}
	p.Sort, p.sortSpec = sort, sortSpec
	p.fingerprint = fingerprint(q)

	if v, ok := single(q, "cursor"); ok {
		if hasOffset {
			bad("cursor", "cannot be combined with offset")
		} else if len(errs) == 0 {
			after, err := c.decode(v, p)
			if err != "" {
				bad("cursor", err)
			}
			p.After = after
		}
	}
	if len(errs) > 0 {
		return nil, &fault.Error{Kind: fault.BadRequest, Detail: "The request has invalid query parameters.", Fields: errs}
	}
	return p, nil
}

// single returns the value of a query parameter and whether it was given (input.ParseQuery
// has already refused repeated parameters).
func single(q url.Values, name string) (string, bool) {
	vs, ok := q[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

// parseSort turns "-created_at,price" into sort keys, appending id in the direction of the last
// key unless id is already there.
func parseSort(s string, spec Spec) ([]SortKey, string) {
	var keys []SortKey
	var seen []string
	var idField Field
	for _, f := range spec.Fields {
		if f.Name == "id" {
			idField = f
		}
	}
	for _, part := range strings.Split(s, ",") {
		desc := strings.HasPrefix(part, "-")
		name := strings.TrimPrefix(part, "-")
		i := slices.IndexFunc(spec.Fields, func(f Field) bool { return f.Name == name })
		if i < 0 {
			return nil, "must be a comma-separated list of " + fieldNames(spec) + ", each optionally prefixed with -"
		}
		if slices.Contains(seen, name) {
			return nil, "names " + name + " twice"
		}
		seen = append(seen, name)
		keys = append(keys, SortKey{Field: spec.Fields[i], Desc: desc})
	}
	if !slices.Contains(seen, "id") {
		keys = append(keys, SortKey{Field: idField, Desc: keys[len(keys)-1].Desc})
	}
	return keys, ""
}

func fieldNames(spec Spec) string {
	names := make([]string, len(spec.Fields))
	for i, f := range spec.Fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// fingerprint canonicalises the filter parameters (everything but paging) so that a cursor can
// only continue the listing it was made for.
func fingerprint(q url.Values) string {
	filters := url.Values{}
	for k, v := range q {
		if !isPagingParam(k) {
			filters[k] = v
		}
	}
	return filters.Encode()
}

// isPagingParam reports the query parameters that do not select rows; every other parameter is
// a filter that a cursor is bound to.
func isPagingParam(name string) bool {
	switch name {
	case "limit", "offset", "cursor", "include_total":
		return true
	}
	return false
}

// QueryParams documents the paging parameters of a list endpoint with the given spec.
func QueryParams(spec Spec) []openapi.Param {
	return []openapi.Param{
		{Name: "limit", Type: "integer", Description: "Page size, 1-200 (default 50)."},
		{Name: "offset", Type: "integer", Description: "Rows to skip, 0-100000; not with cursor."},
		{Name: "cursor", Description: "next_cursor of the previous page; repeat the same sort and filters."},
		{Name: "sort", Description: "Comma-separated fields, - for descending: " + fieldNames(spec) + ". Ties are broken by id."},
		{Name: "include_total", Type: "boolean", Description: "Also return the number of matching rows."},
	}
}

// JoinErrors reports the paging and the filter problems of one query string together, as one
// 400 listing every bad parameter. An error that is not a 400 is returned as is.
func JoinErrors(errs ...error) error {
	var fields []fault.FieldError
	for _, err := range errs {
		if err == nil {
			continue
		}
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Kind != fault.BadRequest {
			return err
		}
		fields = append(fields, fe.Fields...)
	}
	if len(fields) == 0 {
		return nil
	}
	return &fault.Error{Kind: fault.BadRequest, Detail: "The request has invalid query parameters.", Fields: fields}
}
