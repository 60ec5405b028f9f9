package database

import (
	"context"
	"log/slog"
	"time"

	gormlogger "gorm.io/gorm/logger"
)

// sqlLogger is GORM's logger: slow statements at WARN, every statement at INFO when echo is
// on, failed statements at DEBUG only (the HTTP error middleware logs each failure once).
// Statements are logged with their placeholders, never with their parameters, so no secret or
// personal value reaches the log.
type sqlLogger struct {
	log  *slog.Logger
	slow time.Duration
	echo bool
}

func (l *sqlLogger) LogMode(gormlogger.LogLevel) gormlogger.Interface { return l }

func (l *sqlLogger) Info(ctx context.Context, msg string, args ...any) {
	l.log.InfoContext(ctx, msg, "args", args)
}

func (l *sqlLogger) Warn(ctx context.Context, msg string, args ...any) {
	l.log.WarnContext(ctx, msg, "args", args)
}

func (l *sqlLogger) Error(ctx context.Context, msg string, args ...any) {
	l.log.ErrorContext(ctx, msg, "args", args)
}

// Trace renders the statement only when it will be logged: rendering costs allocations on
// every query otherwise.
func (l *sqlLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	var level slog.Level
	var msg string
	switch {
	case l.slow > 0 && elapsed > l.slow:
		level, msg = slog.LevelWarn, "slow SQL statement"
	case l.echo:
		level, msg = slog.LevelInfo, "SQL statement"
	case err != nil:
		level, msg = slog.LevelDebug, "SQL statement failed"
	default:
		return
	}
	if !l.log.Enabled(ctx, level) {
		return
	}
	sql, rows := fc()
	attrs := []any{"sql", sql, "duration_ms", float64(elapsed.Microseconds()) / 1000, "rows", rows}
	if err != nil {
		attrs = append(attrs, "error", err.Error())
	}
	l.log.Log(ctx, level, msg, attrs...)
}

// ParamsFilter drops the parameters so that GORM logs the statement with its placeholders.
func (l *sqlLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}
