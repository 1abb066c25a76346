package marketdata

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/meridianhq/meridian/internal/store"
)

// Labels of the shipped data sets (data/README.md gives their origin and
// license).
const (
	ShippedSurveyLabel   = "aijobs-net-2025-01-19"
	ShippedBaselineLabel = "hn-hiringtrends-2024-05"
)

//go:embed data/*.csv.gz
var shippedFS embed.FS

// Shipped is one embedded data set.
type Shipped struct {
	Label, Kind, File string
}

// ShippedSets lists the embedded data sets.
var ShippedSets = []Shipped{
	{ShippedSurveyLabel, KindSurvey, "data/aijobs_net_salaries_2025-01-19.csv.gz"},
	{ShippedBaselineLabel, KindHNTrends, "data/hn_hiringtrends_monthly_terms_2011-04_to_2024-05.csv.gz"},
}

// Open returns the data set's CSV, decompressed.
func (s Shipped) Open() (io.ReadCloser, error) {
	b, err := shippedFS.ReadFile(s.File)
	if err != nil {
		return nil, err
	}
	return gzip.NewReader(bytes.NewReader(b))
}

// SHA256 is the SHA-256 of the decompressed CSV (what an import records).
func (s Shipped) SHA256() (string, error) {
	r, err := s.Open()
	if err != nil {
		return "", err
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// LoadShipped imports the embedded salary survey and hiring-trends series
// under ShippedSurveyLabel and ShippedBaselineLabel. A data set already
// imported under its label from the same bytes is left as it is, so
// loading twice does nothing the second time.
func LoadShipped(ctx context.Context, db *store.DB) error {
	for _, s := range ShippedSets {
		sum, err := s.SHA256()
		if err != nil {
			return fmt.Errorf("shipped %s: %w", s.Label, err)
		}
		var have string
		err = db.QueryRow(ctx, `SELECT sha256 FROM market_sources WHERE label = ? AND kind = ?`, s.Label, s.Kind).Scan(&have)
		if err == nil && have == sum {
			continue
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		r, err := s.Open()
		if err != nil {
			return fmt.Errorf("shipped %s: %w", s.Label, err)
		}
		imp := ImportSurvey
		if s.Kind == KindHNTrends {
			imp = ImportBaseline
		}
		_, err = imp(ctx, db, r, s.Label)
		r.Close()
		if err != nil {
			return fmt.Errorf("shipped %s: %w", s.Label, err)
		}
	}
	return nil
}
