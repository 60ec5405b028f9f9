package product

import (
	"time"

	"github.com/erp-foundation/erp/platform/i18n"
	"github.com/erp-foundation/erp/platform/money"
	"github.com/erp-foundation/erp/platform/optional"
)

// CreateRequest is the body of POST /products.
type CreateRequest struct {
	SKU          string                     `json:"sku" required:"true" minLength:"1" maxLength:"100"`
	Name         string                     `json:"name" required:"true" minLength:"1" maxLength:"255"`
	Description  optional.Field[string]     `json:"description" nullable:"true"`
	Price        money.Amount               `json:"price" required:"true"`
	IsActive     optional.Field[bool]       `json:"is_active"`
	CategoryID   optional.Field[int64]      `json:"category_id" nullable:"true" minimum:"1"`
	Attributes   optional.Field[Attributes] `json:"attributes"`
	Translations i18n.Input                 `json:"translations"`
}

// UpdateRequest is the body of PATCH /products/:id: only the fields present change; null
// clears an optional field; attributes are replaced as a whole.
type UpdateRequest struct {
	SKU         optional.Field[string]       `json:"sku" minLength:"1" maxLength:"100"`
	Name        optional.Field[string]       `json:"name" minLength:"1" maxLength:"255"`
	Description optional.Field[string]       `json:"description" nullable:"true"`
	Price       optional.Field[money.Amount] `json:"price"`
	IsActive    optional.Field[bool]         `json:"is_active"`
	CategoryID  optional.Field[int64]        `json:"category_id" nullable:"true" minimum:"1"`
	Attributes  optional.Field[Attributes]   `json:"attributes"`
}

// CategoryResponse is the category embedded in every product response.
type CategoryResponse struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// Response is a product as the API returns it, in the negotiated language.
type Response struct {
	ID          int64             `json:"id"`
	Lang        string            `json:"lang" doc:"Language of name and description (each falls back to the default language on its own)."`
	SKU         string            `json:"sku"`
	Name        string            `json:"name"`
	Description *string           `json:"description"`
	Price       money.Amount      `json:"price"`
	IsActive    bool              `json:"is_active"`
	CategoryID  *int64            `json:"category_id"`
	Category    *CategoryResponse `json:"category"`
	Attributes  Attributes        `json:"attributes"`
	Version     int32             `json:"version"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// ETagVersion is the version the ETag header carries.
func (r Response) ETagVersion() int32 { return r.Version }

// toResponse renders p, already localised into lang.
func toResponse(p Product, lang string) Response {
	r := Response{
		ID: p.ID, Lang: lang, SKU: p.SKU, Name: p.Name, Description: p.Description, Price: p.Price,
		IsActive: p.IsActive, CategoryID: p.CategoryID, Attributes: p.Attributes, Version: p.Version,
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(),
	}
	if p.Category != nil {
		r.Category = &CategoryResponse{ID: p.Category.ID, Code: p.Category.Code, Name: p.Category.Name}
	}
	return r
}
