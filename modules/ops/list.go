package ops

import (
	"context"

	"gorm.io/gorm"

	"github.com/erp-foundation/erp/platform/listing"
)

// List returns one page of backups, newest first by default.
func (s *Service) List(ctx context.Context, p *listing.Page) ([]Backup, int64, error) {
	db := s.owner.Gorm(ctx)
	return listing.Find[Backup](p, func() *gorm.DB { return db.Model(&Backup{}) })
}

// ListSpec is the sorting whitelist of GET /ops/backups.
func ListSpec() listing.Spec {
	return listing.Spec{
		Fields: []listing.Field{
			{Name: "id", Column: "backups.id", Type: listing.Int},
			{Name: "started_at", Column: "backups.started_at", Type: listing.Time},
		},
		DefaultSort: "-started_at",
	}
}
