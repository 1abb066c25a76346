package formats

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

const fuzzMax = 4 << 10

// fuzzDecode decodes data and checks the decoder's promises: no panic, an
// end, records numbered 1, 2, 3..., each either decoded or rejected with a
// reason, no record holding more than the size limit, and the same result
// twice.
func fuzzDecode(t *testing.T, format string, data []byte, opt Options) {
	opt.MaxRecordBytes = fuzzMax
	run := func() []string {
		recs, _ := decodeAll(t, format, bytes.NewReader(data), opt)
		var ids []string
		for i, r := range recs {
			if r.Index != i+1 {
				t.Fatalf("record %d has Index %d", i+1, r.Index)
			}
			if (r.Err == nil) == (r.Job == nil && r.Profile == nil) {
				t.Fatalf("record %d: Err=%v Job=%v Profile=%v", r.Index, r.Err, r.Job, r.Profile)
			}
			if r.Err == nil && r.SourceID == "" {
				t.Fatalf("record %d without SourceID", r.Index)
			}
			if n := heldBytes(r); n > 2*fuzzMax {
				t.Fatalf("record %d holds %d bytes (limit %d)", r.Index, n, fuzzMax)
			}
			ids = append(ids, fmt.Sprint(r.SourceID, r.Err))
		}
		return ids
	}
	a, b := run(), run()
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatal("decoding twice gives different records")
	}
}

func heldBytes(r Record) int {
	n := 0
	if j := r.Job; j != nil {
		n += len(j.Identifier) + len(j.Title) + len(j.Company) + len(j.CompanyURL) + len(j.CompanyLogo) + len(j.Description) +
			len(j.EmploymentType) + len(j.LocationText) + len(j.SalaryText) + len(j.ApplyURL) + len(j.URL) + len(j.Seniority)
		for _, s := range append(j.Skills, j.ApplicantCountries...) {
			n += len(s)
		}
	}
	if p := r.Profile; p != nil {
		n += len(p.Name) + len(p.Email) + len(p.Label) + len(p.Summary) + len(p.URL)
		for _, s := range p.Skills {
			n += len(s.Name) + len(s.Level)
		}
		for _, w := range p.Work {
			n += len(w.Company) + len(w.Position) + len(w.Summary)
		}
	}
	return n
}

func FuzzDecodeJSONLD(f *testing.F) {
	for _, s := range []string{ldSingle, ldGraph, `[{"@type":"JobPosting","title":"A"},{"@type":"JobPosting","title":"B","x":tru},{"@type":"JobPosting","title":"C"}]`,
		"{\"@type\":\"JobPosting\",\"title\":\"A\"}\n{bad\n[{\"@type\":\"JobPosting\",\"title\":\"B\"}]\n",
		`{"@graph":[{"@type":"Organization","@id":"o","name":"O"},{"@type":"JobPosting","title":"T","hiringOrganization":{"@id":"o"},"baseSalary":{"value":{"minValue":1}}}]}`,
		`{"@context":{"x":[1,2,{"y":"` + strings.Repeat("z", fuzzMax) + `"}]},"@graph":[{"@type":"JobPosting","title":"T"}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, "jsonld", data, Options{}) })
}

func FuzzDecodeJSONResume(f *testing.F) {
	sample, _ := os.ReadFile("testdata/jsonresume/sample.resume.json")
	f.Add(sample)
	f.Add([]byte(`[{"basics":{"name":"A"}},{"basics":{"name":1}},{"basics":{"name":"C"},"meta":{"meridian":{"countries":["PT"],"salaryFloor":{"amount":1}}}}]`))
	f.Add([]byte("{\"basics\":{\"name\":\"A\"}}\n{\"basics\":\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, "jsonresume", data, Options{}) })
}

func FuzzDecodeCSV(f *testing.F) {
	f.Add([]byte("title,company,skills,salary_min\nGo,Acme,\"go,sql\",10\n\"multi\nline\",B,,\nbad\"q,x,,\n,,,\n"), false)
	f.Add([]byte("name,email,countries\nAda,a@x,\"GB;PT\"\n\"open,x,y\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, profile bool) {
		opt := Options{}
		if profile {
			opt.Kind = "profile"
		}
		fuzzDecode(t, "csv", data, opt)
	})
}

func FuzzDecodeRemoteOK(f *testing.F) {
	f.Add([]byte(remoteOKSample))
	f.Add([]byte(`[{"legal":"x"},{"id":1,"position":"P","salary_min":"1e400"},{"id":[],"position":"Q"}]`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, "remoteok", data, Options{}) })
}
