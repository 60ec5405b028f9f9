package category

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/etag"
	"github.com/erp-foundation/erp/platform/i18n"
)

// Service implements the category use cases. Every write runs in db.Write, which records the
// audit context in the same transaction.
type Service struct {
	db *database.DB
	tr *i18n.Translator
}

// NewService returns a service on db; tr knows the content languages.
func NewService(db *database.DB, tr *i18n.Translator) *Service { return &Service{db: db, tr: tr} }

// Create inserts a category. A duplicate code (any case) fails on uq_categories_code and an
// unknown parent on fk_categories_parent_id; the error middleware names both.
func (s *Service) Create(ctx context.Context, in CreateRequest) (*Category, error) {
	c := Category{
		Code: in.Code, Name: in.Name, Description: in.Description.Ptr(), ParentID: in.ParentID.Ptr(),
		Translations: i18n.Build(in.Translations),
	}
	err := s.db.Write(ctx, func(ctx context.Context) error {
		return s.db.Gorm(ctx).Clauses(clause.Returning{}).Create(&c).Error
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Get returns the category with id, or ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (*Category, error) {
	return database.Get[Category](ctx, s.db, id, ErrNotFound)
}

// Update applies the fields present in patch. The version check and the change are one
// UPDATE, so of two racing updates with the same If-Match exactly one succeeds. Returns
// ErrNotFound, a 412 for a stale version, or a 422 when parent_id would create a cycle.
// An empty patch changes nothing (no version bump) but still honours If-Match.
func (s *Service) Update(ctx context.Context, id int64, patch UpdateRequest, cond *etag.Match) (*Category, error) {
	u := database.NewUpdate("categories")
	u.SetIf(patch.Code.Set, "code", patch.Code.Value)
	u.SetIf(patch.Name.Set, "name", patch.Name.Value)
	u.SetIf(patch.Description.Set, "description", patch.Description.Ptr())
	u.SetIf(patch.ParentID.Set, "parent_id", patch.ParentID.Ptr())
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
	var c Category
	err := s.db.Write(ctx, func(ctx context.Context) error {
		if patch.ParentID.Present() {
			if err := s.lockTree(ctx); err != nil {
				return err
			}
		}
		q, args := u.SQL(id, "*")
		res := s.db.Gorm(ctx).Raw(q, args...).Scan(&c)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return etag.Explain(ctx, s.db, "categories", id, ErrNotFound)
		}
		if patch.ParentID.Present() {
			return s.checkNoCycle(ctx, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Delete removes a category. A category still referenced by child categories or products is a
// 409 naming the foreign key. Returns ErrNotFound, or a 412 for a stale If-Match.
func (s *Service) Delete(ctx context.Context, id int64, cond *etag.Match) error {
	return etag.Delete(ctx, s.db, "categories", id, cond, ErrNotFound)
}
