package category

import (
	"time"

	"github.com/erp-foundation/erp/platform/optional"
)

// CreateRequest is the body of POST /categories.
type CreateRequest struct {
	Code        string                 `json:"code" required:"true" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9_-]+$"`
	Name        string                 `json:"name" required:"true" minLength:"1" maxLength:"255"`
	Description optional.Field[string] `json:"description" nullable:"true"`
	ParentID    optional.Field[int64]  `json:"parent_id" nullable:"true" minimum:"1"`
}

// UpdateRequest is the body of PATCH /categories/:id: only the fields present change, null
// clears an optional field.
type UpdateRequest struct {
	Code        optional.Field[string] `json:"code" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9_-]+$"`
	Name        optional.Field[string] `json:"name" minLength:"1" maxLength:"255"`
	Description optional.Field[string] `json:"description" nullable:"true"`
	ParentID    optional.Field[int64]  `json:"parent_id" nullable:"true" minimum:"1"`
}

// Empty reports whether the PATCH changes nothing.
func (r UpdateRequest) Empty() bool {
	return !r.Code.Set && !r.Name.Set && !r.Description.Set && !r.ParentID.Set
}

// Response is a category as the API returns it.
type Response struct {
	ID          int64     `json:"id"`
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Description *string   `json:"description"`
	ParentID    *int64    `json:"parent_id"`
	Version     int32     `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ETagVersion is the version the ETag header carries.
func (r Response) ETagVersion() int32 { return r.Version }

func toResponse(c Category) Response {
	return Response{
		ID: c.ID, Code: c.Code, Name: c.Name, Description: c.Description, ParentID: c.ParentID,
		Version: c.Version, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
}
