package ops

import (
	"encoding/json"
	"time"
)

// Backup is a row of backups.
type Backup struct {
	ID                int64           `gorm:"column:id"`
	Status            string          `gorm:"column:status"`
	File              string          `gorm:"column:file"`
	SizeBytes         *int64          `gorm:"column:size_bytes"`
	SHA256            *string         `gorm:"column:sha256"`
	ServerVersion     *string         `gorm:"column:server_version"`
	RowCounts         json.RawMessage `gorm:"column:row_counts;type:jsonb"`
	TableHashes       json.RawMessage `gorm:"column:table_hashes;type:jsonb"`
	StartedAt         time.Time       `gorm:"column:started_at"`
	FinishedAt        *time.Time      `gorm:"column:finished_at"`
	Error             *string         `gorm:"column:error"`
	Verification      *string         `gorm:"column:verification"`
	VerifiedAt        *time.Time      `gorm:"column:verified_at"`
	VerificationError *string         `gorm:"column:verification_error"`
	RestoredAt        *time.Time      `gorm:"column:restored_at"`
}

// TableName is the table the model maps to.
func (Backup) TableName() string { return "backups" }

// SortValue returns the value of a sortable field, for list cursors.
func (b Backup) SortValue(field string) any {
	if field == "started_at" {
		return b.StartedAt
	}
	return b.ID
}

// recorded decodes the row counts and content hashes recorded with the backup.
func (b Backup) recorded() (map[string]int64, map[string]string, error) {
	counts, hashes := map[string]int64{}, map[string]string{}
	if len(b.RowCounts) > 0 {
		if err := json.Unmarshal(b.RowCounts, &counts); err != nil {
			return nil, nil, err
		}
	}
	if len(b.TableHashes) > 0 {
		if err := json.Unmarshal(b.TableHashes, &hashes); err != nil {
			return nil, nil, err
		}
	}
	return counts, hashes, nil
}

// Restore is a row of backup_restores.
type Restore struct {
	ID             int64      `gorm:"column:id"`
	BackupID       int64      `gorm:"column:backup_id"`
	TargetDatabase string     `gorm:"column:target_database"`
	Status         string     `gorm:"column:status"`
	StartedAt      time.Time  `gorm:"column:started_at"`
	FinishedAt     *time.Time `gorm:"column:finished_at"`
	Error          *string    `gorm:"column:error"`
}

// TableName is the table the model maps to.
func (Restore) TableName() string { return "backup_restores" }
