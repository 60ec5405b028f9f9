package product

import (
	"context"
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
	out, err := query(tx.Conn(ctx, s.db).Raw(`WITH p AS (
			INSERT INTO products (sku, name, description, price, is_active, category_id, attributes, translations)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *
		)`+selectProducts+"p "+joinCategory,
		in.SKU, in.Name, in.Description.Ptr(), in.Price, isActive, in.CategoryID.Ptr(),
		in.Attributes.Value, i18n.Build(in.Translations)))
	if err != nil {
		return nil, err
	}
	return &out[0], nil
}

// Get returns the product with id and its category, or ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (*Product, error) {
	out, err := query(tx.Conn(ctx, s.db).Raw(selectProducts+"products p "+joinCategory+" WHERE p.id = ?", id))
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
	where := " WHERE id = ?"
	args = append(args, id)
	if cond.Restricts() {
		where += " AND version IN ?"
		args = append(args, cond.Versions)
	}
	out, err := query(tx.Conn(ctx, s.db).Raw("WITH p AS (UPDATE products SET "+strings.Join(sets, ", ")+where+
		" RETURNING *)"+selectProducts+"p "+joinCategory, args...))
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
			sets = append(sets, column+" = ?")
			args = append(args, value)
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
