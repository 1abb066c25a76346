package formats

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// DefaultMaxRecordBytes is the size limit of one record when
// Options.MaxRecordBytes is zero.
const DefaultMaxRecordBytes = 1 << 20

// Record is one item of an import file: a job, a profile, or the reason the
// item was rejected.
type Record struct {
	// Index is the 1-based number of the record in the file. Items that are
	// not records (the Remote OK legal notice, non-JobPosting nodes of a
	// JSON-LD graph) are skipped without taking a number.
	Index int
	// Line is the 1-based line where the record starts (0 if unknown).
	Line int
	// SourceID is a stable id of the record at its source ("remoteok:123",
	// "jsonld:<identifier or url>", "csv:<id>", "jsonresume:<hash>"). When the
	// source has no id it is a hash of the record's identifying fields, so
	// re-importing the same file yields the same ids.
	SourceID string
	// Job is set for job records that were decoded.
	Job *Job
	// Profile is set for profile records that were decoded.
	Profile *Profile
	// Warnings are problems that did not reject the record, such as a date
	// that could not be parsed (and was left zero).
	Warnings []string
	// Err is non-nil when the record is rejected; its message names the
	// field ("title: missing") or the framing problem ("record larger than
	// 1 MiB", "invalid JSON at byte 123: ...").
	Err error
}

// Job holds the raw fields of an imported job posting: strings as found in
// the file (HTML and entities left in), not yet cleaned or validated by the
// ingest pipeline.
type Job struct {
	Identifier  string
	Title       string
	Company     string
	CompanyURL  string
	CompanyLogo string
	Description string // HTML or text
	// Markdown says Description is already clean Markdown (the HN
	// importer writes it), not HTML to be cleaned.
	Markdown bool
	// Attribution is Markdown crediting the source (the HN importer's
	// author, date and link), appended to the stored description after the
	// parsers have read it: they never mistake it for the posting's text.
	Attribution    string
	DatePosted     time.Time
	ValidThrough   time.Time
	EmploymentType string // raw, e.g. "FULL_TIME", "Full-time", "FULL_TIME,CONTRACTOR"
	LocationText   string // free text
	// Remote is set by jobLocationType TELECOMMUTE or a "remote" flag.
	Remote bool
	// ApplicantCountries are raw country names or codes from
	// applicantLocationRequirements (or a countries column).
	ApplicantCountries []string
	SalaryText         string // free text, when the salary is not structured
	Salary             *StructuredSalary
	Skills             []string // raw tag or skill names
	ApplyURL           string
	URL                string
	Seniority          string // raw
	DirectApply        *bool
}

// StructuredSalary is a salary given as numbers in the file, in major units
// of Currency (which may be empty or not ISO 4217: it is raw).
type StructuredSalary struct {
	Min      float64
	Max      float64
	Currency string
	Unit     string // raw, e.g. "YEAR", "HOUR", "per month"
}

// Profile holds the raw fields of an imported developer profile.
type Profile struct {
	Name      string
	Email     string
	Label     string // headline
	Summary   string
	URL       string
	Location  Location
	Skills    []Skill
	Work      []Work
	Languages []Language
	// TimeZone, WorkStart, WorkEnd, Countries, SalaryFloor and Seniority
	// are Meridian's own profile fields, read from meta.meridian of a JSON
	// Resume written by Meridian's exporter, or from CSV columns.
	TimeZone    string
	WorkStart   string
	WorkEnd     string
	Countries   []string
	SalaryFloor *StructuredSalary
	Seniority   string
	// Meta holds the document's "meta" object (JSON Resume), if any.
	Meta map[string]any
}

// Location is where a profile's owner lives.
type Location struct {
	City        string
	Region      string
	CountryCode string
}

// Skill is one skill of a profile.
type Skill struct {
	Name     string
	Level    string // raw, e.g. "Advanced", "Master"
	Keywords []string
	Years    float64 // 0 when unknown
}

// Work is one position of a profile's work history.
type Work struct {
	Company    string
	Position   string
	StartDate  string // raw ISO 8601 date, possibly partial ("2019-04")
	EndDate    string
	Summary    string
	Highlights []string
}

// Language is a spoken language of a profile.
type Language struct {
	Language string
	Fluency  string
}

// Decoder reads the records of an import file one at a time. Next returns
// io.EOF at the end of the file; any other error means the stream itself
// cannot go on (the message says where). Rejected records are returned
// with a nil error and Record.Err set.
type Decoder interface {
	Next() (Record, error)
}

// CSVMapping maps Meridian field names (see JobFields and ProfileFields) to
// header names of a CSV file.
type CSVMapping map[string]string

// Options tune a decoder.
type Options struct {
	// MaxRecordBytes is the size limit of one record (default 1 MiB).
	// Larger records are rejected without being held in memory.
	MaxRecordBytes int
	// CSV maps Meridian fields to CSV header names; without it headers are
	// matched to field names and common synonyms, case-insensitively.
	CSV CSVMapping
	// Kind is what a CSV file holds: "job" (default) or "profile".
	Kind string
}

func (o Options) max() int {
	if o.MaxRecordBytes <= 0 {
		return DefaultMaxRecordBytes
	}
	return o.MaxRecordBytes
}

// Formats lists the formats NewDecoder knows.
var Formats = []string{"csv", "jsonld", "jsonresume", "remoteok"}

// NewDecoder returns a decoder of format ("jsonld", "jsonresume", "csv" or
// "remoteok") reading r. An unknown format, or an invalid CSV mapping or
// kind, is an error.
func NewDecoder(format string, r io.Reader, opt Options) (Decoder, error) {
	switch format {
	case "jsonld":
		return newJSONDecoder(r, opt, jsonldHandler()), nil
	case "jsonresume":
		return newJSONDecoder(r, opt, resumeHandler()), nil
	case "remoteok":
		return newJSONDecoder(r, opt, remoteOKHandler()), nil
	case "csv":
		return newCSVDecoder(r, opt)
	}
	return nil, fmt.Errorf("unknown import format %q (known: %s)", format, strings.Join(Formats, ", "))
}

// sizeText formats a byte count for messages ("1 MiB", "64 KiB", "100 bytes").
func sizeText(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func tooLargeErr(max int) error {
	return fmt.Errorf("record larger than %s", sizeText(max))
}

// hashID returns a short, stable hash of parts, for records without an id.
func hashID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(strings.ToLower(strings.TrimSpace(p))))
		h.Write([]byte{0})
	}
	return "sha256-" + hex.EncodeToString(h.Sum(nil)[:12])
}

// dateLayouts are the date and time forms accepted for dates.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02",
	time.RFC1123Z,
	time.RFC1123,
}

// parseDate parses an ISO 8601 date or date-time (UTC when no zone is given).
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// splitList splits a list written in one string ("go, sql; kafka").
func splitList(s string) []string {
	f := func(r rune) bool { return r == ',' || r == ';' || r == '|' }
	var out []string
	for _, p := range strings.FieldsFunc(s, f) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
