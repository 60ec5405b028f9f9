package audit

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/erp-foundation/erp/platform/requestid"
)

// An archive file is the month's rows as CSV with a header line (COPY's csv format, columns
// archiveColumns), gzip-compressed. Standard tools restore it too:
//
//	gunzip -c audit_events_2026-01.csv.gz | psql -c "COPY audit_events (<columns>) FROM STDIN (FORMAT csv, HEADER)"
//
// once the month's partition exists (SELECT audit_ensure_partitions('2026-01-01', 1)).

// write copies the table part into file (through a temporary name, fsynced, renamed, and the
// directory fsynced) and returns the file's SHA-256. The copy must hold rows rows.
func (a *Archiver) write(ctx context.Context, part, file string, rows int64) (string, error) {
	if err := os.MkdirAll(filepath.Dir(file), 0o750); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".archive-*.tmp")
	if err != nil {
		return "", err
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // gone after the rename; cleans up a failure
	sum := sha256.New()
	zw := gzip.NewWriter(io.MultiWriter(tmp, sum))
	copied, err := a.owner.CopyTo(ctx, zw, "COPY (SELECT "+archiveColumns+" FROM "+pgx.Identifier{part}.Sanitize()+
		" ORDER BY occurred_at, id) TO STDOUT WITH (FORMAT csv, HEADER)")
	if err == nil && copied != rows {
		err = fmt.Errorf("copied %d rows of %d", copied, rows)
	}
	err = errors.Join(err, zw.Close(), tmp.Sync(), tmp.Close())
	if err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return "", err
	}
	if err := syncDir(filepath.Dir(file)); err != nil {
		return "", err
	}
	return hex.EncodeToString(sum.Sum(nil)), nil
}

// verifyFile reads file back: its SHA-256 must be sum, then it must decompress completely
// (gzip's own checksum included) and hold rows CSV records after the header.
func verifyFile(file, sum string, rows int64) error {
	got, err := fileSHA256(file)
	if err != nil {
		return err
	}
	if got != sum {
		return fmt.Errorf("%s has SHA-256 %s, recorded %s: the file changed since it was written", file, got, sum)
	}
	f, err := os.Open(file) //nolint:gosec // a path the archiver built
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s is not a gzip file: %w", file, err)
	}
	n, err := countRecords(zr)
	if err != nil {
		return fmt.Errorf("%s does not read back: %w", file, err)
	}
	if n != rows {
		return fmt.Errorf("%s holds %d rows, the month has %d", file, n, rows)
	}
	return nil
}

func fileSHA256(file string) (string, error) {
	f, err := os.Open(file) //nolint:gosec // a path the archiver built
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// countRecords counts the CSV records after the header line.
func countRecords(r io.Reader) (int64, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = strings.Count(archiveColumns, ",") + 1
	cr.ReuseRecord = true
	var n int64
	for {
		_, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return max(n-1, 0), nil // minus the header
		}
		if err != nil {
			return 0, err
		}
		n++
	}
}

func syncDir(dir string) error {
	d, err := os.Open(dir) //nolint:gosec // the archive directory
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// Restore brings an archived month back from file: it checks the file against its record (when
// one exists), creates the month's partition if needed and loads the rows in one transaction,
// so a failure loads nothing. Loading a month whose rows are already there fails on the
// primary key.
func (a *Archiver) Restore(ctx context.Context, file string) (MonthResult, error) {
	ctx = requestid.With(ctx, "job-archive-restore")
	var r MonthResult
	month, err := time.Parse("audit_events_2006-01.csv.gz", filepath.Base(file))
	if err != nil {
		return r, fmt.Errorf("restore: %s is not named like an archive (audit_events_YYYY-MM.csv.gz)", filepath.Base(file))
	}
	r.Month, r.File = month, file
	var recorded struct {
		rows int64
		sum  string
	}
	err = a.owner.QueryRow(ctx, "SELECT rows, sha256 FROM audit_archives WHERE month = $1 AND status = 'archived'",
		[]any{month}, &recorded.rows, &recorded.sum)
	switch {
	case err == nil:
		if err := verifyFile(file, recorded.sum, recorded.rows); err != nil {
			return r, fmt.Errorf("restore: %w", err)
		}
	case !errors.Is(err, pgx.ErrNoRows):
		return r, err
	}
	err = a.owner.Exclusive(ctx, partitionsLock, func(ctx context.Context) error {
		return a.owner.Write(ctx, func(ctx context.Context) error {
			if _, err := a.owner.Change(ctx, "SELECT audit_ensure_partitions($1, 1)", []any{month}, nil); err != nil {
				return err
			}
			f, err := os.Open(file) //nolint:gosec // the operator names the file
			if err != nil {
				return err
			}
			defer func() { _ = f.Close() }()
			zr, err := gzip.NewReader(f)
			if err != nil {
				return fmt.Errorf("restore: %s is not a gzip file: %w", file, err)
			}
			r.Rows, err = a.owner.CopyFrom(ctx, zr, "COPY audit_events ("+archiveColumns+") FROM STDIN WITH (FORMAT csv, HEADER)")
			if err != nil {
				return err
			}
			_, err = a.owner.Change(ctx, "DELETE FROM audit_archives WHERE month = $1", []any{month}, nil)
			return err
		})
	})
	r.Done = err == nil
	return r, err
}
