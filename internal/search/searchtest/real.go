// Package searchtest gives tests and benchmarks of search and matching the
// real postings Meridian ships (internal/hnposts), turned into search
// documents through the same import normalization the demo uses.
package searchtest

import (
	"errors"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/hnposts"
	"github.com/meridianhq/meridian/internal/ingest"
	"github.com/meridianhq/meridian/internal/search"
)

var (
	realOnce sync.Once
	realDocs []search.Doc
	realErr  error
)

// Now is the reference time of the real set: every real posting is live
// at Now (their validity is extended relative to their posting date).
var Now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// RealDocs returns the shipped HN postings as search documents, one per
// posting the importer would store (reposts merged: the latest wins), in
// a stable order (by id). Callers must not modify the result.
func RealDocs() ([]search.Doc, error) {
	realOnce.Do(func() { realDocs, realErr = loadReal() })
	return realDocs, realErr
}

func loadReal() ([]search.Doc, error) {
	r, err := hnposts.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	dec := ingest.NewHNDecoder(r, 0)
	im := &ingest.Importer{}
	byID := map[string]search.Doc{}
	// The real posts span years; their relative order is kept, mapped so
	// the newest is a day before Now.
	type rec struct {
		job    search.Doc
		posted time.Time
	}
	var recs []rec
	var newest time.Time
	for {
		rc, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if rc.Job == nil {
			continue
		}
		ij, err := im.NormalizeJob(rc.Job, rc.SourceID, Now)
		if err != nil {
			continue
		}
		org := app.ImportedOrgID(ij.Company)
		d := ij.Details
		doc := search.Doc{
			ID: app.ImportedJobID(org, ij.Key), OrgID: org, OrgName: ij.Company,
			Title: d.Title, Description: d.Description, Skills: d.Skills,
			Seniority: d.Seniority, EmploymentType: d.EmploymentType, Salary: d.Salary,
			Eligibility: d.Eligibility, TimeZone: d.TimeZone,
		}
		recs = append(recs, rec{doc, rc.Job.DatePosted})
		if rc.Job.DatePosted.After(newest) {
			newest = rc.Job.DatePosted
		}
	}
	shift := Now.Add(-24 * time.Hour).Sub(newest)
	for _, r := range recs {
		d := r.job
		d.PublishedAt = r.posted.Add(shift).UTC()
		if r.posted.IsZero() {
			d.PublishedAt = Now.Add(-30 * 24 * time.Hour)
		}
		byID[d.ID] = d // a later repost replaces the earlier record
	}
	out := make([]search.Doc, 0, len(byID))
	for _, d := range byID {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
