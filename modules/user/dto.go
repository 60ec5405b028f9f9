package user

import (
	"time"

	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/optional"
)

// CreateRequest is the body of POST /users.
type CreateRequest struct {
	Email    string `json:"email" required:"true" maxLength:"254" format:"email"`
	Password string `json:"password" required:"true" doc:"At least 12 characters, at most 72 bytes of UTF-8, not a commonly used password."`
	FullName string `json:"full_name" required:"true" minLength:"1" maxLength:"255"`
	Role     string `json:"role" required:"true" enum:"admin,staff,viewer"`
}

// Validate checks the password's byte length (bcrypt's limit), which tags cannot express.
func (r *CreateRequest) Validate() []fault.FieldError {
	if r.Password == "" {
		return nil // reported as required
	}
	return passwordProblems("password", r.Password)
}

// UpdateRequest is the body of PATCH /users/:id.
type UpdateRequest struct {
	Email    optional.Field[string] `json:"email" maxLength:"254" format:"email"`
	Password optional.Field[string] `json:"password" doc:"At least 12 characters, at most 72 bytes of UTF-8, not a commonly used password."`
	FullName optional.Field[string] `json:"full_name" minLength:"1" maxLength:"255"`
	Role     optional.Field[string] `json:"role" enum:"admin,staff,viewer"`
	IsActive optional.Field[bool]   `json:"is_active"`
}

// Validate checks a new password's byte length.
func (r *UpdateRequest) Validate() []fault.FieldError {
	if !r.Password.Present() {
		return nil
	}
	return passwordProblems("password", r.Password.Value)
}

// LoginRequest is the body of POST /auth/token.
type LoginRequest struct {
	Email    string `json:"email" required:"true" maxLength:"254"`
	Password string `json:"password" required:"true" maxLength:"1024"`
}

// TokenResponse is the answer to a successful login.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// Response is a user as the API returns it; it has no password field of any kind.
type Response struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	FullName  string    `json:"full_name"`
	Role      string    `json:"role"`
	IsActive  bool      `json:"is_active"`
	Version   int32     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ETagVersion is the version the ETag header carries.
func (r Response) ETagVersion() int32 { return r.Version }

func toResponse(u User) Response {
	return Response{
		ID: u.ID, Email: u.Email, FullName: u.FullName, Role: u.Role, IsActive: u.IsActive,
		Version: u.Version, CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(),
	}
}
