package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/hnposts"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/ingest"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/projection"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

// benchCorpus builds n schema.org JobPosting records (JSON Lines) from the
// real HN postings: each real role is repeated with a distinct identifier,
// title suffix and employer, so that every record is a new posting with a
// real description, salary, location and skills.
func benchCorpus(tb testing.TB, n int) []byte {
	tb.Helper()
	zr, err := hnposts.Open()
	if err != nil {
		tb.Fatal(err)
	}
	defer zr.Close()
	dec := ingest.NewHNDecoder(zr, 0)
	type seed struct{ title, company, desc, loc, salary string }
	var seeds []seed
	for {
		rec, err := dec.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		if rec.Job != nil {
			seeds = append(seeds, seed{rec.Job.Title, rec.Job.Company, rec.Job.Description, rec.Job.LocationText, rec.Job.SalaryText})
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := 0; i < n; i++ {
		s := seeds[i%len(seeds)]
		round := i / len(seeds)
		_ = enc.Encode(map[string]any{
			"@type": "JobPosting", "identifier": fmt.Sprintf("bench-%d", i),
			"title":              fmt.Sprintf("%s #%d", s.title, round),
			"description":        s.desc + "\n\n" + s.salary,
			"hiringOrganization": map[string]any{"@type": "Organization", "name": fmt.Sprintf("%s %d", s.company, round%50)},
			"jobLocation":        map[string]any{"@type": "Place", "address": s.loc},
		})
	}
	return buf.Bytes()
}

// BenchmarkImport measures the import pipeline end to end into the
// embedded store (SQLite): decode, clean, parse, extract skills, write the
// events, and (second figure) apply them to the SQL read models.
//
//	go test -run=^$ -bench=Import -benchtime=3x ./internal/ingest/
func BenchmarkImport(b *testing.B) {
	const n = 20000
	corpus := benchCorpus(b, n)
	b.SetBytes(int64(len(corpus)))
	var written, projected time.Duration
	var imported int
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := storetest.OpenSQLite(b)
		a := app.New(db, nil, slog.New(slog.DiscardHandler))
		ctx := meridian.WithPrincipal(context.Background(), meridian.System("bench"))
		b.StartTimer()
		start := time.Now()
		rep, err := (&ingest.Importer{App: a}).Run(ctx, bytes.NewReader(corpus), ingest.Options{Format: "jsonld"})
		if err != nil {
			b.Fatal(err)
		}
		w := time.Since(start)
		written += w
		run := &projection.Runner{DB: db, Handler: readmodel.Projection{}, Log: slog.New(slog.DiscardHandler)}
		for {
			k, err := run.Step(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			if k == 0 {
				break
			}
		}
		p := time.Since(start)
		projected += p
		imported += rep.Created + rep.Merged + rep.Updated
		b.Logf("import: %s in %v (read model caught up at %v)", counts(rep), w, p)
		if rep.Created+rep.Merged < n*9/10 {
			b.Fatalf("created %d of %d (%d rejected: %+v)", rep.Created, n, rep.Rejected, rep.Rejections[:min(3, len(rep.Rejections))])
		}
	}
	b.ReportMetric(float64(imported)/written.Seconds(), "postings/s")
	b.ReportMetric(float64(imported)/projected.Seconds(), "postings/s-with-read-model")
}
