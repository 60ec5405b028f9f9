package product

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/listing"
	"github.com/erp-foundation/erp/platform/money"
)

// Filter narrows a product list. Every filter is served by an index.
type Filter struct {
	CategoryID *int64
	IsActive   *bool
	// Q matches sku or name (in Lang too), case-insensitively, as a substring.
	Q        string
	Lang     string
	MinPrice *money.Amount
	MaxPrice *money.Amount
	// Attributes must all match (attr.<key>=<value>).
	Attributes []AttributeFilter
}

// AttributeFilter is one attr.<key>=<value> condition.
type AttributeFilter struct {
	Key, Value string
}

// ListSpec is the sorting whitelist of GET /products.
func ListSpec() listing.Spec {
	return listing.Spec{
		Fields: []listing.Field{
			{Name: "id", Column: "p.id", Type: listing.Int},
			{Name: "sku", Column: "p.sku", Type: listing.String},
			{Name: "name", Column: "p.name", Type: listing.String},
			{Name: "price", Column: "p.price", Type: listing.Decimal},
			{Name: "created_at", Column: "p.created_at", Type: listing.Time},
			{Name: "updated_at", Column: "p.updated_at", Type: listing.Time},
		},
		DefaultSort: "id",
	}
}

// ParseFilter reads the filters of GET /products; every malformed one is reported (400).
func ParseFilter(q url.Values) (Filter, error) {
	var f Filter
	var errs []fault.FieldError
	bad := func(param, msg string) { errs = append(errs, fault.Field(param, msg)) }
	for name, values := range q {
		known := name == "category_id" || name == "is_active" || name == "q" || name == "min_price" ||
			name == "max_price" || strings.HasPrefix(name, "attr.")
		if !known {
			continue // paging and language parameters are read elsewhere; others are ignored
		}
		v := values[0] // input.ParseQuery refuses repeated parameters
		switch {
		case name == "category_id":
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id < 1 {
				bad(name, "must be a positive integer")
			}
			f.CategoryID = &id
		case name == "is_active":
			b, err := strconv.ParseBool(v)
			if err != nil || (v != "true" && v != "false") {
				bad(name, "must be true or false")
			}
			f.IsActive = &b
		case name == "q":
			f.Q = v
		case name == "min_price" || name == "max_price":
			a, err := money.Parse(v)
			if err != nil {
				bad(name, err.Error())
			} else if name == "min_price" {
				f.MinPrice = &a
			} else {
				f.MaxPrice = &a
			}
		case strings.HasPrefix(name, "attr."):
			key := strings.TrimPrefix(name, "attr.")
			if !validAttributeKey(key) {
				bad(name, "attribute keys are 1-64 characters of A-Z, a-z, 0-9, _ and -")
			}
			f.Attributes = append(f.Attributes, AttributeFilter{Key: key, Value: v})
		}
	}
	slices.SortFunc(f.Attributes, func(a, b AttributeFilter) int { return strings.Compare(a.Key, b.Key) })
	if len(f.Attributes) > MaxAttributeFilters {
		bad("attr."+f.Attributes[MaxAttributeFilters].Key, fmt.Sprintf("at most %d attr.<key> filters may be given", MaxAttributeFilters))
	}
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b fault.FieldError) int { return strings.Compare(a.Field, b.Field) })
		return f, &fault.Error{Kind: fault.BadRequest, Detail: "The request has invalid query parameters.", Fields: errs}
	}
	return f, nil
}

// List returns one page of products with their categories (one statement, plus one count when
// the page asks for the total).
func (s *Service) List(ctx context.Context, f Filter, p *listing.Page) ([]Product, int64, error) {
	db := s.db.Gorm(ctx)
	sql, args := database.Statement(s.listQuery(db, f, p), &[]Product{})
	rows, err := read(ctx, s.db, sql, args...)
	if err != nil {
		return nil, 0, err
	}
	var total int64
	if p.IncludeTotal {
		if err := s.filter(db.Table("products AS p"), f).Count(&total).Error; err != nil {
			return nil, 0, err
		}
	}
	return rows, total, nil
}

// listQuery selects one page: the page's rows are chosen first (filters, keyset, order, limit,
// offset on products alone) and joined to their categories afterwards, so OFFSET never joins
// skipped rows.
func (s *Service) listQuery(db *gorm.DB, f Filter, p *listing.Page) *gorm.DB {
	page := p.Apply(s.filter(db.Table("products AS p"), f).Select("p.*"))
	return db.Table("(?) AS p", page).Select(productColumns + ", " + categoryColumns).
		Joins(joinCategory).Order(p.OrderBy())
}

func (s *Service) filter(db *gorm.DB, f Filter) *gorm.DB {
	if f.CategoryID != nil {
		db = db.Where("p.category_id = ?", *f.CategoryID)
	}
	if f.IsActive != nil {
		db = db.Where("p.is_active = ?", *f.IsActive)
	}
	if f.Q != "" {
		pattern := listing.Contains(f.Q)
		name, args := s.tr.Search("p", "name", f.Lang, pattern)
		db = db.Where("(p.sku ILIKE ? OR "+name+")", append([]any{pattern}, args...)...)
	}
	if f.MinPrice != nil {
		db = db.Where("p.price >= ?", *f.MinPrice)
	}
	if f.MaxPrice != nil {
		db = db.Where("p.price <= ?", *f.MaxPrice)
	}
	if len(f.Attributes) > 0 {
		db = db.Where("p.attributes @@ ?::jsonpath", attributePath(f.Attributes))
	}
	return db
}

// MaxAttributeFilters bounds the attr.<key> filters of one request: each is a clause the
// planner weighs, and thousands of them kept a backend planning past any timeout.
const MaxAttributeFilters = 16

// attributePath is the one JSON path predicate (GIN jsonb_path_ops serves @@) that every
// attribute filter must satisfy: the attribute equals the value as a string, or as the JSON
// number or boolean the value spells. Keys are checked ([A-Za-z0-9_-]) and values written as
// JSON strings, so nothing in a filter can change the predicate's shape. Strict mode: an
// attribute that is missing does not match, and an array never matches a scalar.
func attributePath(filters []AttributeFilter) string {
	var b strings.Builder
	b.WriteString("strict ")
	for i, a := range filters {
		if i > 0 {
			b.WriteString(" && ")
		}
		str, _ := json.Marshal(a.Value)
		fmt.Fprintf(&b, `($."%s" == %s`, a.Key, str)
		if a.Value == "true" || a.Value == "false" || isJSONNumber(a.Value) {
			fmt.Fprintf(&b, ` || $."%s" == %s`, a.Key, a.Value)
		}
		b.WriteString(")")
	}
	return b.String()
}

// validAttributeKey accepts 1-64 characters of A-Z, a-z, 0-9, _ and -.
func validAttributeKey(k string) bool {
	if len(k) < 1 || len(k) > 64 {
		return false
	}
	for i := range len(k) {
		c := k[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

func isJSONNumber(s string) bool {
	if s == "" || !json.Valid([]byte(s)) {
		return false
	}
	return s[0] == '-' || (s[0] >= '0' && s[0] <= '9')
}
