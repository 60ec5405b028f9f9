package user

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/erp-foundation/erp/platform/auth"
	"github.com/erp-foundation/erp/platform/etag"
	"github.com/erp-foundation/erp/platform/tx"
)

// adminsLock serialises every change that could leave no active admin.
const adminsLock = 7_202_611_253

// Service implements the user use cases.
type Service struct {
	db        *gorm.DB
	hasher    *hasher
	directory *Directory
}

// NewService returns a service on db hashing passwords at bcryptCost; directory is told
// about every change so that this instance stops trusting old roles at once.
func NewService(db *gorm.DB, bcryptCost int, directory *Directory) *Service {
	return &Service{db: db, hasher: newHasher(bcryptCost), directory: directory}
}

// Create adds a user. A duplicate email (any case) fails on uq_users_email.
func (s *Service) Create(ctx context.Context, in CreateRequest) (*User, error) {
	hash, err := s.hasher.hash(in.Password)
	if err != nil {
		return nil, err
	}
	u := User{Email: in.Email, PasswordHash: hash, FullName: in.FullName, Role: in.Role, IsActive: true}
	if err := tx.Conn(ctx, s.db).Clauses(clause.Returning{}).Create(&u).Error; err != nil {
		return nil, err
	}
	return &u, nil
}

// Get returns the user with id, or ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (*User, error) {
	return tx.Get[User](ctx, s.db, id, ErrNotFound)
}

// Update applies the fields present in patch. A change that leaves no active admin is
// ErrLastAdmin; If-Match is checked in the UPDATE itself.
func (s *Service) Update(ctx context.Context, id int64, patch UpdateRequest, cond *etag.Match) (*User, error) {
	changes := map[string]any{}
	if patch.Email.Set {
		changes["email"] = patch.Email.Value
	}
	if patch.FullName.Set {
		changes["full_name"] = patch.FullName.Value
	}
	if patch.Role.Set {
		changes["role"] = patch.Role.Value
	}
	if patch.IsActive.Set {
		changes["is_active"] = patch.IsActive.Value
	}
	if patch.Password.Set {
		hash, err := s.hasher.hash(patch.Password.Value)
		if err != nil {
			return nil, err
		}
		changes["password_hash"] = hash
	}
	if len(changes) == 0 {
		u, err := s.Get(ctx, id)
		if err == nil && !cond.Allows(u.Version) {
			return nil, etag.Stale()
		}
		return u, err
	}
	return s.change(ctx, id, changes, cond)
}

// Deactivate marks a user inactive (DELETE /users/:id): the row and its history stay, and a
// second call changes nothing. The last active admin cannot be deactivated.
func (s *Service) Deactivate(ctx context.Context, id int64, cond *etag.Match) error {
	u, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if !cond.Allows(u.Version) {
		return etag.Stale()
	}
	if !u.IsActive {
		return nil
	}
	_, err = s.change(ctx, id, map[string]any{"is_active": false}, cond)
	return err
}

// change runs one guarded UPDATE under the admins lock and refuses to leave no active admin.
func (s *Service) change(ctx context.Context, id int64, changes map[string]any, cond *etag.Match) (*User, error) {
	var u User
	err := tx.Run(ctx, s.db, func(ctx context.Context) error {
		db := tx.Conn(ctx, s.db)
		if err := db.Exec("SELECT pg_advisory_xact_lock(?)", adminsLock).Error; err != nil {
			return err
		}
		q := db.Model(&u).Clauses(clause.Returning{}).Where("id = ?", id)
		if cond.Restricts() {
			q = q.Where("version IN ?", cond.Versions)
		}
		res := q.Updates(changes)
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
	return &u, nil
}

// Authenticate returns the active user with this email (any case) and password. An unknown
// email, a wrong password and a deactivated account all give ErrBadCredentials after the same
// amount of hashing work.
func (s *Service) Authenticate(ctx context.Context, email, password string) (*User, error) {
	var u User
	err := tx.Conn(ctx, s.db).Where("lower(email) = ?", strings.ToLower(email)).Take(&u).Error
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
	err := tx.Run(ctx, s.db, func(ctx context.Context) error {
		db := tx.Conn(ctx, s.db)
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
