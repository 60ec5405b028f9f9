package user

import (
	"context"
	"net/url"

	"gorm.io/gorm"

	"github.com/erp-foundation/erp/platform/auth"
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/listing"
)

// Filter narrows a user list.
type Filter struct {
	// Q matches email or full name, case-insensitively, as a substring.
	Q        string
	Role     string
	IsActive *bool
}

// ListSpec is the sorting whitelist of GET /users.
func ListSpec() listing.Spec {
	return listing.Spec{
		Fields: []listing.Field{
			{Name: "id", Column: "users.id", Type: listing.Int},
			{Name: "email", Column: "users.email", Type: listing.String},
			{Name: "created_at", Column: "users.created_at", Type: listing.Time},
		},
		DefaultSort: "id",
	}
}

// ParseFilter reads q, role and is_active (400 when malformed).
func ParseFilter(q url.Values) (Filter, error) {
	f := Filter{Q: q.Get("q"), Role: q.Get("role")}
	var errs []fault.FieldError
	if f.Role != "" && !(auth.Principal{Role: f.Role}).Has(auth.Roles()) {
		errs = append(errs, fault.Field("role", "must be admin, staff or viewer"))
	}
	if v, ok := q["is_active"]; ok {
		switch v[0] {
		case "true", "false":
			b := v[0] == "true"
			f.IsActive = &b
		default:
			errs = append(errs, fault.Field("is_active", "must be true or false"))
		}
	}
	if len(errs) > 0 {
		return f, &fault.Error{Kind: fault.BadRequest, Detail: "The request has invalid query parameters.", Fields: errs}
	}
	return f, nil
}

// List returns one page of users and, when asked, the number matching the filter.
func (s *Service) List(ctx context.Context, f Filter, p *listing.Page) ([]User, int64, error) {
	db := s.db.Gorm(ctx)
	filtered := func() *gorm.DB {
		q := db.Model(&User{})
		if f.Q != "" {
			pattern := listing.Contains(f.Q)
			q = q.Where("(users.email ILIKE ? OR users.full_name ILIKE ?)", pattern, pattern)
		}
		if f.Role != "" {
			q = q.Where("users.role = ?", f.Role)
		}
		if f.IsActive != nil {
			q = q.Where("users.is_active = ?", *f.IsActive)
		}
		return q
	}
	return listing.Find[User](p, filtered)
}
