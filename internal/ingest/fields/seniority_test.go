package fields

import "testing"

func TestParseSeniority(t *testing.T) {
	tests := []struct{ title, text, want string }{
		{"Senior Backend Engineer", "", "senior"},
		{"Sr. SRE", "", "senior"},
		{"Staff Software Engineer", "", "staff"},
		{"Senior Staff SWE, Cloud Proxy", "", "staff"},
		{"Principal Engineer", "", "principal"},
		{"Distinguished Engineer", "", "principal"},
		{"Tech Lead", "", "lead"},
		{"Lead Full Stack Engineer", "", "lead"},
		{"Head of Engineering", "", "lead"},
		{"Junior Software Engineer", "", "junior"},
		{"New Grad Software Engineer", "", "junior"},
		{"Software Engineering Intern", "", "intern"},
		{"Mid-level DevOps Engineer", "", "mid"},
		{"Full-Stack Developer (Mid/Senior)", "", "mid"},
		{"Software Engineer II", "", "mid"},
		{"Founding Engineer", "", "senior"},
		{"Founding Engineer (Staff level)", "", "staff"},
		{"Member of Technical Staff", "", ""},
		{"Backend Engineer", "", ""},
		// the title wins over the text
		{"Junior Developer", "You have 8+ years of experience.", "junior"},
		// text
		{"Backend Engineer", "We're hiring a senior backend engineer to own billing.", "senior"},
		{"Backend Engineer", "You have 5+ years of experience building APIs.", "senior"},
		{"Backend Engineer", "3-5 years of professional experience", "mid"},
		{"Backend Engineer", "1+ years of experience", "junior"},
		{"Backend Engineer", "We are 5 years old and work with senior people.", ""},
		{"", "", ""},
	}
	for _, tc := range tests {
		if got := ParseSeniority(tc.title, tc.text); got != tc.want {
			t.Errorf("ParseSeniority(%q, %q) = %q, want %q", tc.title, tc.text, got, tc.want)
		}
	}
}

func TestParseEmploymentType(t *testing.T) {
	tests := map[string]string{
		"Acme | Engineer | Remote | Full-time":                          "full_time",
		"Acme | Engineer | Remote | FT":                                 "full_time",
		"Acme | Engineer | Remote":                                      "",
		"Acme | Engineer | Remote | Contract":                           "contract",
		"Acme | Engineer | Remote | contractor":                         "contract",
		"Acme | Engineer | Remote | Full-time B2B Contract":             "contract",
		"Senior Data Analyst | Remote | Full-time Contractor":           "contract",
		"Acme | Engineer | Remote | Contract to hire preferred":         "full_time",
		"Acme | Engineer | Remote | Part-time":                          "part_time",
		"REMOTE (US) | Contract, part-time (~20 hrs/week) | $70–110/hr": "contract",
		"Part-time, 20 hrs/week":                                        "part_time",
		"Acme | Engineer | Remote | Freelance":                          "contract",
		"Impinj | Hybrid in Seattle, WA | Intern (Summer 2026)":         "internship",
		"Summer internship":                                             "internship",
		"Temporary position, 3 months":                                  "temporary",
		"Fixed-term role":                                               "temporary",
		"We write smart contracts in Solidity | Full-time":              "full_time",
		"We build smart contracts":                                      "",
		"No contractors or agencies":                                    "",
		"Permanent role":                                                "full_time",
		"Remote (PT)":                                                   "",
	}
	for in, want := range tests {
		if got := ParseEmploymentType(in); got != want {
			t.Errorf("ParseEmploymentType(%q) = %q, want %q", in, got, want)
		}
	}
}
