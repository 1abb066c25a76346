package marketdata

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/market"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

// naiveArea is the documented region rule, written out again: the first
// of these regions holding the country, else OTHER.
func naiveArea(c string) string {
	for _, r := range []string{"LATAM", "NORTH_AMERICA", "EUROPE", "MENA", "AFRICA", "OCEANIA", "APAC"} {
		for _, x := range domain.Regions[r] {
			if x == c {
				return r
			}
		}
	}
	return "OTHER"
}

var naiveKey = map[string]func(r map[string]string) string{
	"": func(map[string]string) string { return "all" },
	"seniority": func(r map[string]string) string {
		return map[string]string{"EN": "junior", "MI": "mid", "SE": "senior", "EX": "lead"}[r["experience_level"]]
	},
	"country": func(r map[string]string) string { return r["employee_residence"] },
	"region":  func(r map[string]string) string { return naiveArea(r["employee_residence"]) },
	"year":    func(r map[string]string) string { return r["work_year"] },
	"remote": func(r map[string]string) string {
		return map[string]string{"0": "onsite", "50": "hybrid", "100": "remote"}[r["remote_ratio"]]
	},
}

// checkTable compares a survey table with a naive computation over recs.
func checkTable(t *testing.T, got market.Salaries, recs []map[string]string, keep func(map[string]string) bool, groupBy string) {
	t.Helper()
	want := map[string][]float64{}
	n := 0
	for _, r := range recs {
		if keep != nil && !keep(r) {
			continue
		}
		v, err := strconv.ParseFloat(r["salary_in_usd"], 64)
		if err != nil {
			t.Fatal(err)
		}
		k := naiveKey[groupBy](r)
		want[k] = append(want[k], v)
		n++
	}
	if got.N != n {
		t.Errorf("groupBy %q: N = %d, naive %d", groupBy, got.N, n)
	}
	if got.Source != market.SourceSurvey || !strings.Contains(got.Basis, "salary_in_usd") || got.GroupBy != groupBy {
		t.Errorf("groupBy %q: source %q, basis %q, groupBy %q", groupBy, got.Source, got.Basis, got.GroupBy)
	}
	if n == 0 {
		return
	}
	if len(got.Groups) != len(want) {
		t.Errorf("groupBy %q: %d groups, naive %d", groupBy, len(got.Groups), len(want))
	}
	for _, g := range got.Groups {
		v, ok := want[g.Key]
		if !ok {
			t.Errorf("groupBy %q: unexpected group %q", groupBy, g.Key)
			continue
		}
		if g.N != len(v) {
			t.Errorf("groupBy %q, group %q: n = %d, naive %d", groupBy, g.Key, g.N, len(v))
		}
		if len(v) < got.MinN {
			if !g.Suppressed || g.P50 != nil {
				t.Errorf("groupBy %q, group %q: n %d below %d not suppressed", groupBy, g.Key, g.N, got.MinN)
			}
			continue
		}
		for i, e := range []*market.Estimate{g.P10, g.P25, g.P50, g.P75, g.P90} {
			p := market.Percentiles[i]
			if e == nil {
				t.Errorf("groupBy %q, group %q: p%v missing", groupBy, g.Key, p*100)
				continue
			}
			if w := math.Round(percentileCont(v, p)); e.Value != w {
				t.Errorf("groupBy %q, group %q: p%v = %v, naive percentile_cont %v", groupBy, g.Key, p*100, e.Value, w)
			}
			if e.Low > e.Value || e.High < e.Value {
				t.Errorf("groupBy %q, group %q: p%v interval [%v, %v] misses %v", groupBy, g.Key, p*100, e.Low, e.High, e.Value)
			}
		}
	}
}

func TestSurveyFiguresMatchNaiveRecomputation(t *testing.T) {
	data := shippedCSV(t, KindSurvey)
	recs := records(t, data)
	if len(recs) != 74301 {
		t.Fatalf("shipped survey has %d rows, want 74301", len(recs))
	}
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		start := time.Now()
		rep := mustImportSurvey(t, db, data, ShippedSurveyLabel)
		t.Logf("imported %d rows in %v", rep.Imported, time.Since(start))
		if rep.Rows != 74301 || rep.Imported != 74301 || rep.Skipped != 0 || len(rep.Errors) != 0 {
			t.Fatalf("report %s", brief(rep))
		}
		for _, g := range []string{"", "seniority", "country", "region", "year", "remote"} {
			got, err := SurveySalaries(ctx, db, SurveyFilter{}, g, "", 0)
			if err != nil {
				t.Fatalf("groupBy %q: %v", g, err)
			}
			if got.Currency != "USD" || got.MinN != market.DefaultMinN || !strings.Contains(got.Basis, ShippedSurveyLabel) {
				t.Errorf("groupBy %q: currency %q, minN %d, basis %q", g, got.Currency, got.MinN, got.Basis)
			}
			checkTable(t, got, recs, nil, g)
			if g == "country" && !slices.IsSortedFunc(got.Groups, func(a, b market.SalaryGroup) int { return b.N - a.N }) {
				t.Errorf("country groups not largest first")
			}
			if g == "seniority" {
				var keys []string
				for _, x := range got.Groups {
					keys = append(keys, x.Key)
				}
				if strings.Join(keys, ",") != "junior,mid,senior,lead" {
					t.Errorf("seniority groups %v", keys)
				}
			}
		}
		for c, a := range map[string]string{"US": "NORTH_AMERICA", "CA": "NORTH_AMERICA", "MX": "LATAM", "GB": "EUROPE", "EG": "MENA", "AU": "OCEANIA", "IN": "APAC", "ZA": "AFRICA"} {
			if got := market.Areas[areaOf(c)]; got != a {
				t.Errorf("area of %s = %s, want %s", c, got, a)
			}
		}

		// Filters, a larger minimum sample, another currency.
		f := SurveyFilter{YearFrom: 2023, YearTo: 2024, Seniority: []string{"senior", "Lead"}, Countries: []string{"us", "CA"},
			RemoteOnly: true, Title: "ENGINEER", EmploymentTypes: []string{"ft"}}
		keep := func(r map[string]string) bool {
			y, _ := strconv.Atoi(r["work_year"])
			return y >= 2023 && y <= 2024 && (r["experience_level"] == "SE" || r["experience_level"] == "EX") &&
				(r["employee_residence"] == "US" || r["employee_residence"] == "CA") && r["remote_ratio"] == "100" &&
				strings.Contains(strings.ToLower(r["job_title"]), "engineer") && r["employment_type"] == "FT"
		}
		got, err := SurveySalaries(ctx, db, f, "seniority", "usd", 30)
		if err != nil {
			t.Fatal(err)
		}
		if got.MinN != 30 {
			t.Errorf("minN %d", got.MinN)
		}
		checkTable(t, got, recs, keep, "seniority")
		got, err = SurveySalaries(ctx, db, SurveyFilter{Regions: []string{"eu"}}, "country", "", 0)
		if err != nil {
			t.Fatal(err)
		}
		checkTable(t, got, recs, func(r map[string]string) bool { return slices.Contains(domain.Regions["EU"], r["employee_residence"]) }, "country")
		eur, err := SurveySalaries(ctx, db, SurveyFilter{}, "", "eur", 0)
		if err != nil {
			t.Fatal(err)
		}
		if eur.Currency != "EUR" || !strings.Contains(eur.Basis, "EUR") || eur.Groups[0].P50 == nil || eur.N != 74301 {
			t.Errorf("EUR table %+v", eur)
		}

	})
}

func TestSurveyRejectsBadInput(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		call  func() error
		field string
	}{
		{"groupBy", func() error { _, err := SurveySalaries(ctx, db, SurveyFilter{}, "skill", "", 0); return err }, "groupBy"},
		{"currency", func() error { _, err := SurveySalaries(ctx, db, SurveyFilter{}, "", "XXX", 0); return err }, "currency"},
		{"seniority", func() error {
			_, err := SurveySalaries(ctx, db, SurveyFilter{Seniority: []string{"wizard"}}, "", "", 0)
			return err
		}, "seniority"},
		{"country", func() error {
			_, err := SurveySalaries(ctx, db, SurveyFilter{Countries: []string{"XX"}}, "", "", 0)
			return err
		}, "country"},
		{"region", func() error {
			_, err := SurveySalaries(ctx, db, SurveyFilter{Regions: []string{"MOON"}}, "", "", 0)
			return err
		}, "region"},
		{"years", func() error {
			_, err := SurveySalaries(ctx, db, SurveyFilter{YearFrom: 2025, YearTo: 2020}, "", "", 0)
			return err
		}, "year"},
	} {
		err := c.call()
		if meridian.ErrorCode(err) != meridian.EInvalid || !strings.Contains(meridian.MessageOf(err), c.field) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, err := SurveySalaries(ctx, db, SurveyFilter{}, "", "", 0); meridian.ErrorCode(err) != meridian.ENotFound {
		t.Errorf("no survey imported: %v", err)
	}
}

const surveyHead = "work_year,experience_level,employment_type,job_title,salary,salary_currency,salary_in_usd,employee_residence,remote_ratio,company_location,company_size\n"

// surveyRows builds n valid rows paying base, base+1000, ...
func surveyRows(n, base int, country string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "2024,SE,FT,Software Engineer,%d,USD,%d,%s,100,%s,M\n", base+i*1000, base+i*1000, country, country)
	}
	return b.String()
}

func TestSurveyBadRowsAreReportedGoodOnesKept(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		file := surveyHead + // line 1
			surveyRows(5, 100000, "US") + // lines 2-6
			"20x4,SE,FT,Engineer,1,USD,1,US,0,US,M\n" + // 7
			"2024,XX,FT,Engineer,1,USD,1,US,0,US,M\n" + // 8
			"2024,SE,FT,Engineer,1,USD\n" + // 9
			"2024,SE,FT,\"Data\nScientist\",90000,EUR,-5,DE,0,DE,M\n" + // 10-11
			"2024,SE,FT,Engineer,1,USD,1,ZZ,0,US,M\n" + // 12
			"2024,SE,FT,Engineer,1,USD,1,US,30,US,M\n" + // 13
			"2024,SE,FT,Eng\"ineer,1,USD,1,US,0,US,M\n" + // 14: bare quote
			"2024,SE,XX,Engineer,1,USD,1,US,0,US,M\n" + // 15
			"2024,SE,FT,Engineer,1,USD,1,US,0,US,XL\n" + // 16
			surveyRows(6, 200000, "DE") // 17-22
		rep, err := ImportSurvey(ctx, db, strings.NewReader(file), "small")
		if err != nil {
			t.Fatal(err)
		}
		wantErrs := []string{
			"line 7: work_year", "line 8: experience_level", "line 9: 6 fields, want 11", "line 10: salary_in_usd",
			"line 12: employee_residence", "line 13: remote_ratio", "line 14: ", "line 15: employment_type", "line 16: company_size",
		}
		if rep.Rows != 20 || rep.Imported != 11 || rep.Skipped != 9 || len(rep.Errors) != len(wantErrs) {
			t.Fatalf("report %s", brief(rep))
		}
		for i, w := range wantErrs {
			if !strings.HasPrefix(rep.Errors[i], w) {
				t.Errorf("error %d = %q, want prefix %q", i, rep.Errors[i], w)
			}
		}
		got, err := SurveySalaries(ctx, db, SurveyFilter{}, "country", "", 1)
		if err != nil {
			t.Fatal(err)
		}
		if got.N != 11 || len(got.Groups) != 2 || got.Groups[0].Key != "DE" || got.Groups[0].N != 6 || got.Groups[1].N != 5 {
			t.Fatalf("table %+v", got)
		}
		if !got.Groups[0].Suppressed || !got.Groups[1].Suppressed {
			t.Errorf("groups under %d answers shown: %+v", market.DefaultMinN, got.Groups)
		}
	})
}

func TestSurveyReimportReplacesFailedImportKeeps(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n := func(src string) int {
			t.Helper()
			got, err := SurveySalaries(ctx, db, SurveyFilter{Source: src}, "", "", 0)
			if err != nil {
				t.Fatal(err)
			}
			return got.N
		}
		median := func() float64 {
			t.Helper()
			got, err := SurveySalaries(ctx, db, SurveyFilter{}, "", "", 0)
			if err != nil || got.Groups[0].P50 == nil {
				t.Fatalf("%v %+v", err, got)
			}
			return got.Groups[0].P50.Value
		}
		mustImportSurvey(t, db, []byte(surveyHead+surveyRows(15, 100000, "US")), "s")
		if n("") != 15 || median() != 107000 {
			t.Fatalf("first import: n %d, median %v", n(""), median())
		}
		// Same label again: replaced (and the cache sees it).
		mustImportSurvey(t, db, []byte(surveyHead+surveyRows(11, 50000, "GB")), "s")
		if n("") != 11 || median() != 55000 {
			t.Fatalf("re-import: n %d, median %v", n(""), median())
		}
		// Failed imports change nothing.
		for _, bad := range []string{
			"year,level\n2024,SE\n",
			"",
			surveyHead + "2024,??,FT,Engineer,1,USD,1,US,0,US,M\n",
		} {
			rep, err := ImportSurvey(ctx, db, strings.NewReader(bad), "s")
			if meridian.ErrorCode(err) != meridian.EInvalid {
				t.Errorf("bad file %q: %v (%+v)", bad, err, rep)
			}
		}
		_, err := ImportSurvey(ctx, db, strings.NewReader("year,level\n"), "s")
		if !strings.Contains(meridian.MessageOf(err), "header") {
			t.Errorf("wrong header: %v", err)
		}
		if n("") != 11 || median() != 55000 {
			t.Fatalf("after failed imports: n %d, median %v", n(""), median())
		}
		// Another label is another survey: the latest is the default,
		// either can be named, and they never mix.
		time.Sleep(2 * time.Millisecond)
		mustImportSurvey(t, db, []byte(surveyHead+surveyRows(20, 10000, "FR")), "t")
		if n("") != 20 || n("t") != 20 || n("s") != 11 {
			t.Fatalf("two surveys: latest %d, t %d, s %d", n(""), n("t"), n("s"))
		}
		if _, err := SurveySalaries(ctx, db, SurveyFilter{Source: "nope"}, "", "", 0); meridian.ErrorCode(err) != meridian.EInvalid {
			t.Errorf("unknown source: %v", err)
		}
		// A label belongs to one kind.
		if _, err := ImportBaseline(ctx, db, strings.NewReader(baselineHead+"2024-05,May24,10,1,Go,Go,1,10,1\n"), "s"); meridian.ErrorCode(err) != meridian.EConflict {
			t.Errorf("baseline under a survey label: %v", err)
		}
		srcs, err := Sources(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(srcs) != 2 || srcs[0].Label != "t" || srcs[0].Rows != 20 || srcs[1].Label != "s" || srcs[1].Rows != 11 ||
			srcs[1].SHA256 != sha([]byte(surveyHead+surveyRows(11, 50000, "GB"))) || srcs[0].Kind != KindSurvey {
			t.Errorf("sources %+v", srcs)
		}
		// Gzipped input is read the same, and hashed decompressed.
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write([]byte(surveyHead + surveyRows(12, 1000, "US")))
		zw.Close()
		mustImportSurvey(t, db, gz.Bytes(), "s")
		if n("s") != 12 {
			t.Errorf("gzipped import: n %d", n("s"))
		}
		if _, err := ImportSurvey(ctx, db, strings.NewReader(surveyHead), " "); meridian.ErrorCode(err) != meridian.EInvalid {
			t.Errorf("empty label: %v", err)
		}
	})
}

func BenchmarkSurveySalaries(b *testing.B) {
	db := storetest.OpenSQLite(b)
	mustImportSurvey(b, db, shippedCSV(b, KindSurvey), ShippedSurveyLabel)
	ctx := context.Background()
	for _, g := range []string{"", "country", "seniority"} {
		b.Run("by="+g, func(b *testing.B) {
			for b.Loop() {
				if _, err := SurveySalaries(ctx, db, SurveyFilter{}, g, "", 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
