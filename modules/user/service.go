package user

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/erp-foundation/erp/platform/auth"
	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/etag"
)

// adminsLock serialises every change that could leave no active admin.
const adminsLock = 7_202_611_253

// Service implements the user use cases.
type Service struct {
	db        *database.DB
	hasher    *hasher
	directory *Directory
}

// NewService returns a service on db hashing passwords at bcryptCost; directory is told
// about every change so that this instance stops trusting old roles at once.
func NewService(db *database.DB, bcryptCost int, directory *Directory) *Service {
	return &Service{db: db, hasher: newHasher(bcryptCost), directory: directory}
}

// Create adds a user. A duplicate email (any case) fails on uq_users_email.
func (s *Service) Create(ctx context.Context, in CreateRequest) (*User, error) {
	hash, err := s.hasher.hash(in.Password)
	if err != nil {
		return nil, err
	}
	u := User{Email: in.Email, PasswordHash: hash, FullName: in.FullName, Role: in.Role, IsActive: true}
	err = s.db.Write(ctx, func(ctx context.Context) error {
		return s.db.Gorm(ctx).Clauses(clause.Returning{}).Create(&u).Error
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// Get returns the user with id, or ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (*User, error) {
	return database.Get[User](ctx, s.db, id, ErrNotFound)
}

// Update applies the fields present in patch. A change that leaves no active admin is
// ErrLastAdmin; If-Match is checked in the UPDATE itself.
func (s *Service) Update(ctx context.Context, id int64, patch UpdateRequest, cond *etag.Match) (*User, error) {
	u := database.NewUpdate("users")
	u.SetIf(patch.Email.Set, "email", patch.Email.Value)
	u.SetIf(patch.FullName.Set, "full_name", patch.FullName.Value)
	u.SetIf(patch.Role.Set, "role", patch.Role.Value)
	u.SetIf(patch.IsActive.Set, "is_active", patch.IsActive.Value)
	if patch.Password.Set {
		hash, err := s.hasher.hash(patch.Password.Value)
		if err != nil {
			return nil, err
		}
		u.Set("password_hash", hash)
	}
	if u.Empty() {
		found, err := s.Get(ctx, id)
		if err == nil && !cond.Allows(found.Version) {
			return nil, etag.Stale()
		}
		return found, err
	}
	return s.change(ctx, id, u, cond)
}

// Deactivate marks a user inactive (DELETE /users/:id): the row and its history stay, and a
// second call changes nothing. The last active admin cannot be deactivated.
func (s *Service) Deactivate(ctx context.Context, id int64, cond *etag.Match) error {
	found, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if !cond.Allows(found.Version) {
		return etag.Stale()
	}
	if !found.IsActive {
		return nil
	}
	u := database.NewUpdate("users")
	u.Set("is_active", false)
	_, err = s.change(ctx, id, u, cond)
	return err
}

// change runs one guarded UPDATE under the admins lock and refuses to leave no active admin.
func (s *Service) change(ctx context.Context, id int64, u *database.Update, cond *etag.Match) (*User, error) {
	var out User
	u.Where(cond.Condition(u.Arg))
	q, args := u.SQL(id, "*")
	err := s.db.Write(ctx, func(ctx context.Context) error {
		db := s.db.Gorm(ctx)
		if err := db.Exec("SELECT pg_advisory_xact_lock(?)", adminsLock).Error; err != nil {
			return err
		}
		res := db.Raw(q, args...).Scan(&out)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return etag.Explain(ctx, s.db, "users", id, ErrNotFound)
		}
		var admins int64
		if err := db.Model(&User{}).Where("role = ? AND is_active", auth.RoleAdmin).Count(&admins).Error; err != nil {
			return err
		}
		if admins == 0 {
			return ErrLastAdmin
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.directory.Forget(id)
	return &out, nil
}

// RevokeTokens makes every token issued to the user so far stop working ("sign out
// everywhere"): at once on this instance, within seconds on the others (the users trigger
// notifies them). Returns ErrNotFound.
func (s *Service) RevokeTokens(ctx context.Context, id int64) error {
	n, err := s.db.Change(ctx, "UPDATE users SET token_generation = token_generation + 1 WHERE id = $1", []any{id}, nil)
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	s.directory.Forget(id)
	return nil
}

// Authenticate returns the active user with this email (any case) and password. An unknown
// email, a wrong password and a deactivated account all give ErrBadCredentials after the same
// amount of hashing work.
func (s *Service) Authenticate(ctx context.Context, email, password string) (*User, error) {
	var u User
	err := s.db.Gorm(database.OnPrimary(ctx)).Where("lower(email) = ?", strings.ToLower(email)).Take(&u).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		s.hasher.matches(nil, password)
		return nil, ErrBadCredentials
	case err != nil:
		return nil, err
	}
	if !s.hasher.matches([]byte(u.PasswordHash), password) || !u.IsActive {
		return nil, ErrBadCredentials
	}
	return &u, nil
}

// CreateAdmin adds an active admin (the create-admin command and the bootstrap).
func (s *Service) CreateAdmin(ctx context.Context, email, fullName, password string) (*User, error) {
	return s.Create(ctx, CreateRequest{Email: email, Password: password, FullName: fullName, Role: auth.RoleAdmin})
}

// Bootstrap creates the configured admin when the users table is empty; several instances
// starting together create it once. It reports whether it created one.
func (s *Service) Bootstrap(ctx context.Context, email, fullName, password string) (bool, error) {
	if email == "" {
		return false, nil
	}
	created := false
	err := s.db.Write(ctx, func(ctx context.Context) error {
		db := s.db.Gorm(ctx)
		if err := db.Exec("SELECT pg_advisory_xact_lock(?)", adminsLock).Error; err != nil {
			return err
		}
		var n int64
		if err := db.Model(&User{}).Count(&n).Error; err != nil || n > 0 {
			return err
		}
		_, err := s.CreateAdmin(ctx, email, fullName, password)
		created = err == nil
		return err
	})
	return created, err
}
