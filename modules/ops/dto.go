package ops

import (
	"encoding/json"
	"time"
)

// Response is a backup as the API returns it.
type Response struct {
	ID                int64           `json:"id"`
	Status            string          `json:"status" enum:"running,succeeded,failed"`
	File              string          `json:"file" doc:"The file's name in backup.dir."`
	SizeBytes         *int64          `json:"size_bytes"`
	SHA256            *string         `json:"sha256"`
	ServerVersion     *string         `json:"server_version"`
	RowCounts         json.RawMessage `json:"row_counts" doc:"Rows per table, counted in the snapshot the dump used."`
	StartedAt         time.Time       `json:"started_at"`
	FinishedAt        *time.Time      `json:"finished_at"`
	Error             *string         `json:"error" doc:"A plain message: never SQL text, a password or a path outside the backup directory."`
	Verification      *string         `json:"verification" enum:"running,ok,failed"`
	VerifiedAt        *time.Time      `json:"verified_at"`
	VerificationError *string         `json:"verification_error"`
	RestoredAt        *time.Time      `json:"restored_at"`
}

func toResponse(b Backup) Response {
	counts := b.RowCounts
	if len(counts) == 0 {
		counts = json.RawMessage("null")
	}
	return Response{
		ID: b.ID, Status: b.Status, File: b.File, SizeBytes: b.SizeBytes, SHA256: b.SHA256, ServerVersion: b.ServerVersion,
		RowCounts: counts, StartedAt: b.StartedAt.UTC(), FinishedAt: utc(b.FinishedAt), Error: b.Error,
		Verification: b.Verification, VerifiedAt: utc(b.VerifiedAt), VerificationError: b.VerificationError,
		RestoredAt: utc(b.RestoredAt),
	}
}

// RestoreRequest is the body of POST /ops/backups/{id}/restore.
type RestoreRequest struct {
	TargetDatabase string `json:"target_database" required:"true" minLength:"1" maxLength:"63" pattern:"^[a-z][a-z0-9_]*$"`
}

// RestoreResponse is a restore's status.
type RestoreResponse struct {
	ID             int64      `json:"id"`
	BackupID       int64      `json:"backup_id"`
	TargetDatabase string     `json:"target_database"`
	Status         string     `json:"status" enum:"running,succeeded,failed"`
	StartedAt      time.Time  `json:"started_at"`
	FinishedAt     *time.Time `json:"finished_at"`
	Error          *string    `json:"error"`
}

func toRestoreResponse(r Restore) RestoreResponse {
	return RestoreResponse{ID: r.ID, BackupID: r.BackupID, TargetDatabase: r.TargetDatabase, Status: r.Status,
		StartedAt: r.StartedAt.UTC(), FinishedAt: utc(r.FinishedAt), Error: r.Error}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
