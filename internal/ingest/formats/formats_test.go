package formats

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// decodeAll reads every record of in; streamErr is the error that ended
// the stream early (nil at io.EOF).
func decodeAll(tb testing.TB, format string, in io.Reader, opt Options) (recs []Record, streamErr error) {
	tb.Helper()
	d, err := NewDecoder(format, in, opt)
	if err != nil {
		tb.Fatalf("NewDecoder: %v", err)
	}
	for i := 0; ; i++ {
		if i > 1_000_000 {
			tb.Fatal("decoder does not end")
		}
		r, err := d.Next()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			return recs, err
		}
		recs = append(recs, r)
	}
}

// brief is what the table tests compare of a record.
type brief struct {
	Index     int
	Line      int
	SourceID  string
	Title     string
	Company   string
	Remote    bool
	Countries []string
	Skills    []string
	Salary    *StructuredSalary
	Err       string // substring of Record.Err
}

func briefOf(r Record) brief {
	b := brief{Index: r.Index, Line: r.Line, SourceID: r.SourceID}
	if r.Err != nil {
		b.Err = r.Err.Error()
	}
	if j := r.Job; j != nil {
		b.Title, b.Company, b.Remote, b.Countries, b.Skills, b.Salary = j.Title, j.Company, j.Remote, j.ApplicantCountries, j.Skills, j.Salary
	}
	if p := r.Profile; p != nil {
		b.Title, b.Company, b.Countries = p.Name, p.Label, p.Countries
		for _, s := range p.Skills {
			b.Skills = append(b.Skills, s.Name)
		}
	}
	return b
}

// errSubstring compares Err by substring, the rest exactly.
var errSubstring = cmp.Comparer(func(a, b brief) bool {
	ea, eb := a.Err, b.Err
	a.Err, b.Err = "", ""
	if !cmp.Equal(a, b) {
		return false
	}
	if ea == "" || eb == "" {
		return ea == eb
	}
	return strings.Contains(ea, eb) || strings.Contains(eb, ea)
})

const ldSingle = `{
  "@context": "https://schema.org/",
  "@type": "JobPosting",
  "title": "Senior Backend Engineer (Go)",
  "description": "<p>Build our ledger &amp; payments APIs in Go.</p>",
  "identifier": {"@type": "PropertyValue", "name": "Nimbus", "value": "BE-1042"},
  "datePosted": "2026-03-02",
  "validThrough": "2026-05-01T00:00",
  "employmentType": ["FULL_TIME", "CONTRACTOR"],
  "hiringOrganization": {"@type": "Organization", "name": "Nimbus Labs", "sameAs": "https://nimbus.example", "logo": "https://nimbus.example/logo.png"},
  "jobLocationType": "TELECOMMUTE",
  "applicantLocationRequirements": [{"@type": "Country", "name": "Germany"}, {"@type": "Country", "name": "PT"}],
  "baseSalary": {"@type": "MonetaryAmount", "currency": "EUR",
    "value": {"@type": "QuantitativeValue", "minValue": 80000, "maxValue": "95,000", "unitText": "YEAR"}},
  "skills": "Go, PostgreSQL, Kubernetes"
}
`

const ldGraph = `{
  "@context": "https://schema.org",
  "@graph": [
    {"@type": "WebPage", "@id": "https://jobs.example/#page", "name": "Careers"},
    {"@type": "Organization", "@id": "https://jobs.example/#org", "name": "Orbital GmbH", "sameAs": ["https://orbital.example"]},
    {
      "@type": ["JobPosting", "Thing"],
      "title": "Site Reliability Engineer",
      "description": "Keep things up.",
      "url": "https://jobs.example/sre",
      "hiringOrganization": {"@id": "https://jobs.example/#org"},
      "jobLocation": [
        {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Berlin", "addressCountry": {"@type": "Country", "name": "DE"}}},
        {"@type": "Place", "address": "Lisbon, Portugal"}
      ],
      "baseSalary": 70000
    },
    {"@type": "BreadcrumbList", "itemListElement": []},
    {"@type": "JobPosting", "title": "Data Engineer", "hiringOrganization": "Orbital GmbH",
     "applicantLocationRequirements": {"@type": "AdministrativeArea", "name": "European Union"},
     "jobLocationType": ["TELECOMMUTE"], "skills": ["Python", {"@type": "DefinedTerm", "name": "Spark"}]}
  ]
}`

const remoteOKSample = `[{"last_updated":1767225600,"legal":"API Terms of Service: Please link back to the URL on Remote OK and mention Remote OK as a source."},
{"slug":"remote-senior-go-engineer-acme-1093412","id":"1093412","epoch":1767139200,"date":"2025-12-31T00:00:00+00:00","company":"Acme &amp; Co","company_logo":"https://remoteok.example/logo.png","position":"Senior Go Engineer","tags":["golang","backend","postgres"],"description":"<p>We&#39;re hiring in caf\u00c3\u00a9s</p>","location":"Worldwide","salary_min":120000,"salary_max":160000,"apply_url":"https://remoteok.example/l/1093412","url":"https://remoteok.example/remote-jobs/1093412"},
{"slug":"platform-engineer-zeta-1093413","id":1093413,"epoch":"1767052800","company":"Zeta","position":"Platform Engineer","tags":"kubernetes, terraform","description":"","location":"Europe","salary_min":0,"salary_max":0,"apply_url":"","url":"https://remoteok.example/remote-jobs/1093413"},
{"id":1093414,"position":["Broken"],"company":{"name":"x"},"tags":[1,[2]],"salary_min":"lots","date":12}
]`

func TestDecodeFormats(t *testing.T) {
	eurSalary := &StructuredSalary{Min: 80000, Max: 95000, Currency: "EUR", Unit: "YEAR"}
	tests := []struct {
		name, format, in string
		opt              Options
		want             []brief
		streamErr        string
	}{
		{"jsonld single object", "jsonld", ldSingle, Options{}, []brief{
			{Index: 1, Line: 1, SourceID: "jsonld:BE-1042", Title: "Senior Backend Engineer (Go)", Company: "Nimbus Labs", Remote: true,
				Countries: []string{"Germany", "PT"}, Skills: []string{"Go", "PostgreSQL", "Kubernetes"}, Salary: eurSalary},
		}, ""},
		{"jsonld graph with org reference", "jsonld", ldGraph, Options{}, []brief{
			{Index: 1, Line: 6, SourceID: "jsonld:https://jobs.example/sre", Title: "Site Reliability Engineer", Company: "Orbital GmbH",
				Salary: &StructuredSalary{Min: 70000, Max: 70000}},
			{Index: 2, Line: 19, SourceID: "jsonld:" + hashID("Data Engineer", "Orbital GmbH", ""), Title: "Data Engineer", Company: "Orbital GmbH",
				Remote: true, Countries: []string{"European Union"}, Skills: []string{"Python", "Spark"}},
		}, ""},
		{"jsonld array with a bad element", "jsonld", "[\n" + `{"@type":"JobPosting","title":"A","hiringOrganization":"X"},` + "\n" +
			`{"@type":"JobPosting","title":"B", "remote": tru},` + "\n" +
			`{"@type":"Organization","name":"not a posting"},` + "\n" +
			`{"title":"no type"},` + "\n" +
			`"a string",` + "\n" +
			`{"@type":"JobPosting","title":"C","hiringOrganization":"Y"}` + "\n]\n", Options{}, []brief{
			{Index: 1, Line: 2, SourceID: "jsonld:" + hashID("A", "X", ""), Title: "A", Company: "X"},
			{Index: 2, Line: 3, Err: "invalid JSON at byte"},
			{Index: 3, Line: 5, Err: "@type: missing"},
			{Index: 4, Line: 6, Err: "expected a JSON-LD object, got string"},
			{Index: 5, Line: 7, SourceID: "jsonld:" + hashID("C", "Y", ""), Title: "C", Company: "Y"},
		}, ""},
		{"jsonld lines", "jsonld", `{"@type":"JobPosting","title":"A","identifier":"a1"}` + "\n" +
			`{"@type":"JobPosting","title":` + "\n\n" +
			`[{"@type":"JobPosting","title":"B","identifier":7},{"@type":"JobPosting","identifier":"c"}]` + "\n" +
			`{"@type":"JobPosting","title":{"x":1},"datePosted":5,"baseSalary":[1],"directApply":"maybe"}`, Options{}, []brief{
			{Index: 1, Line: 1, SourceID: "jsonld:a1", Title: "A"},
			{Index: 2, Line: 2, Err: "invalid JSON at byte 83 (line 2): unexpected end of JSON input"},
			{Index: 3, Line: 4, SourceID: "jsonld:7", Title: "B"},
			{Index: 4, Line: 4, Err: "title: missing"},
			{Index: 5, Line: 5, Err: "title: expected text, got object; datePosted: expected a date, got number; directApply: expected true or false"},
		}, ""},
		{"jsonld truncated document", "jsonld", `[{"@type":"JobPosting","title":"A"}, {"@type":"JobPosting","title":"B"`, Options{}, []brief{
			{Index: 1, Line: 1, SourceID: "jsonld:" + hashID("A", "", ""), Title: "A"},
		}, "truncated"},
		{"remoteok", "remoteok", remoteOKSample, Options{}, []brief{
			{Index: 1, Line: 2, SourceID: "remoteok:1093412", Title: "Senior Go Engineer", Company: "Acme &amp; Co", Remote: true,
				Skills: []string{"golang", "backend", "postgres"}, Salary: &StructuredSalary{Min: 120000, Max: 160000, Currency: "USD", Unit: "YEAR"}},
			{Index: 2, Line: 3, SourceID: "remoteok:1093413", Title: "Platform Engineer", Company: "Zeta", Remote: true, Skills: []string{"kubernetes", "terraform"}},
			{Index: 3, Line: 4, Err: "company: expected text, got object; tags[1]: expected text, got array; date: expected a date, got number; salary_min: expected a number"},
		}, ""},
		{"csv with synonyms, multi-line fields and bad rows", "csv",
			"\xef\xbb\xbfJob Title,Employer,Location,Tags,Salary Min,Salary Max,Currency,Date,ID,Description\r\n" +
				"Backend Engineer,Acme,Remote (EU),\"go;sql\",90000,120000,EUR,2026-02-01,A-1,\"Line one\nline \"\"two\"\"\"\r\n" +
				"Too,few,columns\r\n" +
				"Bad \"quote,Acme,,,,,,,,\r\n" +
				"\r\n" +
				"SRE,Beta,Berlin,k8s,lots,,USD,yesterday,,text\r\n" +
				"Data Engineer,Gamma,\"Lisbon, PT\",python,,,,,,\"open quote\n" +
				"Go Dev,Delta,Remote,go,1,2,USD,,D-4,ok\n",
			Options{}, []brief{
				{Index: 1, Line: 2, SourceID: "csv:A-1", Title: "Backend Engineer", Company: "Acme", Remote: true, Skills: []string{"go", "sql"},
					Salary: &StructuredSalary{Min: 90000, Max: 120000, Currency: "EUR"}},
				{Index: 2, Line: 4, Err: "line 4: expected 10 fields as in the header, got 3"},
				{Index: 3, Line: 5, Err: "line 5, column 5: bare \" in non-quoted-field"},
				{Index: 4, Line: 7, Err: "line 7: salary_min: expected a number, got \"lots\""},
				{Index: 5, Line: 8, Err: "line 8, column"},
				{Index: 6, Line: 9, SourceID: "csv:D-4", Title: "Go Dev", Company: "Delta", Remote: true, Skills: []string{"go"},
					Salary: &StructuredSalary{Min: 1, Max: 2, Currency: "USD"}},
			}, ""},
		{"csv profiles with a mapping", "csv", "Full Name,Tagline,Stack,Where\nAda Lovelace,Staff engineer,go;rust,\"GB, PT\"\n,nameless,,\n",
			Options{Kind: "profile", CSV: CSVMapping{"name": "full name", "label": "Tagline", "skills": "Stack", "countries": "Where"}}, []brief{
				{Index: 1, Line: 2, SourceID: "csv:" + hashID("Ada Lovelace", "Staff engineer", ""), Title: "Ada Lovelace", Company: "Staff engineer",
					Countries: []string{"GB", "PT"}, Skills: []string{"go", "rust"}},
				{Index: 2, Line: 3, Err: "name: missing"},
			}, ""},
		{"csv without a title column", "csv", "foo,bar\n1,2\n", Options{}, nil, "no title column"},
		{"jsonresume lines", "jsonresume", `{"basics":{"name":"Grace","email":"grace@example.com","location":{"countryCode":"US"}},"skills":[{"name":"COBOL","level":"Master","keywords":["compilers"]}]}` + "\n" +
			`{"basics":{"name":5}}` + "\n" + `{"basics":{"label":"anonymous"}}` + "\n" + `{"skills":[{"name":"Go","keywords":"not a list"}],"basics":{"name":"X"}}` + "\n",
			Options{}, []brief{
				{Index: 1, Line: 1, SourceID: "jsonresume:" + hashID("grace@example.com"), Title: "Grace", Skills: []string{"COBOL"}},
				{Index: 2, Line: 2, Err: "basics.name: expected a string, got number"},
				{Index: 3, Line: 3, Err: "basics.name: missing"},
				{Index: 4, Line: 4, Err: "skills.keywords: expected an array, got string"},
			}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := decodeAll(t, tt.format, strings.NewReader(tt.in), tt.opt)
			switch {
			case tt.streamErr == "" && err != nil:
				t.Fatalf("stream error: %v", err)
			case tt.streamErr != "" && (err == nil || !strings.Contains(err.Error(), tt.streamErr)):
				t.Fatalf("stream error = %v, want one containing %q", err, tt.streamErr)
			}
			var got []brief
			for _, r := range recs {
				got = append(got, briefOf(r))
			}
			if diff := cmp.Diff(tt.want, got, errSubstring); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeJSONLDFields(t *testing.T) {
	recs, err := decodeAll(t, "jsonld", strings.NewReader(ldSingle), Options{})
	if err != nil || len(recs) != 1 || recs[0].Job == nil {
		t.Fatalf("recs=%+v err=%v", recs, err)
	}
	j := recs[0].Job
	want := Job{
		Identifier: "BE-1042", Title: "Senior Backend Engineer (Go)", Company: "Nimbus Labs", CompanyURL: "https://nimbus.example",
		CompanyLogo: "https://nimbus.example/logo.png", Description: "<p>Build our ledger &amp; payments APIs in Go.</p>",
		DatePosted: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), ValidThrough: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC),
		EmploymentType: "FULL_TIME,CONTRACTOR", Remote: true, ApplicantCountries: []string{"Germany", "PT"},
		Salary: &StructuredSalary{Min: 80000, Max: 95000, Currency: "EUR", Unit: "YEAR"}, Skills: []string{"Go", "PostgreSQL", "Kubernetes"},
	}
	if diff := cmp.Diff(want, *j); diff != "" {
		t.Errorf("job (-want +got):\n%s", diff)
	}
	recs, _ = decodeAll(t, "jsonld", strings.NewReader(ldGraph), Options{})
	if got := recs[0].Job.LocationText; got != "Berlin, DE; Lisbon, Portugal" {
		t.Errorf("LocationText = %q", got)
	}
	recs, _ = decodeAll(t, "remoteok", strings.NewReader(remoteOKSample), Options{})
	if got := recs[0].Job.Description; got != "<p>We&#39;re hiring in caf\u00c3\u00a9s</p>" {
		t.Errorf("remoteok description must stay raw, got %q", got)
	}
	if got := recs[1].Job.DatePosted; !got.Equal(time.Unix(1767052800, 0)) {
		t.Errorf("epoch date = %v", got)
	}
}

func TestDecodeJSONResumeSample(t *testing.T) {
	f, err := os.Open("testdata/jsonresume/sample.resume.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := decodeAll(t, "jsonresume", f, Options{})
	if err != nil || len(recs) != 1 || recs[0].Err != nil {
		t.Fatalf("recs=%+v err=%v", recs, err)
	}
	p := recs[0].Profile
	if p.Name != "Richard Hendriks" || p.Location.CountryCode != "US" || len(p.Work) == 0 || p.Work[0].Company != "Pied Piper" || len(p.Skills) == 0 {
		t.Errorf("profile = %+v", p)
	}
	// the same document twice in an array, pretty-printed
	b, _ := os.ReadFile("testdata/jsonresume/sample.resume.json")
	recs, err = decodeAll(t, "jsonresume", io.MultiReader(strings.NewReader("[\n"), bytes.NewReader(b), strings.NewReader(",\n"), bytes.NewReader(b), strings.NewReader("]")), Options{})
	if err != nil || len(recs) != 2 || recs[1].Profile == nil || recs[1].Line != 1+strings.Count("[\n"+string(b)+",\n", "\n") {
		t.Fatalf("array: %d recs, err=%v, %+v", len(recs), err, recs)
	}
	if recs[0].SourceID != recs[1].SourceID {
		t.Errorf("same resume, different ids %q %q", recs[0].SourceID, recs[1].SourceID)
	}
}

func TestUnknownFormat(t *testing.T) {
	_, err := NewDecoder("xml", strings.NewReader(""), Options{})
	if err == nil || !strings.Contains(err.Error(), "csv, jsonld, jsonresume, remoteok") {
		t.Errorf("err = %v", err)
	}
	if _, err := NewDecoder("csv", strings.NewReader(""), Options{Kind: "company"}); err == nil {
		t.Error("unknown kind accepted")
	}
	if _, err := NewDecoder("csv", strings.NewReader(""), Options{CSV: CSVMapping{"salaryy": "x"}}); err == nil {
		t.Error("unknown mapped field accepted")
	}
}

func TestSourceIDsStable(t *testing.T) {
	in := "title,company,location\nGo Dev,Acme,Remote\nGo Dev,Acme,Remote\nGo Dev,Beta,Remote\n"
	recs, _ := decodeAll(t, "csv", strings.NewReader(in), Options{})
	if recs[0].SourceID != recs[1].SourceID || recs[0].SourceID == recs[2].SourceID {
		t.Errorf("ids: %q %q %q", recs[0].SourceID, recs[1].SourceID, recs[2].SourceID)
	}
}

// hostile returns records that must each be rejected, with what the reason
// must mention.
func hostile() (items []string, reasons []string) {
	big := `{"@type":"JobPosting","title":"` + strings.Repeat("A", 10<<20) + `"}`
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	deepObj := strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000)
	wrong := `{"@type":"JobPosting","title":[],"description":{},"datePosted":true,"validThrough":[1],"employmentType":{"a":1},` +
		`"hiringOrganization":{"name":{}},"jobLocation":[[]],"applicantLocationRequirements":[{"name":5}, [1]],` +
		`"baseSalary":{"value":{"minValue":"x","maxValue":{}}},"skills":[[]],"identifier":[],"directApply":5}`
	latin1 := "{\"@type\":\"JobPosting\",\"title\":\"Caf\xe9 engineer\"}"
	return []string{big, deep, deepObj, wrong, latin1},
		[]string{"record larger than 1 MiB", "invalid JSON", "invalid JSON", "description: expected text, got object", "invalid UTF-8"}
}

func TestHostileRecords(t *testing.T) {
	good := func(i int) string { return `{"@type":"JobPosting","title":"good ` + string(rune('0'+i)) + `"}` }
	items, reasons := hostile()
	check := func(t *testing.T, in string) {
		t.Helper()
		recs, err := decodeAll(t, "jsonld", strings.NewReader(in), Options{})
		if err != nil {
			t.Fatalf("stream error: %v", err)
		}
		if len(recs) != 2*len(items)+1 {
			t.Fatalf("got %d records, want %d", len(recs), 2*len(items)+1)
		}
		for i := range items {
			if r := recs[2*i]; r.Job == nil || r.Job.Title != "good "+string(rune('0'+i)) {
				t.Errorf("record %d: want good %d, got %+v", 2*i+1, i, r)
			}
			r := recs[2*i+1]
			if r.Err == nil || !strings.Contains(r.Err.Error(), reasons[i]) {
				t.Errorf("hostile %d: err = %v, want %q", i, r.Err, reasons[i])
			}
		}
		if r := recs[len(recs)-1]; r.Job == nil {
			t.Errorf("last good record: %+v", r)
		}
	}
	t.Run("json lines", func(t *testing.T) {
		var b strings.Builder
		for i, it := range items {
			b.WriteString(good(i) + "\n" + it + "\n")
		}
		b.WriteString(good(9) + "\n")
		check(t, b.String())
	})
	t.Run("array", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("[\n")
		for i, it := range items {
			b.WriteString(good(i) + ",\n" + it + ",\n")
		}
		b.WriteString(good(9) + "\n]")
		check(t, b.String())
	})
	t.Run("graph", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("{\"@context\": \"https://schema.org\",\n\"@graph\": [\n")
		for i, it := range items {
			b.WriteString(good(i) + ",\n" + it + ",\n")
		}
		b.WriteString(good(9) + "\n]}")
		check(t, b.String())
	})
	t.Run("csv", func(t *testing.T) {
		in := "title,company\n" +
			"good 0,A\n" + "\"" + strings.Repeat("x", 2<<20) + "\",B\n" +
			"good 1,A\n" + "Caf\xe9,B\n" +
			"good 2,A\n" + "\x00,\"\n" + "good 3,A\n"
		recs, err := decodeAll(t, "csv", strings.NewReader(in), Options{})
		if err != nil {
			t.Fatal(err)
		}
		var titles, errs []string
		for _, r := range recs {
			if r.Job != nil {
				titles = append(titles, r.Job.Title)
			} else {
				errs = append(errs, r.Err.Error())
			}
		}
		if diff := cmp.Diff([]string{"good 0", "good 1", "good 2", "good 3"}, titles); diff != "" {
			t.Errorf("titles: %s (errors %q)", diff, errs)
		}
		if len(errs) != 3 || !strings.Contains(errs[0], "record larger than 1 MiB") || !strings.Contains(errs[1], "invalid UTF-8") {
			t.Errorf("errors = %q", errs)
		}
	})
	t.Run("utf-16", func(t *testing.T) {
		_, err := decodeAll(t, "jsonld", strings.NewReader("\xff\xfe[\x00]\x00"), Options{})
		if err == nil || !strings.Contains(err.Error(), "UTF-16") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestOversizedArrayElementNotBuffered(t *testing.T) {
	// 64 MiB element, limit 64 KiB: the decoder must not read it into memory.
	const size = 64 << 20
	in := io.MultiReader(strings.NewReader(`[{"@type":"JobPosting","title":"A"},{"@type":"JobPosting","description":"`),
		&repeatReader{b: 'x', n: size}, strings.NewReader(`"},{"@type":"JobPosting","title":"B"}]`))
	var before, after runtimeMem
	before.read()
	recs, err := decodeAll(t, "jsonld", in, Options{MaxRecordBytes: 64 << 10})
	after.read()
	if err != nil || len(recs) != 3 || recs[1].Err == nil || recs[2].Job == nil || recs[2].Job.Title != "B" {
		t.Fatalf("err=%v recs=%+v", err, recs)
	}
	if grown := after.totalAlloc - before.totalAlloc; grown > 16<<20 {
		t.Errorf("allocated %d MiB for a 64 MiB element with a 64 KiB limit", grown>>20)
	}
}

type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = r.b
	}
	r.n -= k
	return k, nil
}

var errBoom = errors.New("boom")

type failingReader struct{ r io.Reader }

func (f failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errBoom
	}
	return n, err
}

func TestReadErrorsStopTheStream(t *testing.T) {
	for _, format := range []string{"jsonld", "csv", "remoteok"} {
		in := `[{"@type":"JobPosting","title":"A"}`
		if format == "csv" {
			in = "title\nA\nB"
		}
		_, err := decodeAll(t, format, failingReader{strings.NewReader(in)}, Options{})
		if err == nil {
			t.Errorf("%s: no error", format)
		}
	}
}
