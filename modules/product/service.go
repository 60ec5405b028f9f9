package product

import (
	"context"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/etag"
	"github.com/erp-foundation/erp/platform/i18n"
)

// Service implements the product use cases. Every read or write is a single statement that
// returns the product with its category; a write carries its audit context in the same round
// trip and commits on its own before the method returns (or joins a caller's db.Write).
type Service struct {
	db *database.DB
	tr *i18n.Translator
}

// NewService returns a service on db; tr knows the content languages.
func NewService(db *database.DB, tr *i18n.Translator) *Service { return &Service{db: db, tr: tr} }

// Create inserts a product with its translations. A duplicate SKU (any case) fails on
// uq_products_sku, an unknown category on fk_products_category_id.
func (s *Service) Create(ctx context.Context, in CreateRequest) (*Product, error) {
	isActive := true
	if in.IsActive.Set {
		isActive = in.IsActive.Value
	}
	out, err := change(ctx, s.db, `WITH p AS (
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
	out, err := read(ctx, s.db, selectProducts+"products p "+joinCategory+" WHERE p.id = $1", id)
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
	u := database.NewUpdate("products")
	u.SetIf(patch.SKU.Set, "sku", patch.SKU.Value)
	u.SetIf(patch.Name.Set, "name", patch.Name.Value)
	u.SetIf(patch.Description.Set, "description", patch.Description.Ptr())
	u.SetIf(patch.Price.Set, "price", patch.Price.Value)
	u.SetIf(patch.IsActive.Set, "is_active", patch.IsActive.Value)
	u.SetIf(patch.CategoryID.Set, "category_id", patch.CategoryID.Ptr())
	u.SetIf(patch.Attributes.Set, "attributes", patch.Attributes.Value)
	u.Where(cond.Condition(u.Arg))
	if u.Empty() {
		found, err := s.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if !cond.Allows(found.Version) {
			return nil, etag.Stale()
		}
		return found, nil
	}
	q, args := u.SQL(id, "*")
	out, err := change(ctx, s.db, "WITH p AS ("+q+")"+selectProducts+"p "+joinCategory, args...)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, etag.Explain(ctx, s.db, "products", id, ErrNotFound)
	}
	return &out[0], nil
}

// Delete removes a product. Returns ErrNotFound, or a 412 for a stale If-Match.
func (s *Service) Delete(ctx context.Context, id int64, cond *etag.Match) error {
	return etag.Delete(ctx, s.db, "products", id, cond, ErrNotFound)
}
