package audit

import (
	"encoding/json"
	"time"
)

// Event is a row of audit_events.
type Event struct {
	ID          int64           `gorm:"column:id"`
	OccurredAt  time.Time       `gorm:"column:occurred_at"`
	ActorUserID *int64          `gorm:"column:actor_user_id"`
	Action      string          `gorm:"column:action"`
	EntityType  string          `gorm:"column:entity_type"`
	EntityID    int64           `gorm:"column:entity_id"`
	RequestID   *string         `gorm:"column:request_id"`
	Changes     json.RawMessage `gorm:"column:changes;type:jsonb"`
}

// TableName is the table the model maps to.
func (Event) TableName() string { return "audit_events" }

// SortValue returns the value of a sortable field, for list cursors.
func (e Event) SortValue(field string) any {
	if field == "occurred_at" {
		return e.OccurredAt
	}
	return e.ID
}

// Response is an event as the API returns it; changes are keyed by the API's field names, each
// {"old": ..., "new": ...}.
type Response struct {
	ID          int64           `json:"id"`
	OccurredAt  time.Time       `json:"occurred_at"`
	ActorUserID *int64          `json:"actor_user_id"`
	Action      string          `json:"action" enum:"create,update,delete"`
	EntityType  string          `json:"entity_type"`
	EntityID    int64           `json:"entity_id"`
	RequestID   *string         `json:"request_id"`
	Changes     json.RawMessage `json:"changes" doc:"The fields that changed, by API name: {\"price\":{\"old\":\"19.99\",\"new\":\"17.50\"}}; translations as translations.<lang>; a password as [redacted]."`
}

func toResponse(e Event) Response {
	return Response{
		ID: e.ID, OccurredAt: e.OccurredAt.UTC(), ActorUserID: e.ActorUserID, Action: e.Action,
		EntityType: e.EntityType, EntityID: e.EntityID, RequestID: e.RequestID, Changes: e.Changes,
	}
}
