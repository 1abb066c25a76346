package marketdata

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"sync"
	"testing"

	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

// eachDB runs fn against SQLite and PostgreSQL (skipped when PostgreSQL is
// unreachable, failed then with CI=true).
func eachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{store.SQLite, storetest.OpenSQLite}, {store.Postgres, storetest.OpenPostgres}} {
		t.Run(d.name, func(t *testing.T) { fn(t, d.open(t)) })
	}
}

// Paths of the shared copies (tests may read them; the product reads the
// embedded ones).
const (
	sharedSurvey   = "../../../shared/data/aijobs_net_salaries_2025-01-19.csv"
	sharedBaseline = "../../../shared/data/hn_hiringtrends_monthly_terms_2011-04_to_2024-05.csv"
)

var shippedBytes sync.Map // file → []byte

// shippedCSV returns an embedded data set, decompressed.
func shippedCSV(t testing.TB, kind string) []byte {
	t.Helper()
	for _, s := range ShippedSets {
		if s.Kind != kind {
			continue
		}
		if b, ok := shippedBytes.Load(s.File); ok {
			return b.([]byte)
		}
		r, err := s.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		shippedBytes.Store(s.File, b)
		return b
	}
	t.Fatalf("no shipped %s", kind)
	return nil
}

// records parses a CSV naively (header dropped) into maps by column.
func records(t testing.TB, b []byte) []map[string]string {
	t.Helper()
	all, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]map[string]string, 0, len(all)-1)
	for _, rec := range all[1:] {
		m := map[string]string{}
		for i, h := range all[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

// percentileCont is PostgreSQL's percentile_cont, computed naively.
func percentileCont(v []float64, p float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	h := float64(len(s)-1) * p
	lo := math.Floor(h)
	if int(lo)+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[int(lo)] + (h-lo)*(s[int(lo)+1]-s[int(lo)])
}

func mustImportSurvey(t testing.TB, db *store.DB, data []byte, label string) ImportReport {
	t.Helper()
	rep, err := ImportSurvey(context.Background(), db, bytes.NewReader(data), label)
	if err != nil {
		t.Fatalf("import survey %s: %v (%s)", label, err, brief(rep))
	}
	return rep
}

func mustImportBaseline(t testing.TB, db *store.DB, data []byte, label string) ImportReport {
	t.Helper()
	rep, err := ImportBaseline(context.Background(), db, bytes.NewReader(data), label)
	if err != nil {
		t.Fatalf("import baseline %s: %v (%s)", label, err, brief(rep))
	}
	return rep
}

func fileSHA(t testing.TB, path string) (string, bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		return "", false
	}
	return sha(b), true
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// brief shows a report with its first errors only.
func brief(rep ImportReport) string {
	e := rep.Errors[:min(len(rep.Errors), 5)]
	return fmt.Sprintf("%d rows, %d imported, %d skipped, errors %q", rep.Rows, rep.Imported, rep.Skipped, e)
}
