package database

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// deadlineState is what the before-callback leaves for the after-callback of one statement.
type deadlineState struct {
	parent context.Context
	cancel context.CancelFunc
}

const deadlineSetting = "erp:deadline"

// registerDeadlines bounds every GORM statement by timeout: a statement still running when it
// expires is cancelled and its connection discarded (pgx closes a connection whose context
// ends mid-statement), so a hung server cannot pin a request. GORM's Rows() is not bounded
// here (its rows are read after the call returns); the seam's Query is used instead.
func registerDeadlines(g *gorm.DB, timeout time.Duration) error {
	if timeout <= 0 {
		return nil
	}
	start := func(db *gorm.DB) {
		ctx, cancel := context.WithTimeout(db.Statement.Context, timeout)
		db.InstanceSet(deadlineSetting, deadlineState{parent: db.Statement.Context, cancel: cancel})
		db.Statement.Context = ctx
	}
	end := func(db *gorm.DB) {
		if v, ok := db.InstanceGet(deadlineSetting); ok {
			st, _ := v.(deadlineState)
			st.cancel()
			db.Statement.Context = st.parent
		}
	}
	cb := g.Callback()
	errs := []error{
		cb.Create().Before("gorm:create").Register("erp:deadline_start", start),
		cb.Create().After("gorm:create").Register("erp:deadline_end", end),
		cb.Query().Before("gorm:query").Register("erp:deadline_start", start),
		cb.Query().After("gorm:query").Register("erp:deadline_end", end),
		cb.Update().Before("gorm:update").Register("erp:deadline_start", start),
		cb.Update().After("gorm:update").Register("erp:deadline_end", end),
		cb.Delete().Before("gorm:delete").Register("erp:deadline_start", start),
		cb.Delete().After("gorm:delete").Register("erp:deadline_end", end),
		cb.Raw().Before("gorm:raw").Register("erp:deadline_start", start),
		cb.Raw().After("gorm:raw").Register("erp:deadline_end", end),
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("database: register statement deadlines: %w", err)
	}
	return nil
}
