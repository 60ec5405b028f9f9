package user

import "time"

// User is a row of the users table.
type User struct {
	ID           int64  `gorm:"column:id;primaryKey;->"`
	Email        string `gorm:"column:email"`
	PasswordHash string `gorm:"column:password_hash"`
	FullName     string `gorm:"column:full_name"`
	Role         string `gorm:"column:role"`
	IsActive     bool   `gorm:"column:is_active"`
	// TokenGeneration must be carried by a token for it to be accepted (see auth.Subject).
	TokenGeneration int32     `gorm:"column:token_generation;->"`
	Version         int32     `gorm:"column:version;->"`
	CreatedAt       time.Time `gorm:"column:created_at;->"`
	UpdatedAt       time.Time `gorm:"column:updated_at;->"`
}

// TableName is the table the model maps to.
func (User) TableName() string { return "users" }

// SortValue returns the value of a sortable field, for list cursors.
func (u User) SortValue(field string) any {
	switch field {
	case "email":
		return u.Email
	case "created_at":
		return u.CreatedAt
	default:
		return u.ID
	}
}
