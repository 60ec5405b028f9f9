package ops

import (
	"net/http"

	"github.com/erp-foundation/erp/platform/auth"
	"github.com/erp-foundation/erp/platform/httperr"
	"github.com/erp-foundation/erp/platform/httpserver"
	"github.com/erp-foundation/erp/platform/listing"
	"github.com/erp-foundation/erp/platform/openapi"
)

// Routes is the module's route table (paths relative to /api/v1); admins only.
func (h *Handler) Routes() []httpserver.Route {
	const tag = "operations"
	admins := auth.Admins()
	managed := "In backup.mode managed every /ops/backups route answers 409."
	return []httpserver.Route{
		{Handler: httperr.Handle(h.create), Operation: openapi.Operation{
			Method: http.MethodPost, Path: "/ops/backups", Tag: tag, Roles: admins, Summary: "Start a backup (pg_dump, custom format)",
			Description: "202 with Location; the backup runs in the background (status running, then succeeded or failed). " +
				"One backup at a time across instances: another one while it runs is a 409. " + managed,
			Response: Response{}, Status: http.StatusAccepted, Headers: map[string]string{"Location": "The backup's path."},
			Errors: []int{http.StatusConflict},
		}},
		{Handler: httperr.Handle(h.list), Operation: openapi.Operation{
			Method: http.MethodGet, Path: "/ops/backups", Tag: tag, Roles: admins, Summary: "List backups, newest first",
			Response: listing.Result[Response]{}, Errors: []int{http.StatusBadRequest, http.StatusConflict},
			Query: listing.QueryParams(ListSpec()), Description: managed,
		}},
		{Handler: httperr.Handle(h.get), Operation: openapi.Operation{
			Method: http.MethodGet, Path: "/ops/backups/:id", Tag: tag, Roles: admins, Summary: "Read a backup",
			Response: Response{}, Errors: []int{http.StatusNotFound, http.StatusConflict},
		}},
		{Handler: httperr.Handle(h.verify), Operation: openapi.Operation{
			Method: http.MethodPost, Path: "/ops/backups/:id/verify", Tag: tag, Roles: admins, Summary: "Verify a backup",
			Description: "200 {ok, checks}: the file's SHA-256 and pg_restore --list. With ?deep=true: 202 with the backup's " +
				"Location; it is restored into a scratch database and every table's row count compared with the counts " +
				"recorded in the dump's snapshot (verification: running, then ok or failed).",
			Response: Verification{}, Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusBadRequest},
			Query: []openapi.Param{{Name: "deep", Type: "boolean", Description: "Restore into a scratch database and compare."}},
		}},
		{Handler: httperr.Handle(h.restore), Operation: openapi.Operation{
			Method: http.MethodPost, Path: "/ops/backups/:id/restore", Tag: tag, Roles: admins, Summary: "Restore a backup into a new database",
			Description: "202 with the Location of the restore's status. The target must not exist (409); only a succeeded " +
				"backup can be restored (409). The live database is replaced only from the command line (erp backup restore --force).",
			Request: RestoreRequest{}, Response: RestoreResponse{}, Status: http.StatusAccepted,
			Headers: map[string]string{"Location": "The restore's status."}, Errors: []int{http.StatusNotFound, http.StatusConflict},
		}},
		{Handler: httperr.Handle(h.restoreStatus), Operation: openapi.Operation{
			Method: http.MethodGet, Path: "/ops/backups/:id/restores/:restore_id", Tag: tag, Roles: admins,
			Summary: "A restore's status", Response: RestoreResponse{}, Errors: []int{http.StatusNotFound, http.StatusConflict},
		}},
		{Handler: httperr.Handle(h.remove), Operation: openapi.Operation{
			Method: http.MethodDelete, Path: "/ops/backups/:id", Tag: tag, Roles: admins, Summary: "Delete a backup (file and record)",
			Status: http.StatusNoContent, Errors: []int{http.StatusNotFound, http.StatusConflict},
		}},
		{Handler: httperr.Handle(h.info), Operation: openapi.Operation{
			Method: http.MethodGet, Path: "/ops/db", Tag: tag, Roles: admins, Summary: "A live view of the database",
			Description: "Pool statistics, database size, largest tables, the newest migration, the slowest statements " +
				"(pg_stat_statements: normalised DML only, truncated), replica status.",
			Response: DBInfo{},
		}},
	}
}
