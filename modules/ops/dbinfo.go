package ops

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/erp-foundation/erp/platform/database"
)

// DBInfo is GET /ops/db: a live view of the database.
type DBInfo struct {
	Pool              database.PoolStats       `json:"pool"`
	Database          DatabaseSize             `json:"database"`
	LargestTables     []TableSize              `json:"largest_tables"`
	Migration         string                   `json:"migration" doc:"The newest migration applied."`
	SlowestStatements SlowStatements           `json:"slowest_statements"`
	Replicas          []database.ReplicaStatus `json:"replicas" doc:"Replica status and lag, when replicas are configured."`
}

// DatabaseSize names the database and its size.
type DatabaseSize struct {
	Name      string `json:"name"`
	SizeBytes int64  `json:"size_bytes"`
}

// TableSize is one table's size (with its indexes and TOAST) and estimated rows.
type TableSize struct {
	Name          string `json:"name"`
	SizeBytes     int64  `json:"size_bytes"`
	EstimatedRows int64  `json:"estimated_rows"`
}

// SlowStatements are the statements with the highest mean time, from pg_stat_statements:
// normalised DML only ($1 placeholders), truncated, never utility statements (which may hold
// literal passwords).
type SlowStatements struct {
	Available bool        `json:"available"`
	Note      string      `json:"note,omitempty"`
	Items     []Statement `json:"items"`
}

// Statement is one normalised statement's statistics.
type Statement struct {
	Query   string  `json:"query"`
	Calls   int64   `json:"calls"`
	MeanMS  float64 `json:"mean_ms"`
	TotalMS float64 `json:"total_ms"`
}

// Info reads the live view; pool is the application pool's statistics.
func (s *Service) Info(ctx context.Context, pool database.PoolStats, replicas []database.ReplicaStatus) (*DBInfo, error) {
	info := &DBInfo{Pool: pool, LargestTables: []TableSize{}, Replicas: replicas}
	err := s.owner.QueryRow(ctx, `SELECT current_database(), pg_database_size(current_database()),
			coalesce((SELECT max(id) FROM schema_migrations), '')`, nil,
		&info.Database.Name, &info.Database.SizeBytes, &info.Migration)
	if err != nil {
		return nil, err
	}
	err = s.owner.Query(ctx, `SELECT c.relname, pg_total_relation_size(c.oid), greatest(c.reltuples, 0)::bigint
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC, 1 LIMIT 10`, nil, func(row pgx.CollectableRow) error {
		var t TableSize
		err := row.Scan(&t.Name, &t.SizeBytes, &t.EstimatedRows)
		info.LargestTables = append(info.LargestTables, t)
		return err
	})
	if err != nil {
		return nil, err
	}
	info.SlowestStatements, err = s.slowest(ctx)
	return info, err
}

func (s *Service) slowest(ctx context.Context) (SlowStatements, error) {
	out := SlowStatements{Items: []Statement{}}
	var installed bool
	if err := s.owner.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements')",
		nil, &installed); err != nil {
		return out, err
	}
	if !installed {
		out.Note = "pg_stat_statements is not installed: add it to shared_preload_libraries and run CREATE EXTENSION pg_stat_statements"
		return out, nil
	}
	err := s.owner.Query(ctx, `SELECT query, calls, mean_exec_time, total_exec_time FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND toplevel
		  AND query ~* '^\s*(with|select|insert|update|delete)\s' AND query NOT ILIKE '%pg_stat_statements%'
		ORDER BY mean_exec_time DESC LIMIT 10`, nil, func(row pgx.CollectableRow) error {
		var st Statement
		if err := row.Scan(&st.Query, &st.Calls, &st.MeanMS, &st.TotalMS); err != nil {
			return err
		}
		st.Query = truncate(strings.Join(strings.Fields(st.Query), " "), 200)
		out.Items = append(out.Items, st)
		return nil
	})
	if err != nil {
		out.Note = "pg_stat_statements is installed but not loaded (shared_preload_libraries)"
		return out, nil
	}
	out.Available = true
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && (s[cut]&0xC0) == 0x80 { // not inside a UTF-8 sequence
		cut--
	}
	return s[:cut]
}
