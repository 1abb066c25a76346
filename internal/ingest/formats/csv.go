package formats

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// JobFields are the Meridian field names a CSV file of jobs may map
// columns to, each with the header names recognized without a mapping
// (compared case-insensitively, with spaces and hyphens read as "_").
var JobFields = map[string][]string{
	"id":              {"id", "job_id", "external_id", "identifier", "ref", "reference"},
	"title":           {"title", "position", "job_title", "role", "job"},
	"company":         {"company", "employer", "organization", "organisation", "company_name", "org"},
	"company_url":     {"company_url", "company_website", "website", "employer_url"},
	"description":     {"description", "body", "details", "job_description"},
	"location":        {"location", "locations", "city", "place"},
	"remote":          {"remote", "is_remote", "telecommute"},
	"countries":       {"countries", "country", "applicant_countries", "eligible_countries"},
	"salary":          {"salary", "compensation", "pay", "salary_range"},
	"salary_min":      {"salary_min", "min_salary", "salary_from", "minimum_salary"},
	"salary_max":      {"salary_max", "max_salary", "salary_to", "maximum_salary"},
	"currency":        {"currency", "salary_currency"},
	"salary_period":   {"salary_period", "period", "salary_unit", "pay_period", "unit"},
	"skills":          {"skills", "tags", "technologies", "stack", "tech"},
	"url":             {"url", "link", "job_url", "permalink"},
	"apply_url":       {"apply_url", "application_url", "apply_link", "apply"},
	"date_posted":     {"date_posted", "date", "posted", "posted_at", "published_at", "published", "created_at"},
	"valid_through":   {"valid_through", "expires", "expires_at", "expiry", "deadline"},
	"employment_type": {"employment_type", "job_type", "type", "employment", "contract_type"},
	"seniority":       {"seniority", "level", "experience_level", "experience"},
}

// ProfileFields are the Meridian field names a CSV file of profiles may
// map columns to, with the header names recognized without a mapping.
var ProfileFields = map[string][]string{
	"id":            {"id", "profile_id", "external_id"},
	"name":          {"name", "full_name", "display_name", "displayname"},
	"email":         {"email", "e_mail", "mail"},
	"label":         {"label", "headline", "title"},
	"summary":       {"summary", "bio", "about"},
	"url":           {"url", "website", "homepage"},
	"city":          {"city"},
	"region":        {"region", "state", "province"},
	"country_code":  {"country_code", "country"},
	"skills":        {"skills", "tags", "technologies"},
	"timezone":      {"timezone", "time_zone", "tz"},
	"work_start":    {"work_start", "working_hours_start"},
	"work_end":      {"work_end", "working_hours_end"},
	"countries":     {"countries", "work_countries", "eligible_countries"},
	"seniority":     {"seniority", "level", "experience_level"},
	"salary_floor":  {"salary_floor", "min_salary", "salary_min", "salary"},
	"currency":      {"currency", "salary_currency"},
	"salary_period": {"salary_period", "period"},
	"languages":     {"languages", "language"},
}

func normHeader(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	return strings.NewReplacer(" ", "_", "-", "_", ".", "_").Replace(h)
}

// feeder hands the csv.Reader one record at a time.
type feeder struct{ b []byte }

func (f *feeder) Read(p []byte) (int, error) {
	if len(f.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.b)
	f.b = f.b[n:]
	return n, nil
}

type csvDecoder struct {
	max     int
	kind    string
	mapping CSVMapping
	r       *bufio.Reader
	back    []byte // bytes to read again before r
	line    int    // line of the next byte
	index   int
	err     error
	header  []string
	cols    map[string]int // field → column
	feed    feeder
	cr      *csv.Reader
	fed     int64
	fedNL   int // lines fed to cr before the current record
}

func newCSVDecoder(r io.Reader, opt Options) (*csvDecoder, error) {
	kind := opt.Kind
	if kind == "" {
		kind = "job"
	}
	fields := JobFields
	switch kind {
	case "job":
	case "profile":
		fields = ProfileFields
	default:
		return nil, fmt.Errorf("unknown CSV kind %q (known: job, profile)", opt.Kind)
	}
	for f := range opt.CSV {
		if _, ok := fields[f]; !ok {
			return nil, fmt.Errorf("CSV mapping: unknown %s field %q (known: %s)", kind, f, strings.Join(sortedKeys(fields), ", "))
		}
	}
	d := &csvDecoder{max: opt.max(), kind: kind, mapping: opt.CSV, r: bufio.NewReaderSize(r, 64<<10), line: 1}
	d.err = checkEncoding(d.r)
	d.newCSVReader()
	return d, nil
}

func (d *csvDecoder) newCSVReader() {
	d.feed.b = nil
	d.fed = 0
	d.fedNL = 0
	d.cr = csv.NewReader(&d.feed)
	d.cr.FieldsPerRecord = -1
	d.cr.ReuseRecord = true
}

func (d *csvDecoder) readByte() (byte, error) {
	if len(d.back) > 0 {
		c := d.back[0]
		d.back = d.back[1:]
		return c, nil
	}
	return d.r.ReadByte()
}

// readRecord returns the bytes of the next record, split where RFC 4180
// ends a record (a newline outside quotes). A record over the size limit
// is skipped to its end and reported as tooLong. A quoted field still open
// at the end of the input makes the record its first line only; the lines
// after it are read again.
func (d *csvDecoder) readRecord() (rec []byte, start int, tooLong bool, err error) {
	start = d.line
	inQuotes, fieldStart, pendingQuote := false, true, false
	firstLineEnd := -1
	for {
		c, e := d.readByte()
		if e != nil {
			if e != io.EOF {
				return nil, start, false, e
			}
			if len(rec) == 0 && !tooLong {
				return nil, start, false, io.EOF
			}
			if inQuotes && !pendingQuote && !tooLong && firstLineEnd >= 0 {
				d.back = append(rec[firstLineEnd:len(rec):len(rec)], d.back...)
				d.line = start + 1
				return rec[:firstLineEnd], start, false, nil
			}
			return rec, start, tooLong, nil
		}
		if tooLong {
			if c == '\n' {
				d.line++
				if !inQuotes {
					return nil, start, true, nil
				}
			}
			if c == '"' {
				inQuotes = !inQuotes
			}
			continue
		}
		rec = append(rec, c)
		if len(rec) > d.max {
			tooLong, rec = true, nil
			// stay in the quoting state found so far, to skip the record whole
			if pendingQuote {
				inQuotes, pendingQuote = false, false
			}
			if c == '\n' {
				d.line++
				if !inQuotes {
					return nil, start, true, nil
				}
			}
			continue
		}
		if c == '\n' {
			d.line++
			if firstLineEnd < 0 {
				firstLineEnd = len(rec)
			}
		}
		if inQuotes {
			if pendingQuote {
				pendingQuote = false
				if c == '"' {
					continue
				}
				inQuotes = false
			} else {
				if c == '"' {
					pendingQuote = true
				}
				continue
			}
		}
		switch c {
		case '"':
			if fieldStart {
				inQuotes = true
			}
			fieldStart = false
		case ',':
			fieldStart = true
		case '\n':
			return rec, start, false, nil
		default:
			fieldStart = false
		}
	}
}

// parse splits one record into fields with encoding/csv.
func (d *csvDecoder) parse(rec []byte, line int) ([]string, error) {
	if d.cr.InputOffset() != d.fed || len(d.feed.b) > 0 {
		d.newCSVReader()
	}
	d.feed.b = rec
	d.fed += int64(len(rec))
	before := d.fedNL
	d.fedNL += bytes.Count(rec, []byte{'\n'})
	if len(rec) > 0 && rec[len(rec)-1] != '\n' {
		d.fedNL++ // csv counts the last line even without a newline
	}
	fields, err := d.cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("line %d, column %d: %v", line+pe.Line-before-1, pe.Column, pe.Err)
		}
		if err == io.EOF {
			return nil, nil
		}
		return nil, fmt.Errorf("line %d: %v", line, err)
	}
	return fields, nil
}

// Next implements Decoder.
func (d *csvDecoder) Next() (Record, error) {
	for {
		if d.err != nil {
			return Record{}, d.err
		}
		rec, line, tooLong, err := d.readRecord()
		if err == io.EOF && d.header == nil {
			d.err = fmt.Errorf("empty CSV file: a header row is needed")
			continue
		}
		if err != nil {
			if err != io.EOF {
				err = fmt.Errorf("read CSV at line %d: %w", d.line, err)
			}
			d.err = err
			continue
		}
		if d.header == nil {
			if tooLong {
				d.err = fmt.Errorf("line %d: header row larger than %s", line, sizeText(d.max))
				continue
			}
			rec = bytes.TrimPrefix(rec, []byte("\xef\xbb\xbf"))
			if len(bytes.TrimSpace(rec)) == 0 {
				continue
			}
			fields, err := d.parse(rec, line)
			if err != nil {
				d.err = fmt.Errorf("header row: %w", err)
				continue
			}
			if err := d.setHeader(fields); err != nil {
				d.err = err
			}
			continue
		}
		if tooLong {
			d.index++
			return Record{Index: d.index, Line: line, Err: fmt.Errorf("line %d: %w", line, tooLargeErr(d.max))}, nil
		}
		if len(bytes.TrimSpace(rec)) == 0 {
			continue
		}
		d.index++
		out := Record{Index: d.index, Line: line}
		fields, err := d.parse(rec, line)
		switch {
		case err != nil:
			out.Err = err
		case invalidUTF8(rec) >= 0:
			out.Err = fmt.Errorf("line %d: invalid UTF-8: the file must be UTF-8 encoded", line)
		case len(fields) != len(d.header):
			out.Err = fmt.Errorf("line %d: expected %d fields as in the header, got %d", line, len(d.header), len(fields))
		case d.kind == "profile":
			d.profile(fields, &out)
		default:
			d.job(fields, &out)
		}
		return out, nil
	}
}

func (d *csvDecoder) setHeader(fields []string) error {
	d.header = append([]string(nil), fields...)
	byName := map[string]int{}
	for i, h := range d.header {
		if _, dup := byName[normHeader(h)]; !dup {
			byName[normHeader(h)] = i
		}
	}
	d.cols = map[string]int{}
	known := JobFields
	required := "title"
	if d.kind == "profile" {
		known, required = ProfileFields, "name"
	}
	for _, f := range sortedKeys(d.mapping) {
		i, ok := byName[normHeader(d.mapping[f])]
		if !ok {
			return fmt.Errorf("CSV mapping: column %q (for %s) is not in the header (%s)", d.mapping[f], f, strings.Join(d.header, ", "))
		}
		d.cols[f] = i
	}
	taken := map[int]bool{}
	for _, i := range d.cols {
		taken[i] = true
	}
	// exact field names first, then synonyms in order
	for pass := 0; pass < 2; pass++ {
		for _, f := range sortedKeys(known) {
			if _, ok := d.cols[f]; ok {
				continue
			}
			names := known[f]
			if pass == 0 {
				names = names[:1]
			}
			for _, n := range names {
				if i, ok := byName[n]; ok && !taken[i] {
					d.cols[f], taken[i] = i, true
					break
				}
			}
		}
	}
	if _, ok := d.cols[required]; !ok {
		return fmt.Errorf("CSV header has no %s column (headers: %s); name one with a mapping", required, strings.Join(d.header, ", "))
	}
	return nil
}

func (d *csvDecoder) get(fields []string, f string) string {
	if i, ok := d.cols[f]; ok && i < len(fields) {
		return fields[i]
	}
	return ""
}

func (d *csvDecoder) num(fields []string, f string, e *fieldErrs) (float64, bool) {
	s := strings.TrimSpace(d.get(fields, f))
	if s == "" {
		return 0, false
	}
	return e.number([]byte(strconv.Quote(s)), f)
}

func (d *csvDecoder) job(fields []string, out *Record) {
	var e fieldErrs
	j := &Job{
		Identifier:     d.get(fields, "id"),
		Title:          d.get(fields, "title"),
		Company:        d.get(fields, "company"),
		CompanyURL:     d.get(fields, "company_url"),
		Description:    d.get(fields, "description"),
		LocationText:   d.get(fields, "location"),
		SalaryText:     d.get(fields, "salary"),
		URL:            d.get(fields, "url"),
		ApplyURL:       d.get(fields, "apply_url"),
		EmploymentType: d.get(fields, "employment_type"),
		Seniority:      d.get(fields, "seniority"),
		Skills:         splitList(d.get(fields, "skills")),
	}
	j.ApplicantCountries = splitList(d.get(fields, "countries"))
	if strings.TrimSpace(j.Title) == "" {
		e.add("title", "missing")
	}
	if r := strings.ToLower(strings.TrimSpace(d.get(fields, "remote"))); r != "" {
		switch r {
		case "1", "true", "yes", "y", "remote", "telecommute", "fully remote", "x":
			j.Remote = true
		}
	}
	if strings.Contains(strings.ToLower(j.LocationText), "remote") {
		j.Remote = true
	}
	j.DatePosted = e.date([]byte(strconv.Quote(d.get(fields, "date_posted"))), "date_posted")
	j.ValidThrough = e.date([]byte(strconv.Quote(d.get(fields, "valid_through"))), "valid_through")
	lo, okLo := d.num(fields, "salary_min", &e)
	hi, okHi := d.num(fields, "salary_max", &e)
	if okLo || okHi {
		j.Salary = &StructuredSalary{Min: lo, Max: hi, Currency: strings.TrimSpace(d.get(fields, "currency")), Unit: strings.TrimSpace(d.get(fields, "salary_period"))}
	}
	out.Warnings = e.warnings
	if err := e.err(); err != nil {
		out.Err = fmt.Errorf("line %d: %w", out.Line, err)
		return
	}
	out.Job = j
	if id := strings.TrimSpace(j.Identifier); id != "" {
		out.SourceID = "csv:" + id
	} else {
		out.SourceID = "csv:" + hashID(j.Title, j.Company, j.LocationText)
	}
}

func (d *csvDecoder) profile(fields []string, out *Record) {
	var e fieldErrs
	p := &Profile{
		Name:    d.get(fields, "name"),
		Email:   d.get(fields, "email"),
		Label:   d.get(fields, "label"),
		Summary: d.get(fields, "summary"),
		URL:     d.get(fields, "url"),
		Location: Location{City: d.get(fields, "city"), Region: d.get(fields, "region"),
			CountryCode: d.get(fields, "country_code")},
		TimeZone:  strings.TrimSpace(d.get(fields, "timezone")),
		WorkStart: strings.TrimSpace(d.get(fields, "work_start")),
		WorkEnd:   strings.TrimSpace(d.get(fields, "work_end")),
		Countries: splitList(d.get(fields, "countries")),
		Seniority: d.get(fields, "seniority"),
	}
	for _, s := range splitList(d.get(fields, "skills")) {
		p.Skills = append(p.Skills, Skill{Name: s})
	}
	for _, l := range splitList(d.get(fields, "languages")) {
		p.Languages = append(p.Languages, Language{Language: l})
	}
	if strings.TrimSpace(p.Name) == "" {
		e.add("name", "missing")
	}
	if v, ok := d.num(fields, "salary_floor", &e); ok {
		p.SalaryFloor = &StructuredSalary{Min: v, Currency: strings.TrimSpace(d.get(fields, "currency")), Unit: strings.TrimSpace(d.get(fields, "salary_period"))}
	}
	out.Warnings = e.warnings
	if err := e.err(); err != nil {
		out.Err = fmt.Errorf("line %d: %w", out.Line, err)
		return
	}
	out.Profile = p
	switch {
	case strings.TrimSpace(d.get(fields, "id")) != "":
		out.SourceID = "csv:" + strings.TrimSpace(d.get(fields, "id"))
	case strings.TrimSpace(p.Email) != "":
		out.SourceID = "csv:" + hashID(p.Email)
	default:
		out.SourceID = "csv:" + hashID(p.Name, p.Label, p.Location.CountryCode)
	}
}
