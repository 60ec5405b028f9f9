package category

import (
	"time"

	"github.com/erp-foundation/erp/platform/i18n"
	"github.com/erp-foundation/erp/platform/optional"
)

// CreateRequest is the body of POST /categories.
type CreateRequest struct {
	Code        string                 `json:"code" required:"true" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9_-]+$"`
	Name        string                 `json:"name" required:"true" minLength:"1" maxLength:"255"`
	Description optional.Field[string] `json:"description" nullable:"true"`
	ParentID    optional.Field[int64]  `json:"parent_id" nullable:"true" minimum:"1"`
	// Translations of name and description in other languages, saved with the category.
	Translations i18n.Input `json:"translations"`
}

// UpdateRequest is the body of PATCH /categories/:id: only the fields present change, null
// clears an optional field.
type UpdateRequest struct {
	Code        optional.Field[string] `json:"code" minLength:"1" maxLength:"64" pattern:"^[A-Za-z0-9_-]+$"`
	Name        optional.Field[string] `json:"name" minLength:"1" maxLength:"255"`
	Description optional.Field[string] `json:"description" nullable:"true"`
	ParentID    optional.Field[int64]  `json:"parent_id" nullable:"true" minimum:"1"`
}

// Response is a category as the API returns it, in the negotiated language.
type Response struct {
	ID          int64     `json:"id"`
	Lang        string    `json:"lang" doc:"Language of name and description (each falls back to the default language on its own)."`
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

// toResponse renders c, already localised into lang.
func toResponse(c Category, lang string) Response {
	return Response{
		ID: c.ID, Lang: lang, Code: c.Code, Name: c.Name, Description: c.Description, ParentID: c.ParentID,
		Version: c.Version, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
}
