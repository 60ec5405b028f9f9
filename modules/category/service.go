package category

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/erp-foundation/erp/platform/etag"
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/i18n"
	"github.com/erp-foundation/erp/platform/tx"
)

// Service implements the category use cases. Every method owns its transaction.
type Service struct {
	db *gorm.DB
	tr *i18n.Translator
}

// NewService returns a service on db; tr knows the content languages.
func NewService(db *gorm.DB, tr *i18n.Translator) *Service { return &Service{db: db, tr: tr} }

// Create inserts a category. A duplicate code (any case) fails on uq_categories_code and an
// unknown parent on fk_categories_parent_id; the error middleware names both.
func (s *Service) Create(ctx context.Context, in CreateRequest) (*Category, error) {
	c := Category{
		Code: in.Code, Name: in.Name, Description: in.Description.Ptr(), ParentID: in.ParentID.Ptr(),
		Translations: i18n.Build(in.Translations),
	}
	if err := tx.Conn(ctx, s.db).Clauses(clause.Returning{}).Create(&c).Error; err != nil {
		return nil, err
	}
	return &c, nil
}

// Get returns the category with id, or ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (*Category, error) {
	return tx.Get[Category](ctx, s.db, id, ErrNotFound)
}

// Update applies the fields present in patch. The version check and the change are one
// UPDATE, so of two racing updates with the same If-Match exactly one succeeds. Returns
// ErrNotFound, a 412 for a stale version, or a 422 when parent_id would create a cycle.
// An empty patch changes nothing (no version bump) but still honours If-Match.
func (s *Service) Update(ctx context.Context, id int64, patch UpdateRequest, cond *etag.Match) (*Category, error) {
	var c Category
	err := tx.Run(ctx, s.db, func(ctx context.Context) error {
		changes := patchColumns(patch)
		if len(changes) == 0 {
			found, err := s.Get(ctx, id)
			if err != nil {
				return err
			}
			if !cond.Allows(found.Version) {
				return etag.Stale()
			}
			c = *found
			return nil
		}
		if patch.ParentID.Present() {
			if err := s.lockTree(ctx); err != nil {
				return err
			}
		}
		q := tx.Conn(ctx, s.db).Model(&c).Clauses(clause.Returning{}).Where("id = ?", id)
		if cond.Restricts() {
			q = q.Where("version IN ?", cond.Versions)
		}
		res := q.Updates(changes)
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

// patchColumns maps the fields present in a PATCH body to columns. false, 0 and "" are kept;
// null clears the column.
func patchColumns(p UpdateRequest) map[string]any {
	m := map[string]any{}
	if p.Code.Set {
		m["code"] = p.Code.Value
	}
	if p.Name.Set {
		m["name"] = p.Name.Value
	}
	if p.Description.Set {
		m["description"] = p.Description.Ptr()
	}
	if p.ParentID.Set {
		m["parent_id"] = p.ParentID.Ptr()
	}
	return m
}

// Delete removes a category. A category still referenced by child categories or products is a
// 409 naming the foreign key. Returns ErrNotFound, or a 412 for a stale If-Match.
func (s *Service) Delete(ctx context.Context, id int64, cond *etag.Match) error {
	q := tx.Conn(ctx, s.db).Where("id = ?", id)
	if cond.Restricts() {
		q = q.Where("version IN ?", cond.Versions)
	}
	res := q.Delete(&Category{})
	if res.Error != nil {
		return fault.StillReferenced(res.Error)
	}
	if res.RowsAffected == 0 {
		return etag.Explain(ctx, s.db, "categories", id, ErrNotFound)
	}
	return nil
}
