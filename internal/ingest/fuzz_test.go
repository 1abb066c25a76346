package ingest

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/ingest/formats"
)

// FuzzHNDecoder feeds arbitrary bytes to the HN importer: it never panics,
// every record is either a job with a title and company or a rejection
// with a reason, and a record never holds more text than its line.
func FuzzHNDecoder(f *testing.F) {
	f.Add([]byte(`{"id": 1, "text": "Acme | Senior Go Engineer | Remote (EU) | $150k-$200k<p>- Staff Engineer | $200k<p>Go, PostgreSQL"}` + "\n"))
	f.Add([]byte(`{"id": 2, "text": ""}` + "\n" + `not json` + "\n" + `{"id": 3, "text": "Acme | Backend Engineer | Berlin | ONSITE"}`))
	f.Add([]byte(`{"id": 4, "text": "` + strings.Repeat("<p>- Engineer | ", 200) + `"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := NewHNDecoder(bytes.NewReader(data), 4096)
		for i := 0; i < 10000; i++ {
			rec, err := dec.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				return // a read error ends the stream
			}
			switch {
			case rec.Err != nil:
				if rec.Err.Error() == "" {
					t.Fatalf("rejection without a reason: %+v", rec)
				}
			case rec.Job != nil:
				if rec.Job.Title == "" || rec.Job.Company == "" || !utf8.ValidString(rec.Job.Title) {
					t.Fatalf("job record without title or company: %+v", rec.Job)
				}
			default:
				t.Fatalf("record is neither a job nor a rejection: %+v", rec)
			}
		}
		t.Fatal("more than 10,000 records from one input")
	})
}

// FuzzNormalizeJob runs the pipeline's normalization on arbitrary field
// values: it never panics, and what it accepts passes the domain's own
// validation.
func FuzzNormalizeJob(f *testing.F) {
	f.Add("Senior Go Engineer", "Acme", "<p>Go &amp; PostgreSQL. Nice to have: Terraform</p>", "Remote (EU)", "$150k-$200k", "FULL_TIME", "Germany")
	f.Add("", "", "", "", "", "", "")
	f.Add("Caf\xc3\x83\xc2\xa9 Engineer", "X", "\x00", "Berlin, onsite", "€70.000", "contract", "PT")
	f.Fuzz(func(t *testing.T, title, company, desc, location, salary, employment, country string) {
		now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
		j := &formats.Job{Title: title, Company: company, Description: desc, LocationText: location, SalaryText: salary,
			EmploymentType: employment, ApplicantCountries: []string{country}}
		out, err := (&Importer{}).NormalizeJob(j, "fuzz:1", now)
		if err != nil {
			if Reason(err) == "" {
				t.Fatal("rejection without a reason")
			}
			return
		}
		if _, err := domain.NormalizeJobDetails(out.Details, now); err != nil {
			t.Fatalf("normalized posting fails the domain's validation: %v\n%+v", err, out.Details)
		}
	})
}
