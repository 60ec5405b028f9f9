package etag

import (
	"context"

	"gorm.io/gorm"

	"github.com/erp-foundation/erp/platform/tx"
)

// Explain says why an UPDATE or DELETE guarded by id (and If-Match) touched no row of table:
// the row does not exist (notFound) or its version has moved on (412). table is a trusted
// identifier from code.
func Explain(ctx context.Context, db *gorm.DB, table string, id int64, notFound error) error {
	var exists bool
	if err := tx.Conn(ctx, db).Raw("SELECT EXISTS (SELECT 1 FROM "+table+" WHERE id = ?)", id).Scan(&exists).Error; err != nil {
		return err
	}
	if exists {
		return Stale()
	}
	return notFound
}
