package marketdata

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

const baselineHead = "month,source_month_label,num_comments,points,term,full_term,count,percentage,rank\n"

func TestBaselineMatchesTheFile(t *testing.T) {
	data := shippedCSV(t, KindHNTrends)
	recs := records(t, data)
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rep := mustImportBaseline(t, db, data, ShippedBaselineLabel)
		if rep.Rows != 40977 || rep.Imported != 40977 || rep.Skipped != 0 {
			t.Fatalf("report %s", brief(rep))
		}
		// Every term's series is its rows of the file, month by month.
		for _, c := range []struct{ key, term, skill string }{
			{"golang", "golang", "go"},
			{"Go", "golang", "go"},      // a taxonomy spelling of the skill the term maps to
			{"go", "golang", "go"},      // the skill id
			{"Backend", "Back End", ""}, // an alias of the source
			{"postgres", "Postgresql", "postgresql"},
			{"KUBERNETES", "Kubernetes", "kubernetes"},
			{"Flux", "Flux", ""}, // override: not Flux CD
		} {
			got, err := Baseline(ctx, db, []string{c.key}, "", "")
			if err != nil {
				t.Fatalf("%s: %v", c.key, err)
			}
			if len(got) != 1 || got[0].Term != c.term || got[0].Skill != c.skill || got[0].Source != SourceHNTrends || got[0].Label != ShippedBaselineLabel {
				t.Fatalf("%s: %+v", c.key, got)
			}
			var want []BaselinePoint
			for _, r := range recs {
				if r["term"] == c.term {
					posts, _ := strconv.Atoi(r["num_comments"])
					count, _ := strconv.Atoi(r["count"])
					want = append(want, BaselinePoint{Month: r["month"], Posts: posts, Count: count, Share: float64(count) / float64(posts)})
				}
			}
			pts := got[0].Points
			if len(pts) != len(want) || len(want) < 150 {
				t.Fatalf("%s: %d points, file %d", c.key, len(pts), len(want))
			}
			wm := map[string]BaselinePoint{}
			for _, p := range want {
				wm[p.Month] = p
			}
			for i, p := range pts {
				if p != wm[p.Month] || (i > 0 && pts[i-1].Month >= p.Month) {
					t.Fatalf("%s: point %d = %+v, file %+v", c.key, i, p, wm[p.Month])
				}
			}
		}
		if got, _ := Baseline(ctx, db, []string{"golang"}, "", ""); got[0].Name != "Go" {
			t.Errorf("golang's name %q", got[0].Name)
		}

		// Month bounds are inclusive; several keys keep their order, each
		// term once; a skill with several terms gives each.
		got, err := Baseline(ctx, db, []string{"Rust", "rust", "golang", "openai-api"}, "2023-01", "2023-12")
		if err != nil {
			t.Fatal(err)
		}
		var terms []string
		for _, s := range got {
			terms = append(terms, s.Term)
			if len(s.Points) != 12 || s.Points[0].Month != "2023-01" || s.Points[11].Month != "2023-12" {
				t.Errorf("%s: %d points from %v", s.Term, len(s.Points), s.Points)
			}
		}
		if strings.Join(terms, ",") != "Rust,golang,ChatGPT,GPT-4,OpenAI" {
			t.Errorf("terms %v", terms)
		}
		if got, err := Baseline(ctx, db, []string{"Zig"}, "2024-05", ""); err != nil || len(got[0].Points) != 1 {
			t.Errorf("from 2024-05: %v %+v", err, got)
		}
		if got, err := Baseline(ctx, db, []string{"Zig"}, "", "2011-05"); err != nil || len(got[0].Points) != 2 || got[0].Points[0].Month != "2011-04" {
			t.Errorf("to 2011-05: %v %+v", err, got)
		}

		// Unknown keys and bad months are invalid requests naming them.
		for _, c := range []struct {
			keys     []string
			from, to string
			want     string
		}{
			{[]string{"golang", "cobolscript", "Quux"}, "", "", `"cobolscript", "Quux"`},
			{[]string{"graphql-federation"}, "", "", "graphql-federation"},
			{[]string{"golang"}, "2024-13", "", "2024-13"},
			{[]string{"golang"}, "2024-05", "2024-01", "after"},
			{nil, "", "", "keys"},
		} {
			_, err := Baseline(ctx, db, c.keys, c.from, c.to)
			if meridian.ErrorCode(err) != meridian.EInvalid || !strings.Contains(meridian.MessageOf(err), c.want) {
				t.Errorf("%v %s %s: %v", c.keys, c.from, c.to, err)
			}
		}

		bt, err := BaselineTerms(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		mapped := 0
		byTerm := map[string]BaselineTerm{}
		for _, x := range bt {
			byTerm[x.Term] = x
			if x.Skill != "" {
				mapped++
			}
		}
		if len(bt) != 261 || mapped < 180 {
			t.Errorf("%d terms, %d mapped", len(bt), mapped)
		}
		if x := byTerm["Back End"]; strings.Join(x.Aliases, "|") != "Backend|Back-end" || x.Skill != "" || x.First != "2011-04" || x.Last != "2024-05" || x.Months != 157 {
			t.Errorf("Back End: %+v", x)
		}
		if x := byTerm["golang"]; x.Skill != "go" || x.Name != "Go" || x.Label != ShippedBaselineLabel {
			t.Errorf("golang: %+v", x)
		}
	})
}

func TestBaselineBadRowsAndReplace(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		file := baselineHead + // 1
			"2024-05,May24,400,1,Go,Go/alias[Golang],40,10,1\n" + // 2
			"2024-05,May24,400,1,Rust,Rust,20,5,2\n" + // 3
			"2024-13,May24,400,1,Zig,Zig,1,0.25,3\n" + // 4
			"2024-05,May24,401,1,Zig,Zig,1,0.25,3\n" + // 5 num_comments differs from line 2's
			"2024-05,May24,400,1,Go,Go,40,10,1\n" + // 6 repeats line 2
			"2024-04,Apr24,200,1,Go,Go/alias[Golang],50,10,1\n" + // 7 percentage wrong
			"2024-04,Apr24,200,1,Go,Going/alias[Golang],20,10,1\n" + // 8 full_term names another term
			"2024-04,Apr24,200,1,Go,Go/alias[Golang,20,10,1\n" + // 9 no ]
			"2024-04,Apr24,200,1,Go,Go,300,150,1\n" + // 10 count > posts
			"2024-04,Apr24,200,1,Go,Go,20,10\n" + // 11 8 fields
			"2024-04,Apr24,200,1,Go,Go/alias[Golang|go-lang],20,10,1\n" // 12
		rep, err := ImportBaseline(ctx, db, strings.NewReader(file), "hn")
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"line 4: month", "line 5: num_comments", "line 6: 2024-05 \"Go\" repeats line 2", "line 7: percentage",
			"line 8: full_term", "line 9: full_term", "line 10: count", "line 11: 8 fields, want 9"}
		if rep.Rows != 11 || rep.Imported != 3 || rep.Skipped != 8 || len(rep.Errors) != len(want) {
			t.Fatalf("report %s", brief(rep))
		}
		for i, w := range want {
			if !strings.HasPrefix(rep.Errors[i], w) {
				t.Errorf("error %d = %q, want %q", i, rep.Errors[i], w)
			}
		}
		got, err := Baseline(ctx, db, []string{"golang", "go-lang", "rust"}, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Term != "Go" || got[0].Skill != "go" || len(got[0].Points) != 2 ||
			got[0].Points[0] != (BaselinePoint{Month: "2024-04", Posts: 200, Count: 20, Share: 0.1}) || got[1].Term != "Rust" {
			t.Fatalf("series %+v", got)
		}
		terms, err := BaselineTerms(ctx, db)
		if err != nil || len(terms) != 2 || strings.Join(terms[0].Aliases, "|") != "Golang|go-lang" {
			t.Fatalf("terms %v %+v", err, terms)
		}

		// Re-import replaces; a failed one keeps what was there.
		mustImportBaseline(t, db, []byte(baselineHead+"2020-01,Jan20,100,1,Zig,Zig,3,3,9\n"), "hn")
		if _, err := Baseline(ctx, db, []string{"Rust"}, "", ""); meridian.ErrorCode(err) != meridian.EInvalid {
			t.Errorf("Rust after re-import: %v", err)
		}
		for _, bad := range []string{"month,term\n2020-01,Zig\n", baselineHead + "2020-01,Jan20,0,1,Zig,Zig,3,3,9\n"} {
			if _, err := ImportBaseline(ctx, db, strings.NewReader(bad), "hn"); meridian.ErrorCode(err) != meridian.EInvalid {
				t.Errorf("bad file: %v", err)
			}
		}
		got, err = Baseline(ctx, db, []string{"zig"}, "", "")
		if err != nil || len(got) != 1 || len(got[0].Points) != 1 || got[0].Points[0].Count != 3 {
			t.Fatalf("after failed import: %v %+v", err, got)
		}
	})
}

func TestLoadShipped(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	if err := LoadShipped(ctx, db); err != nil {
		t.Fatal(err)
	}
	first, err := Sources(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := LoadShipped(ctx, db); err != nil { // a second load does nothing
		t.Fatal(err)
	}
	second, _ := Sources(ctx, db)
	if len(first) != 2 || len(second) != 2 || first[0] != second[0] || first[1] != second[1] {
		t.Fatalf("sources %+v then %+v", first, second)
	}
	want := map[string]SourceInfo{
		ShippedBaselineLabel: {Label: ShippedBaselineLabel, Kind: KindHNTrends, Rows: 40977, SHA256: "338b84a3734b96b36736f3c9f209f838a104ee9661c61c98052cd9ca21b28916"},
		ShippedSurveyLabel:   {Label: ShippedSurveyLabel, Kind: KindSurvey, Rows: 74301, SHA256: "fce1318d2fa6f574cd36ce192bf3c38debcb61892d15255eb8f772a05e4a5aef"},
	}
	for _, s := range first {
		w := want[s.Label]
		w.ImportedAt = s.ImportedAt
		if s != w || s.ImportedAt == "" {
			t.Errorf("source %+v, want %+v", s, w)
		}
	}
	// The shipped copies are the shared files byte for byte.
	for path, sum := range map[string]string{sharedSurvey: want[ShippedSurveyLabel].SHA256, sharedBaseline: want[ShippedBaselineLabel].SHA256} {
		if got, ok := fileSHA(t, path); ok && got != sum {
			t.Errorf("%s: sha256 %s, shipped %s", path, got, sum)
		}
	}
	if got, err := SurveySalaries(ctx, db, SurveyFilter{}, "", "", 0); err != nil || got.N != 74301 {
		t.Errorf("survey after LoadShipped: %v %d", err, got.N)
	}
}
