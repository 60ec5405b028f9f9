package database

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// tracer sees every statement pgx sends, whoever sends it (GORM, raw pgx, the pool): it counts
// them for erp_db_statements_total (BEGIN and COMMIT included), logs the slow ones at WARN,
// every one at INFO when echo is on, and failed ones at DEBUG (the HTTP error middleware logs
// each failure once). Statements are logged with their placeholders, never their arguments,
// so no secret or personal value reaches the log.
type tracer struct {
	log   *slog.Logger
	slow  time.Duration
	echo  bool
	count atomic.Int64
	// trips counts round trips: a batch (the audit context with its statement) is one.
	trips atomic.Int64
}

type traceKey struct{}

type traceStart struct {
	at  time.Time
	sql string
}

func (t *tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	t.count.Add(1)
	t.trips.Add(1)
	return context.WithValue(ctx, traceKey{}, traceStart{at: time.Now(), sql: data.SQL})
}

func (t *tracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	start, ok := ctx.Value(traceKey{}).(traceStart)
	if !ok {
		return
	}
	elapsed := time.Since(start.at)
	var level slog.Level
	var msg string
	switch {
	case t.slow > 0 && elapsed > t.slow:
		level, msg = slog.LevelWarn, "slow SQL statement"
	case t.echo:
		level, msg = slog.LevelInfo, "SQL statement"
	case data.Err != nil:
		level, msg = slog.LevelDebug, "SQL statement failed"
	default:
		return
	}
	if !t.log.Enabled(ctx, level) {
		return
	}
	attrs := []any{"sql", start.sql, "duration_ms", float64(elapsed.Microseconds()) / 1000, "rows", data.CommandTag.RowsAffected()}
	if data.Err != nil {
		attrs = append(attrs, "error", data.Err.Error())
	}
	t.log.Log(ctx, level, msg, attrs...)
}

// TraceBatchStart counts a batch's statements as they are sent (Change and Write send the
// audit context with the first statement).
func (t *tracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	if data.Batch != nil {
		t.count.Add(int64(data.Batch.Len()))
		t.trips.Add(1)
	}
	return ctx
}

// TraceBatchQuery logs a failed statement of a batch at DEBUG, like TraceQueryEnd.
func (t *tracer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	if data.Err != nil && t.log.Enabled(ctx, slog.LevelDebug) {
		t.log.DebugContext(ctx, "SQL statement failed", "sql", data.SQL, "error", data.Err.Error())
	} else if t.echo {
		t.log.InfoContext(ctx, "SQL statement", "sql", data.SQL)
	}
}

// TraceBatchEnd has nothing to add.
func (t *tracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}
