package user

import (
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/httperr"
)

// Errors of the users module.
var (
	// ErrNotFound means no user has the requested id.
	ErrNotFound = fault.New(fault.NotFound, "User not found.")
	// ErrLastAdmin refuses to deactivate or demote the last active admin.
	ErrLastAdmin = fault.New(fault.Conflict, "The last active admin cannot be deactivated or demoted.")
	// ErrBadCredentials is the one answer to an unknown email, a wrong password or a
	// deactivated account.
	ErrBadCredentials = fault.New(fault.Unauthorized, "Invalid email or password.")
)

// Constraints describes this module's named constraints for error responses.
func Constraints() []httperr.Constraint {
	return []httperr.Constraint{
		{Name: "uq_users_email", Field: "email", Message: "Email already registered."},
		{Name: "ck_users_role", Field: "role", Message: "must be one of admin, staff, viewer"},
		{Name: "ck_users_email", Field: "email", Message: "must be 3-254 characters long"},
		{Name: "ck_users_full_name", Field: "full_name", Message: "must be 1-255 characters long"},
	}
}
