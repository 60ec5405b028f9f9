package product

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/i18n"
)

// The product read: the row and its category in one statement, whatever the page size.
const (
	productColumns  = "p.id, p.sku, p.name, p.description, p.price, p.is_active, p.category_id, p.attributes, p.version, p.created_at, p.updated_at, p.translations"
	categoryColumns = "c.code AS category_code, c.name AS category_name, c.translations AS category_translations"
	joinCategory    = "LEFT JOIN categories c ON c.id = p.category_id"
	selectProducts  = "SELECT " + productColumns + ", " + categoryColumns + " FROM "
)

// read runs a statement (fixed SQL or one GORM built, see database.Statement) that selects
// productColumns and categoryColumns, in that order, and scans the rows by position with pgx:
// reads of one product happen on every request, and skipping reflection and database/sql's
// conversions there is most of their cost.
func read(ctx context.Context, db *database.DB, sql string, args ...any) ([]Product, error) {
	s := newScanner()
	err := db.Query(ctx, sql, args, s.row)
	return s.out, err
}

// change runs one write statement that returns productColumns and categoryColumns (see read),
// with its audit context in the same round trip.
func change(ctx context.Context, db *database.DB, sql string, args ...any) ([]Product, error) {
	s := newScanner()
	_, err := db.Change(ctx, sql, args, s.row)
	return s.out, err
}

// scanner collects products; products of one category share one CategoryRef, so its
// translations decode once per page.
type scanner struct {
	out        []Product
	categories map[int64]*CategoryRef
}

func newScanner() *scanner { return &scanner{out: make([]Product, 0, 1)} }

func (s *scanner) row(row pgx.CollectableRow) error {
	var p Product
	var code, name *string
	var categoryTranslations i18n.Translations
	err := row.Scan(&p.ID, &p.SKU, &p.Name, &p.Description, &p.Price, &p.IsActive, &p.CategoryID,
		&p.Attributes, &p.Version, &p.CreatedAt, &p.UpdatedAt, &p.Translations,
		&code, &name, &categoryTranslations)
	if err != nil {
		return err
	}
	if p.CategoryID != nil && code != nil {
		ref, seen := s.categories[*p.CategoryID]
		if !seen {
			ref = &CategoryRef{ID: *p.CategoryID, Code: *code, Name: *name, Translations: categoryTranslations}
			if s.categories == nil {
				s.categories = map[int64]*CategoryRef{}
			}
			s.categories[*p.CategoryID] = ref
		}
		p.Category = ref
	}
	s.out = append(s.out, p)
	return nil
}
