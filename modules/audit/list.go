package audit

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/listing"
)

// Filter narrows the audit list. Since is inclusive, Until exclusive.
type Filter struct {
	EntityType  string
	EntityID    *int64
	ActorUserID *int64
	Action      string
	Since       *time.Time
	Until       *time.Time
}

// ListSpec is the sorting whitelist of GET /audit-events: newest first by default.
func ListSpec() listing.Spec {
	return listing.Spec{
		Fields: []listing.Field{
			{Name: "id", Column: "audit_events.id", Type: listing.Int},
			{Name: "occurred_at", Column: "audit_events.occurred_at", Type: listing.Time},
		},
		DefaultSort: "-occurred_at",
	}
}

// ParseFilter reads entity_type, entity_id, actor_user_id, action, since and until (400 when
// malformed).
func ParseFilter(q url.Values) (Filter, error) {
	var f Filter
	var errs []fault.FieldError
	bad := func(name, msg string) { errs = append(errs, fault.Field(name, msg)) }
	f.EntityType = q.Get("entity_type")
	if v := q.Get("action"); v != "" {
		if v != "create" && v != "update" && v != "delete" {
			bad("action", "must be create, update or delete")
		}
		f.Action = v
	}
	id := func(name string) *int64 {
		if !q.Has(name) {
			return nil
		}
		n, err := strconv.ParseInt(q.Get(name), 10, 64)
		if err != nil || n < 1 {
			bad(name, "must be a positive integer")
			return nil
		}
		return &n
	}
	f.EntityID, f.ActorUserID = id("entity_id"), id("actor_user_id")
	at := func(name string) *time.Time {
		if !q.Has(name) {
			return nil
		}
		t, err := time.Parse(time.RFC3339Nano, q.Get(name))
		if err != nil {
			bad(name, "must be an RFC 3339 timestamp such as 2026-12-01T00:00:00Z")
			return nil
		}
		return &t
	}
	f.Since, f.Until = at("since"), at("until")
	if len(errs) > 0 {
		return f, &fault.Error{Kind: fault.BadRequest, Detail: "The request has invalid query parameters.", Fields: errs}
	}
	return f, nil
}

// List returns one page of events matching f (and the total when asked).
func (s *Service) List(ctx context.Context, f Filter, p *listing.Page) ([]Event, int64, error) {
	db := s.db.Gorm(ctx)
	filtered := func() *gorm.DB {
		q := db.Model(&Event{})
		if f.EntityType != "" {
			q = q.Where("audit_events.entity_type = ?", f.EntityType)
		}
		if f.EntityID != nil {
			q = q.Where("audit_events.entity_id = ?", *f.EntityID)
		}
		if f.ActorUserID != nil {
			q = q.Where("audit_events.actor_user_id = ?", *f.ActorUserID)
		}
		if f.Action != "" {
			q = q.Where("audit_events.action = ?", f.Action)
		}
		if f.Since != nil {
			q = q.Where("audit_events.occurred_at >= ?", *f.Since)
		}
		if f.Until != nil {
			q = q.Where("audit_events.occurred_at < ?", *f.Until)
		}
		return q
	}
	return listing.Find[Event](p, filtered)
}
