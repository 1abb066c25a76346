package export

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
)

// Writer writes many jobs or profiles to one stream, item by item.
type Writer interface {
	// WriteJob writes one job posting of org. Writers of profiles return
	// an error with code invalid.
	WriteJob(j readmodel.Job, org readmodel.Org) error
	// WriteProfile writes one profile. Writers of jobs return an error
	// with code invalid.
	WriteProfile(p readmodel.Profile) error
	// Close ends the document (closing the JSON array, flushing CSV). It
	// does not close the underlying io.Writer.
	Close() error
}

// Formats lists the formats NewWriter knows.
var Formats = []string{"csv-jobs", "csv-profiles", "jsonld", "jsonresume"}

// Option tunes a Writer.
type Option func(*options)

type options struct{ baseURL string }

// WithBaseURL sets the site address used for the url of exported jobs.
func WithBaseURL(u string) Option { return func(o *options) { o.baseURL = u } }

// NewWriter returns a writer of format to w: "jsonld" (a JSON array of
// schema.org JobPostings), "jsonresume" (a JSON array of JSON Resume
// documents), "csv-jobs" or "csv-profiles" (a header row, then one row per
// item). An unknown format is an error with code invalid.
func NewWriter(w io.Writer, format string, opts ...Option) (Writer, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	switch format {
	case "jsonld":
		return &jsonArrayWriter{w: w, jobs: true, baseURL: o.baseURL}, nil
	case "jsonresume":
		return &jsonArrayWriter{w: w}, nil
	case "csv-jobs":
		return &csvWriter{w: csv.NewWriter(w), jobs: true, baseURL: o.baseURL}, nil
	case "csv-profiles":
		return &csvWriter{w: csv.NewWriter(w)}, nil
	}
	return nil, &meridian.Error{Code: meridian.EInvalid, Message: fmt.Sprintf("unknown export format %q (known: %s)", format, strings.Join(Formats, ", "))}
}

func wrongKind(format, want string) error {
	return &meridian.Error{Code: meridian.EInvalid, Message: fmt.Sprintf("a %s export holds %s", format, want)}
}

var errClosed = &meridian.Error{Code: meridian.EInvalid, Message: "export writer is closed"}

// jsonArrayWriter writes a JSON array one element at a time.
type jsonArrayWriter struct {
	w       io.Writer
	jobs    bool
	baseURL string
	n       int
	closed  bool
	err     error
}

func (a *jsonArrayWriter) write(v any) error {
	if a.err != nil {
		return a.err
	}
	if a.closed {
		return errClosed
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode export item: %w", err)
	}
	sep := ",\n"
	if a.n == 0 {
		sep = "[\n"
	}
	if _, err := io.WriteString(a.w, sep); err != nil {
		a.err = err
		return err
	}
	if _, err := a.w.Write(b); err != nil {
		a.err = err
		return err
	}
	a.n++
	return nil
}

func (a *jsonArrayWriter) WriteJob(j readmodel.Job, org readmodel.Org) error {
	if !a.jobs {
		return wrongKind("jsonresume", "profiles")
	}
	return a.write(JobPosting(j, org, a.baseURL))
}

func (a *jsonArrayWriter) WriteProfile(p readmodel.Profile) error {
	if a.jobs {
		return wrongKind("jsonld", "jobs")
	}
	return a.write(Resume(p))
}

func (a *jsonArrayWriter) Close() error {
	if a.closed {
		return nil
	}
	a.closed = true
	if a.err != nil {
		return a.err
	}
	end := "\n]\n"
	if a.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(a.w, end)
	return err
}

// JobColumns are the header of a csv-jobs export. The names are those the
// CSV importer recognizes, so an export imports again without a mapping.
var JobColumns = []string{"id", "title", "company", "company_url", "status", "employment_type", "seniority",
	"salary_min", "salary_max", "currency", "salary_period", "skills", "remote", "worldwide", "countries", "regions",
	"url", "apply_url", "date_posted", "valid_through", "description"}

// ProfileColumns are the header of a csv-profiles export.
var ProfileColumns = []string{"id", "name", "headline", "summary", "skills", "timezone", "work_start", "work_end",
	"countries", "seniority", "salary_floor", "currency", "salary_period", "visibility"}

// csvWriter writes one row per item. Text cells that a spreadsheet would
// run as a formula (starting with = + - @ or a tab/CR) get a leading
// apostrophe: exports are opened in spreadsheets, and titles, headlines
// and summaries are written by other users.
type csvWriter struct {
	w       *csv.Writer
	baseURL string
	jobs    bool
	header  bool
	closed  bool
}

func (c *csvWriter) row(cells []string) error {
	if c.closed {
		return errClosed
	}
	if !c.header {
		c.header = true
		h := ProfileColumns
		if c.jobs {
			h = JobColumns
		}
		if err := c.w.Write(h); err != nil {
			return err
		}
	}
	if err := c.w.Write(cells); err != nil {
		return err
	}
	return nil
}

func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func amount(minor int64, currency string) string {
	if minor <= 0 {
		return ""
	}
	return strconv.FormatFloat(MajorUnits(minor, currency), 'f', -1, 64)
}

func date(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func (c *csvWriter) WriteJob(j readmodel.Job, org readmodel.Org) error {
	if !c.jobs {
		return wrongKind("csv-profiles", "profiles")
	}
	skills := make([]string, len(j.Skills))
	for i, s := range j.Skills {
		skills[i] = s.Skill
	}
	var lo, hi, cur, per string
	if s := j.Salary; s != nil {
		lo, hi, cur, per = amount(s.Min, s.Currency), amount(s.Max, s.Currency), s.Currency, s.Period
	}
	name := org.Name
	if name == "" {
		name = j.OrgName
	}
	posted := j.Posted()
	if posted == nil {
		posted = &j.CreatedAt
	}
	return c.row([]string{j.ID, safeCell(j.Title), safeCell(name), safeCell(org.Website), j.Status, j.EmploymentType, j.Seniority,
		lo, hi, cur, per, safeCell(strings.Join(skills, ";")), "true", strconv.FormatBool(j.Eligibility.Worldwide),
		strings.Join(j.Eligibility.Countries, ";"), strings.Join(j.Eligibility.Regions, ";"),
		JobURL(c.baseURL, j.ID), safeCell(j.ApplyURL), date(posted), date(j.ValidThrough), safeCell(j.Description)})
}

func (c *csvWriter) WriteProfile(p readmodel.Profile) error {
	if c.jobs {
		return wrongKind("csv-jobs", "jobs")
	}
	if p.Erased {
		return c.row([]string{p.ID, "", "", "", "", "", "", "", "", "", "", "", "", p.Visibility})
	}
	skills := make([]string, len(p.Skills))
	for i, s := range p.Skills {
		skills[i] = s.Skill
	}
	var floor, cur, per string
	if f := p.SalaryFloor; f != nil {
		floor, cur, per = amount(f.Min, f.Currency), f.Currency, f.Period
	}
	return c.row([]string{p.ID, safeCell(p.DisplayName), safeCell(p.Headline), safeCell(p.Summary),
		safeCell(strings.Join(skills, ";")), p.TimeZone, p.WorkStart, p.WorkEnd, strings.Join(p.Countries, ";"),
		p.Seniority, floor, cur, per, p.Visibility})
}

func (c *csvWriter) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	if !c.header {
		h := ProfileColumns
		if c.jobs {
			h = JobColumns
		}
		c.w.Write(h)
	}
	c.w.Flush()
	return c.w.Error()
}
