package fields

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/hnposts"
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
	var out []devPost
	err := hnposts.Each(func(line []byte) error {
		var p devPost
		if err := json.Unmarshal(line, &p); err != nil {
			return err
		}
		if p.ID%10 != 3 { // the others are the held-out evaluation set
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
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
