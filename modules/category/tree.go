package category

import (
	"context"
)

// treeLock serialises parent changes: without it two concurrent updates (A under B, B under A)
// could each pass the cycle check and together create a cycle.
const treeLock = 7_202_611_252

// lockTree takes the tree lock until the transaction ends.
func (s *Service) lockTree(ctx context.Context) error {
	return s.db.Gorm(ctx).Exec("SELECT pg_advisory_xact_lock(?)", treeLock).Error
}

// checkNoCycle runs after id's parent_id changed, in the same transaction, under the tree lock:
// it fails when id is now among its own ancestors, and the transaction rolls back.
func (s *Service) checkNoCycle(ctx context.Context, id int64) error {
	var cycle bool
	err := s.db.Gorm(ctx).Raw(`
		WITH RECURSIVE ancestors(id, parent_id) AS (
			SELECT p.id, p.parent_id FROM categories c JOIN categories p ON p.id = c.parent_id WHERE c.id = ?
			UNION ALL
			SELECT c.id, c.parent_id FROM categories c JOIN ancestors a ON c.id = a.parent_id
		) CYCLE id SET looped USING path
		SELECT EXISTS (SELECT 1 FROM ancestors WHERE id = ?)`, id, id).Scan(&cycle).Error
	if err != nil {
		return err
	}
	if cycle {
		return errCycle()
	}
	return nil
}
