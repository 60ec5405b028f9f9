package audit

import (
	"context"

	"github.com/erp-foundation/erp/platform/auth"
	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/listing"
)

// Service reads the audit trail.
type Service struct {
	db *database.DB
}

// NewService returns a service reading events through db.
func NewService(db *database.DB) *Service { return &Service{db: db} }

// Visible narrows f to what caller may read: admins read every event; anyone else reads only
// the events they caused. It reports false when f asks for another actor's events (the answer
// is then an empty list, not an error).
func Visible(caller auth.Principal, f Filter) (Filter, bool) {
	if caller.Role == auth.RoleAdmin {
		return f, true
	}
	if f.ActorUserID != nil && *f.ActorUserID != caller.UserID {
		return f, false
	}
	self := caller.UserID
	f.ActorUserID = &self
	return f, true
}

// ListFor returns one page of the events caller may read that match f.
func (s *Service) ListFor(ctx context.Context, caller auth.Principal, f Filter, p *listing.Page) ([]Event, int64, error) {
	f, ok := Visible(caller, f)
	if !ok {
		return nil, 0, nil
	}
	return s.List(ctx, f, p)
}
