package marketdata

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// maxErrors bounds the error lines an ImportReport lists; Skipped still
// counts every skipped row.
const maxErrors = 1000

// maxLabel is the longest source label.
const maxLabel = 128

// checkLabel validates a source label: 1–128 characters, no control
// characters, surrounding space trimmed.
func checkLabel(label string) (string, error) {
	label = strings.TrimSpace(label)
	if label == "" {
		return "", meridian.Errorf(meridian.EInvalid, "source: a label is required")
	}
	if len(label) > maxLabel || strings.ContainsFunc(label, unicode.IsControl) {
		return "", meridian.Errorf(meridian.EInvalid, "source: %q must be at most %d characters without control characters", label, maxLabel)
	}
	return label, nil
}

// csvInput reads a CSV file, gzipped or not (detected from its first
// bytes), hashing the decompressed bytes as they are read.
type csvInput struct {
	r    *csv.Reader
	hash hash.Hash
	rep  *ImportReport
}

func newCSVInput(r io.Reader, rep *ImportReport) (*csvInput, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var src io.Reader = br
	if b, err := br.Peek(2); err == nil && b[0] == 0x1f && b[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, meridian.Errorf(meridian.EInvalid, "gzip: %v", err)
		}
		src = gz
	}
	h := sha256.New()
	cr := csv.NewReader(io.TeeReader(src, h))
	cr.FieldsPerRecord = -1 // counted per row, so that a short row is one bad line
	cr.ReuseRecord = true
	return &csvInput{r: cr, hash: h, rep: rep}, nil
}

// header reads the header line and checks it names want, in order
// (case-insensitive, a UTF-8 byte order mark ignored).
func (in *csvInput) header(want []string) error {
	rec, err := in.r.Read()
	if errors.Is(err, io.EOF) {
		return meridian.Errorf(meridian.EInvalid, "the file is empty: want the header %s", strings.Join(want, ","))
	}
	if err != nil && !errors.Is(err, csv.ErrFieldCount) {
		return meridian.Errorf(meridian.EInvalid, "header: %v", err)
	}
	got := make([]string, len(rec))
	for i, f := range rec {
		got[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(f, "\ufeff")))
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		return meridian.Errorf(meridian.EInvalid, "line 1: wrong header: want %s, got %s", strings.Join(want, ","), strings.Join(got, ","))
	}
	return nil
}

// each calls fn with every data row and its line; a row fn rejects (or
// that does not parse, or has the wrong number of fields) is skipped and
// reported. It stops on a read error other than a CSV syntax error.
func (in *csvInput) each(fields int, fn func(line int, rec []string) error) error {
	for {
		rec, err := in.r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var pe *csv.ParseError
		if err != nil && !errors.As(err, &pe) {
			return meridian.Errorf(meridian.EInvalid, "reading the file: %v", err)
		}
		in.rep.Rows++
		line := 0
		if pe != nil {
			line = pe.StartLine
		} else {
			line, _ = in.r.FieldPos(0)
		}
		switch {
		case pe != nil && !errors.Is(err, csv.ErrFieldCount):
			in.skip(line, pe.Err.Error())
		case len(rec) != fields:
			in.skip(line, fmt.Sprintf("%d fields, want %d", len(rec), fields))
		default:
			for i := range rec {
				rec[i] = strings.TrimSpace(rec[i])
			}
			if err := fn(line, rec); err != nil {
				in.skip(line, err.Error())
			} else {
				in.rep.Imported++
			}
		}
	}
}

func (in *csvInput) skip(line int, reason string) {
	in.rep.Skipped++
	switch {
	case len(in.rep.Errors) < maxErrors:
		in.rep.Errors = append(in.rep.Errors, fmt.Sprintf("line %d: %s", line, reason))
	case len(in.rep.Errors) == maxErrors:
		in.rep.Errors = append(in.rep.Errors, "(further errors not listed; see the skipped count)")
	}
}

// sum returns the SHA-256 of the decompressed bytes read (all of them
// once each has returned).
func (in *csvInput) sum() string { return hex.EncodeToString(in.hash.Sum(nil)) }

// importLock serializes market-data imports on PostgreSQL (SQLite has a
// single writer anyway), so two imports of one label do not interleave.
const importLock = 72431005

// replace runs an import's writes in one transaction: it checks the label
// is not another kind's, lets write delete and insert the rows, and
// records the source. An error rolls everything back.
func replace(ctx context.Context, db *store.DB, label, kind string, rep ImportReport, sum string, write func(tx *store.Tx) error) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		if tx.Dialect() == store.Postgres {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(?)`, importLock); err != nil {
				return err
			}
		}
		var have string
		err := tx.QueryRow(ctx, `SELECT kind FROM market_sources WHERE label = ?`, label).Scan(&have)
		switch {
		case err == nil && have != kind:
			return meridian.Errorf(meridian.EConflict, "source %q is already a %s source", label, have)
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if err := write(tx); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO market_sources (label, kind, row_count, skipped, sha256, import_id, imported_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (label) DO UPDATE SET kind = excluded.kind, row_count = excluded.row_count, skipped = excluded.skipped,
  sha256 = excluded.sha256, import_id = excluded.import_id, imported_at = excluded.imported_at`,
			label, kind, rep.Imported, rep.Skipped, sum, meridian.NewID(), meridian.FormatTime(time.Now()))
		return err
	})
}

// insertRows inserts n rows of ncols columns with multi-row INSERTs:
// batches of 512 rows, then the rest in power-of-two batches (so that the
// dialect's statement cache sees at most ten distinct statements).
func insertRows(ctx context.Context, tx *store.Tx, head string, ncols, n int, args func(i int, dst []any) []any) error {
	stmts := map[int]string{}
	buf := make([]any, 0, 512*ncols)
	for i := 0; i < n; {
		k := 512
		for k > n-i {
			k /= 2
		}
		q, ok := stmts[k]
		if !ok {
			row := "(" + strings.TrimSuffix(strings.Repeat("?, ", ncols), ", ") + ")"
			q = head + " VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", k), ", ")
			stmts[k] = q
		}
		buf = buf[:0]
		for j := i; j < i+k; j++ {
			buf = args(j, buf)
		}
		if _, err := tx.Exec(ctx, q, buf...); err != nil {
			return err
		}
		i += k
	}
	return nil
}

// source is one row of market_sources.
type source struct {
	label, kind, importID, importedAt string
}

// sourcesOf lists the imported sources of a kind, the latest first.
func sourcesOf(ctx context.Context, db *store.DB, kind string) ([]source, error) {
	rows, err := db.Query(ctx, `SELECT label, import_id, imported_at FROM market_sources WHERE kind = ? ORDER BY imported_at DESC, label`, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []source
	for rows.Next() {
		s := source{kind: kind}
		if err := rows.Scan(&s.label, &s.importID, &s.importedAt); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// pickSource returns the source labelled label, or the latest of its
// kind when label is empty.
func pickSource(ctx context.Context, db *store.DB, kind, label string) (source, []source, error) {
	all, err := sourcesOf(ctx, db, kind)
	if err != nil {
		return source{}, nil, err
	}
	if label = strings.TrimSpace(label); label == "" {
		if len(all) == 0 {
			return source{}, nil, meridian.Errorf(meridian.ENotFound, "no %s source has been imported", kind)
		}
		return all[0], all, nil
	}
	for _, s := range all {
		if s.label == label {
			return s, all, nil
		}
	}
	return source{}, nil, meridian.Errorf(meridian.EInvalid, "source: %q is not an imported %s source", label, kind)
}

// Sources lists the imported sources, by kind, the latest first.
func Sources(ctx context.Context, db *store.DB) ([]SourceInfo, error) {
	rows, err := db.Query(ctx, `SELECT label, kind, row_count, skipped, sha256, imported_at FROM market_sources ORDER BY kind, imported_at DESC, label`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SourceInfo{}
	for rows.Next() {
		var s SourceInfo
		if err := rows.Scan(&s.Label, &s.Kind, &s.Rows, &s.Skipped, &s.SHA256, &s.ImportedAt); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
