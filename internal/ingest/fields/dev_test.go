package fields

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// devPost is one Hacker News post of the demo data set.
type devPost struct {
	ID                 int64  `json:"id"`
	Text               string `json:"text"`
	LLMRemote          string `json:"llm_remote"`
	LLMSalaryMentioned bool   `json:"llm_salary_mentioned"`
}

// devPosts returns the development set: the demo posts whose id % 10 != 3
// (those are held out for evaluation and must not be read here).
func devPosts(tb testing.TB) []devPost {
	tb.Helper()
	f, err := os.Open("../../demo/data/hn_whoishiring_2026-01_to_2026-04.jsonl.gz")
	if err != nil {
		tb.Skipf("demo data: %v", err)
	}
	tb.Cleanup(func() { f.Close() })
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	var out []devPost
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var p devPost
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			tb.Fatal(err)
		}
		if p.ID%10 == 3 {
			continue // held-out evaluation set
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestDevSet runs every parser over the development posts and reports
// counts (go test -run TestDevSet -v). It fails only on broken invariants
// and on large drops in coverage.
func TestDevSet(t *testing.T) {
	posts := devPosts(t)
	var salaries, labelled, labelledFound, headerSalaries, tz, seniority, employment int
	modes := map[string]int{}
	agree := map[string]map[string]int{}
	for _, p := range posts {
		text := CleanText(p.Text)
		if err := CheckText(p.Text); err != nil {
			t.Errorf("post %d: %v", p.ID, err)
		}
		first, _, _ := strings.Cut(text, "\n")
		s, ok := ParseSalary(text)
		if ok {
			salaries++
			if len(FindSalaries(first)) > 0 {
				headerSalaries++
			}
			if _, _, err := Annual(s, "USD", nil); err != nil && s.Currency != "" {
				if _, known := DefaultRates().rate(s.Currency); known {
					t.Errorf("post %d: Annual(%+v): %v", p.ID, s, err)
				}
			}
		}
		if p.LLMSalaryMentioned {
			labelled++
			if len(FindSalaries(text)) > 0 {
				labelledFound++
			}
		}
		loc := ParseLocation(first)
		modes[loc.Mode]++
		if agree[p.LLMRemote] == nil {
			agree[p.LLMRemote] = map[string]int{}
		}
		agree[p.LLMRemote][loc.Mode]++
		if ParseTimeZone(text) != nil {
			tz++
		}
		if ParseSeniority(first, text) != "" {
			seniority++
		}
		if ParseEmploymentType(first) != "" {
			employment++
		}
	}
	t.Logf("%d development posts", len(posts))
	t.Logf("salary: ParseSalary found one in %d posts (%d from the first line); FindSalaries found pay in %d of the %d posts labelled as mentioning a salary", salaries, headerSalaries, labelledFound, labelled)
	t.Logf("first-line mode: %v", modes)
	for label, m := range agree {
		t.Logf("  llm_remote=%q → %v", label, m)
	}
	t.Logf("time-zone rules: %d, seniority: %d, employment type in first line: %d", tz, seniority, employment)
	if len(posts) > 1000 && (salaries < 250 || modes[ModeRemote] < 400) {
		t.Errorf("coverage dropped: %d salaries, %d remote", salaries, modes[ModeRemote])
	}
}
