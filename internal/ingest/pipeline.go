package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/ingest/fields"
	"github.com/meridianhq/meridian/internal/ingest/formats"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/skills"
)

// Formats lists the import formats.
var Formats = []string{"jsonld", "jsonresume", "csv", "remoteok", "hn"}

// Options configure one import.
type Options struct {
	// Format is one of Formats.
	Format string
	// OrgID imports every posting into this organization (the REST
	// endpoint's mode). Empty: each posting's company names its employer,
	// created on first sight (platform admins and the CLI only).
	OrgID string
	// Owner is the user whose profile a JSON Resume import creates or
	// updates (default: the acting person).
	Owner string
	// Visibility of imported profiles (default employers).
	Visibility string
	// CSV maps Meridian's field names to the file's column headers.
	CSV formats.CSVMapping
	// CSVKind is "job" (default) or "profile".
	CSVKind string
	// MaxRecordBytes bounds one record (default 1 MiB).
	MaxRecordBytes int
	// BatchSize is the number of records written per append (default 500).
	BatchSize int
	// Progress, when set, is called after every batch with the counts so far.
	Progress func(Report)
	// OrgOwner, when set, names the first owner of the organization
	// created for a company (platform admins only; default the importer).
	OrgOwner func(company string) string
	// Observe, when set, is called for every posting written, with what
	// happened to it (the demo loader uses it to pick postings).
	Observe func(job app.ImportJob, outcome app.ImportOutcome)
	// Now is the clock (default: the application's).
	Now func() time.Time
}

// MaxRejections bounds the rejections a report lists; further ones are
// only counted.
const MaxRejections = 10000

// Rejection is one record that was not imported.
type Rejection struct {
	Record   int    `json:"record"`
	Line     int    `json:"line,omitempty"`
	SourceID string `json:"sourceId,omitempty"`
	Reason   string `json:"reason"`
}

// Report says what an import did.
type Report struct {
	Format      string        `json:"format"`
	Records     int           `json:"records"`
	Created     int           `json:"created"`
	Updated     int           `json:"updated"`
	Merged      int           `json:"merged"`
	Unchanged   int           `json:"unchanged"`
	Rejected    int           `json:"rejected"`
	OrgsCreated int           `json:"orgsCreated,omitempty"`
	Rejections  []Rejection   `json:"rejections"`
	Warnings    int           `json:"warnings,omitempty"`
	Duration    time.Duration `json:"-"`
	Seconds     float64       `json:"seconds"`
	// Position is the event-store position of the import's last write
	// (0: nothing written); wait for it before reading the results back.
	Position int64 `json:"position,omitempty"`
	// Stream is set when the file could not be read to its end: what was
	// before the problem is imported, the rest is not.
	Stream string `json:"streamError,omitempty"`
}

func (r *Report) reject(rec formats.Record, reason string) {
	r.Rejected++
	if len(r.Rejections) < MaxRejections {
		r.Rejections = append(r.Rejections, Rejection{Record: rec.Index, Line: rec.Line, SourceID: rec.SourceID, Reason: reason})
	}
}

// Importer runs imports through the application layer.
type Importer struct {
	App *app.App
	// Extractor finds skills in text (default skills.DefaultExtractor()).
	Extractor *skills.Extractor
	// Rates normalizes structured salaries' currencies (default fields.DefaultRates()).
	Rates *fields.Rates
}

func (im *Importer) extractor() *skills.Extractor {
	if im.Extractor == nil {
		return skills.DefaultExtractor()
	}
	return im.Extractor
}

// decoder opens the format's decoder.
func decoder(r io.Reader, opt Options) (formats.Decoder, error) {
	if opt.Format == "hn" {
		return NewHNDecoder(r, opt.MaxRecordBytes), nil
	}
	fo := formats.Options{MaxRecordBytes: opt.MaxRecordBytes, CSV: opt.CSV, Kind: opt.CSVKind}
	if opt.Format == "jsonresume" && fo.Kind == "" {
		fo.Kind = "profile"
	}
	d, err := formats.NewDecoder(opt.Format, r, fo)
	if err != nil {
		return nil, meridian.Errorf(meridian.EInvalid, "%v", err)
	}
	return d, nil
}

// Run imports everything r holds, acting as the principal in ctx.
func (im *Importer) Run(ctx context.Context, r io.Reader, opt Options) (Report, error) {
	start := time.Now()
	rep := Report{Format: opt.Format, Rejections: []Rejection{}}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 500
	}
	if opt.Now == nil {
		opt.Now = im.App.Clock
		if opt.Now == nil {
			opt.Now = meridian.SystemClock
		}
	}
	dec, err := decoder(r, opt)
	if err != nil {
		return rep, err
	}
	if opt.Format != "jsonresume" && opt.CSVKind != "profile" {
		if err := im.App.CanImportJobs(ctx, opt.OrgID); err != nil {
			return rep, err
		}
	}
	err = im.run(ctx, dec, opt, &rep)
	rep.Duration = time.Since(start)
	rep.Seconds = rep.Duration.Seconds()
	return rep, err
}

// pending is one decoded record on its way to the store.
type pending struct {
	rec formats.Record
	job app.ImportJob
	err error
}

func (im *Importer) run(ctx context.Context, dec formats.Decoder, opt Options, rep *Report) error {
	// Three stages overlap: decoding the next batch, normalizing the one
	// before it (the CPU-heavy part, on every core) and writing the one
	// before that.
	raw := make(chan []pending, 2)
	ready := make(chan []pending, 2)
	var readErr error
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer close(raw)
		for {
			batch, err := readBatch(dec, opt.BatchSize)
			if len(batch) > 0 {
				select {
				case raw <- batch:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				if !errors.Is(err, io.EOF) {
					readErr = err
				}
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		defer close(ready)
		for batch := range raw {
			im.normalizeAll(batch, opt)
			select {
			case ready <- batch:
			case <-ctx.Done():
				for range raw { // let the reader finish
				}
				return
			}
		}
	}()
	var writeErr error
	for batch := range ready {
		if writeErr != nil {
			continue // drain
		}
		if err := im.write(ctx, batch, opt, rep); err != nil {
			writeErr = err
			cancel()
			continue
		}
		if opt.Progress != nil {
			opt.Progress(*rep)
		}
	}
	wg.Wait()
	if writeErr != nil {
		return writeErr
	}
	if readErr != nil {
		rep.Stream = readErr.Error()
		return meridian.Errorf(meridian.EInvalid, "the file could not be read to its end (records before the problem were imported): %v", readErr)
	}
	return nil
}

func readBatch(dec formats.Decoder, n int) ([]pending, error) {
	batch := make([]pending, 0, n)
	for len(batch) < n {
		rec, err := dec.Next()
		if err != nil {
			return batch, err
		}
		batch = append(batch, pending{rec: rec})
	}
	return batch, nil
}

// normalizeAll turns a batch's job records into import commands, in parallel.
func (im *Importer) normalizeAll(batch []pending, opt Options) {
	now := opt.Now()
	workers := min(runtime.GOMAXPROCS(0), max(1, len(batch)/32))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(batch); i += workers {
				p := &batch[i]
				if p.rec.Err != nil || p.rec.Job == nil {
					continue
				}
				p.job, p.err = im.NormalizeJob(p.rec.Job, p.rec.SourceID, now)
			}
		}(w)
	}
	wg.Wait()
}

func (im *Importer) write(ctx context.Context, batch []pending, opt Options, rep *Report) error {
	var jobs []app.ImportJob
	var idx []int
	for i, p := range batch {
		rep.Records++
		rep.Warnings += len(p.rec.Warnings)
		switch {
		case p.rec.Err != nil:
			rep.reject(p.rec, Reason(p.rec.Err))
		case p.rec.Profile != nil:
			if err := im.importProfile(ctx, p.rec, opt, rep); err != nil {
				return err
			}
		case p.rec.Job == nil:
			rep.reject(p.rec, "the record is neither a posting nor a profile")
		case p.err != nil:
			rep.reject(p.rec, Reason(p.err))
		default:
			if opt.OrgOwner != nil {
				p.job.OwnerID = opt.OrgOwner(p.job.Company)
			}
			jobs = append(jobs, p.job)
			idx = append(idx, i)
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	res, err := im.App.ImportJobs(ctx, opt.OrgID, jobs)
	if err != nil {
		return err
	}
	rep.OrgsCreated += res.OrgsCreated
	if res.Position > rep.Position {
		rep.Position = res.Position
	}
	for k, o := range res.Outcomes {
		if opt.Observe != nil && o.Action != app.ImportRejected {
			opt.Observe(jobs[k], o)
		}
		switch o.Action {
		case app.ImportCreated:
			rep.Created++
		case app.ImportUpdated:
			rep.Updated++
		case app.ImportMerged:
			rep.Merged++
		case app.ImportUnchanged:
			rep.Unchanged++
		default:
			reason := "rejected"
			if o.Err != nil {
				reason = Reason(o.Err)
			}
			rep.reject(batch[idx[k]].rec, reason)
		}
	}
	return nil
}

func (im *Importer) importProfile(ctx context.Context, rec formats.Record, opt Options, rep *Report) error {
	d, err := im.NormalizeProfile(rec.Profile)
	if err != nil {
		rep.reject(rec, Reason(err))
		return nil
	}
	res, action, err := im.App.ImportProfile(ctx, opt.Owner, rec.SourceID, opt.Visibility, d)
	switch code := meridian.ErrorCode(err); {
	case err == nil:
	case code == meridian.EInvalid || code == meridian.ERule || code == meridian.ENotFound:
		rep.reject(rec, Reason(err))
		return nil
	default:
		return fmt.Errorf("import profile of record %d: %w", rec.Index, err)
	}
	if res.Position > rep.Position {
		rep.Position = res.Position
	}
	switch action {
	case app.ImportCreated:
		rep.Created++
	case app.ImportUpdated:
		rep.Updated++
	default:
		rep.Unchanged++
	}
	return nil
}

// ParseMapping reads a CSV column mapping written as
// "field=Header,field=Header" (Meridian field name = the file's header).
func ParseMapping(s string) (formats.CSVMapping, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	m := formats.CSVMapping{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			return nil, meridian.Errorf(meridian.EInvalid, "map: %q is not field=Header", part)
		}
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return m, nil
}
