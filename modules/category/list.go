package category

import (
	"context"
	"net/url"
	"strconv"

	"gorm.io/gorm"

	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/listing"
)

// Filter narrows a category list.
type Filter struct {
	// ParentID lists the children of one category.
	ParentID *int64
	// RootsOnly lists categories without a parent (parent_id=null).
	RootsOnly bool
	// Q matches code or name (in Lang too), case-insensitively, as a substring.
	Q string
	// Lang is the language of the request, for searching translated names.
	Lang string
}

// ListSpec is the sorting whitelist of GET /categories.
func ListSpec() listing.Spec {
	return listing.Spec{
		Fields: []listing.Field{
			{Name: "id", Column: "categories.id", Type: listing.Int},
			{Name: "code", Column: "categories.code", Type: listing.String},
			{Name: "name", Column: "categories.name", Type: listing.String},
			{Name: "created_at", Column: "categories.created_at", Type: listing.Time},
			{Name: "updated_at", Column: "categories.updated_at", Type: listing.Time},
		},
		DefaultSort: "id",
	}
}

// ParseFilter reads parent_id and q; a malformed parent_id is a 400.
func ParseFilter(q url.Values) (Filter, error) {
	var f Filter
	f.Q = q.Get("q")
	if v, ok := q["parent_id"]; ok {
		switch id, err := strconv.ParseInt(v[0], 10, 64); {
		case v[0] == "null":
			f.RootsOnly = true
		case err != nil || id < 1:
			return f, &fault.Error{Kind: fault.BadRequest, Detail: "The request has invalid query parameters.",
				Fields: []fault.FieldError{{Field: "parent_id", Message: "must be a positive integer or null"}}}
		default:
			f.ParentID = &id
		}
	}
	return f, nil
}

// List returns one page of categories (with one look-ahead row, see listing.Finish) and, when
// the page asks for it, the number of categories matching the filter.
func (s *Service) List(ctx context.Context, f Filter, p *listing.Page) ([]Category, int64, error) {
	db := s.db.Gorm(ctx)
	filtered := func() *gorm.DB { return s.filter(db.Model(&Category{}), f) }
	return listing.Find[Category](p, filtered)
}

func (s *Service) filter(db *gorm.DB, f Filter) *gorm.DB {
	if f.ParentID != nil {
		db = db.Where("categories.parent_id = ?", *f.ParentID)
	}
	if f.RootsOnly {
		db = db.Where("categories.parent_id IS NULL")
	}
	if f.Q != "" {
		pattern := listing.Contains(f.Q)
		name, args := s.tr.Search("categories", "name", f.Lang, pattern)
		db = db.Where("(categories.code ILIKE ? OR "+name+")", append([]any{pattern}, args...)...)
	}
	return db
}
