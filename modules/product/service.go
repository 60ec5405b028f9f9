package product

import (
	"context"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/erp-foundation/erp/platform/etag"
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/i18n"
	"github.com/erp-foundation/erp/platform/tx"
)

// Service implements the product use cases. Every read or write is a single statement that
// returns the product with its category: outside a caller's transaction it commits on its own
// before the method returns (tx.Conn joins a caller's transaction when there is one).
type Service struct {
	db *gorm.DB
	tr *i18n.Translator
}

// NewService returns a service on db; tr knows the content languages.
func NewService(db *gorm.DB, tr *i18n.Translator) *Service { return &Service{db: db, tr: tr} }

// Create inserts a product with its translations. A duplicate SKU (any case) fails on
// uq_products_sku, an unknown category on fk_products_category_id.
func (s *Service) Create(ctx context.Context, in CreateRequest) (*Product, error) {
	isActive := true
	if in.IsActive.Set {
		isActive = in.IsActive.Value
	}
	out, err := queryRaw(ctx, s.db, `WITH p AS (
			INSERT INTO products (sku, name, description, price, is_active, category_id, attributes, translations)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *
		)`+selectProducts+"p "+joinCategory,
		in.SKU, in.Name, in.Description.Ptr(), in.Price, isActive, in.CategoryID.Ptr(),
		in.Attributes.Value, i18n.Build(in.Translations))
	if err != nil {
		return nil, err
	}
	return &out[0], nil
}

// Get returns the product with id and its category, or ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (*Product, error) {
	out, err := queryRaw(ctx, s.db, selectProducts+"products p "+joinCategory+" WHERE p.id = $1", id)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	return &out[0], nil
}

// Update applies the fields present in patch in one UPDATE that also checks If-Match, so of
// two racing updates with the same version exactly one succeeds. An empty patch changes
// nothing (no version bump) but still honours If-Match. Returns ErrNotFound or a 412.
func (s *Service) Update(ctx context.Context, id int64, patch UpdateRequest, cond *etag.Match) (*Product, error) {
	sets, args := patchColumns(patch)
	if len(sets) == 0 {
		found, err := s.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if !cond.Allows(found.Version) {
			return nil, etag.Stale()
		}
		return found, nil
	}
	args = append(args, id)
	where := " WHERE id = $" + strconv.Itoa(len(args))
	if cond.Restricts() {
		args = append(args, versions(cond))
		where += " AND version = ANY($" + strconv.Itoa(len(args)) + ")"
	}
	out, err := queryRaw(ctx, s.db, "WITH p AS (UPDATE products SET "+strings.Join(sets, ", ")+where+
		" RETURNING *)"+selectProducts+"p "+joinCategory, args...)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, etag.Explain(ctx, s.db, "products", id, ErrNotFound)
	}
	return &out[0], nil
}

// patchColumns maps the fields present in a PATCH body to SET clauses, in a fixed order.
func patchColumns(p UpdateRequest) ([]string, []any) {
	var sets []string
	var args []any
	add := func(set bool, column string, value any) {
		if set {
			args = append(args, value)
			sets = append(sets, column+" = $"+strconv.Itoa(len(args)))
		}
	}
	add(p.SKU.Set, "sku", p.SKU.Value)
	add(p.Name.Set, "name", p.Name.Value)
	add(p.Description.Set, "description", p.Description.Ptr())
	add(p.Price.Set, "price", p.Price.Value)
	add(p.IsActive.Set, "is_active", p.IsActive.Value)
	add(p.CategoryID.Set, "category_id", p.CategoryID.Ptr())
	add(p.Attributes.Set, "attributes", p.Attributes.Value)
	return sets, args
}

// Delete removes a product. Returns ErrNotFound, or a 412 for a stale If-Match.
func (s *Service) Delete(ctx context.Context, id int64, cond *etag.Match) error {
	q := tx.Conn(ctx, s.db).Where("id = ?", id)
	if cond.Restricts() {
		q = q.Where("version IN ?", cond.Versions)
	}
	res := q.Delete(&Product{})
	if res.Error != nil {
		return fault.StillReferenced(res.Error)
	}
	if res.RowsAffected == 0 {
		return etag.Explain(ctx, s.db, "products", id, ErrNotFound)
	}
	return nil
}

// versions is an If-Match's versions as a Postgres int4[] literal for "= ANY($n)" (a text
// parameter, so that database/sql passes it as is).
func versions(cond *etag.Match) string {
	parts := make([]string, len(cond.Versions))
	for i, v := range cond.Versions {
		parts[i] = strconv.Itoa(int(v))
	}
	return "{" + strings.Join(parts, ",") + "}"
}
