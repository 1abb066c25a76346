package fields

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridianhq/meridian/internal/domain"
)

func money(min, max int64, cur, period string) *domain.Salary {
	return &domain.Salary{Min: min * 100, Max: max * 100, Currency: cur, Period: period}
}

func usd(min, max int64) *domain.Salary { return money(min, max, "USD", "year") }

// TestFindSalariesFirst checks the first salary found in real phrases from
// the development posts and the forms the API promises.
func TestFindSalariesFirst(t *testing.T) {
	tests := []struct {
		in   string
		want *domain.Salary
	}{
		{"Remote | $150k-$200k", usd(150000, 200000)},
		{"$150K – $200K", usd(150000, 200000)},
		{"Remote | $140k–$180k + equity", usd(140000, 180000)},
		{"Remote | €4,000-€5,000 net per month", money(4000, 5000, "EUR", "month")},
		{"Salary: 45-70 USD or 180-280 PLN per hour", money(45, 70, "USD", "hour")},
		{"Remote | 150-200k USD", usd(150000, 200000)},
		{"FetLife | Senior DevOps Engineer | Full-Time | Remote | 115k - 180k USD -", usd(115000, 180000)},
		{"USD 150,000 - 200,000", usd(150000, 200000)},
		{"Berlin | €70.000", money(70000, 70000, "EUR", "year")},
		{"70.000–90.000 €", money(70000, 90000, "EUR", "year")},
		{"2. QA Engineer Mobile - €60.000 - €83.000 EUR -", money(60000, 83000, "EUR", "year")},
		{"London | £60k", money(60000, 60000, "GBP", "year")},
		{"Spruce (London/Bristol, UK) — Lead Full Stack Engineer — £85–120k + equity — Hybrid", money(85000, 120000, "GBP", "year")},
		{"CHF 120'000", money(120000, 120000, "CHF", "year")},
		{"CHF 110’000 – 140’000", money(110000, 140000, "CHF", "year")},
		{"Zurich | 100-200k CHF", money(100000, 200000, "CHF", "year")},
		{"₹25 LPA", money(2500000, 2500000, "INR", "year")},
		{"Remote (India) | Full-Time | 6–10 LPA", money(600000, 1000000, "INR", "year")},
		{"Hyderabad | 35-90L INR", money(3500000, 9000000, "INR", "year")},
		{"18 lakhs per annum", money(1800000, 1800000, "INR", "year")},
		{"$80/hr", money(80, 80, "USD", "hour")},
		{"Remote | $125 - $200/hr", money(125, 200, "USD", "hour")},
		{"C. Sr Test Automation Eng: USD 33-43/hr", money(33, 43, "USD", "hour")},
		{"=== 2. Telecom Solution Engineer | New York, NY | $90/hr ===", money(90, 90, "USD", "hour")},
		{"$8,000/month", money(8000, 8000, "USD", "month")},
		{"RDE Advisors | CONTRACT | $4K–6K USD/mo", money(4000, 6000, "USD", "month")},
		{"$20K/mo + up to 20% equity", money(20000, 20000, "USD", "month")},
		{"€600 per day", money(600, 600, "EUR", "day")},
		{"£500/day outside IR35", money(500, 500, "GBP", "day")},
		{"$2,000 per week", money(2000, 2000, "USD", "week")},
		{"SF | up to $220K USD", usd(0, 220000)},
		{"| Software Engineer – Securities Finance | Up to £100k base | London | Hybrid", money(0, 100000, "GBP", "year")},
		{"Remote | $200K USD+", usd(200000, 0)},
		{"$150k+", usd(150000, 0)},
		{"€160.000+ | Full-Time | ONSITE", money(160000, 0, "EUR", "year")},
		{"Calgary | Up to $140k CAD + Generous Equity", money(0, 140000, "CAD", "year")},
		{"Vancouver | C$130K-C$150K + equity", money(130000, 150000, "CAD", "year")},
		{"$120k-$150k AUD", money(120000, 150000, "AUD", "year")},
		{"S$90k", money(90000, 90000, "SGD", "year")},
		{"Berlin | 65-95k€ + VSOP", money(65000, 95000, "EUR", "year")},
		{"Bookarang | Amsterdam, The Netherlands | € 55-72k | Fulltime, Onsite", money(55000, 72000, "EUR", "year")},
		{"US | Salary: $154-190,000 DOE", usd(154000, 190000)},
		{"BREAKFAST | Brooklyn, New York | ONSITE | $170 - $220k + profit share", usd(170000, 220000)},
		{"* Senior Software Engineer II, Guides & Surveys - $90~93k USD + up to 10% bonus -", usd(90000, 93000)},
		{"InfoMarines Inc | Denver, Colorado, USA | Onsite / Remote | $156,000 - 156,000 / year", usd(156000, 156000)},
		{"PayPlan | Grantham, UK | Remote | 50,000 GBP / year | Full-Time", money(50000, 50000, "GBP", "year")},
		{"The expected salary range for this position is $170,000 to $180,000.", usd(170000, 180000)},
		{"TextQL | ONSITE | New York City | $200k Salary - $400k Total Compensation", usd(200000, 200000)},
		{"Base between $150,000 and $180,000", usd(150000, 180000)},
		{"$150,000.00 - $180,000.00 per year", usd(150000, 180000)},
		{"Sydney | $300-600k AUD", money(300000, 600000, "AUD", "year")},
		{"Stealth | ONSITE (Milan, Italy) | Full-time | €30–40k RAL", money(30000, 40000, "EUR", "year")},
		{"Medical Devices SaaS | Full Time | $110k-$130k + bonus, stock options", usd(110000, 130000)},
		{"SRE (Cloud & Infrastructure) | Remote | $192k + bonus", usd(192000, 192000)},
		{"Founders Associate $3K - $4.5K / monthly • 0.10% - 0.20%", money(3000, 4500, "USD", "month")},
		// Not pay.
		{"Remote | 401K, flexible PTO", nil},
		{"Remote | Raising at £5m round", nil},
		{"Remote | 0.50%–1.50% equity", nil},
		{"Hybrid | Visa + €10k Signing Bonus", nil},
		{"NYC | Backed by a founder with $1B+ exits", nil},
		{"Colorado Springs | 90K - 150K", nil},
		{"Remote | $150", nil},
		{"Remote | $5-8M ARR", nil},
		{"We raised $20M in Series A funding", nil},
		{"We recently raised a $65M seed from Coatue & Lightspeed.", nil},
		{"We raised $38.5MM from Coatue", nil},
		{"an industry that moves $100B+ in annual commissions", nil},
		{"We have $500k ARR and 10k users", nil},
		{"$300k in revenue last year", nil},
		{"$2 million seed round", nil},
		{"Early user relationships and conversion to Pro ($12/mo or $99/yr)", nil},
		{"anniversary gift ($200/year)", nil},
		{"$5,000 learning budget", nil},
		{"We have a $2,000 home office stipend", nil},
		{"80M+ hourly workers", nil},
		{"Comp: At this time we're able to offer $500 commission per closed sale", nil},
		{"Remote | Competitive Salary + Equity", nil},
		{"YC W24 | 2024 | 24/7", nil},
	}
	for _, tc := range tests {
		ms := FindSalaries(tc.in)
		var got *domain.Salary
		if len(ms) > 0 {
			got = &ms[0].Salary
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("FindSalaries(%q)[0] (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestFindSalariesSpans(t *testing.T) {
	text := "Senior Engineer ($150k-$200k) and Staff Engineer ($200–250K); we raised $20M."
	ms := FindSalaries(text)
	if len(ms) != 2 {
		t.Fatalf("got %d matches: %+v", len(ms), ms)
	}
	for _, m := range ms {
		if text[m.Start:m.End] != m.Text || !m.Range {
			t.Errorf("match %+v: span %q", m, text[m.Start:m.End])
		}
	}
	if ms[0].Text != "$150k-$200k" || ms[1].Text != "$200–250K" {
		t.Errorf("texts %q, %q", ms[0].Text, ms[1].Text)
	}
}

func TestParseSalary(t *testing.T) {
	tests := []struct {
		name, in string
		want     *domain.Salary
	}{
		{"header wins", "Acme | Engineer | $150k-$200k\nBody says $100k-$120k for juniors", usd(150000, 200000)},
		{"one body range", "Acme | Engineer | Remote\nWe are hiring.\nBackend Engineer: $120k-$150k USD plus equity\nApply below.", usd(120000, 150000)},
		{"body range twice", "Acme | Engineer\nPay: $120k-$150k.\nAgain: $120k-$150k.", usd(120000, 150000)},
		{"several ranges", "Acme | Roles\nEngineering Manager — $84k-$100k annual\nSenior Product Manager — $72k–96k annual\nProduct Designer — $48k–72k annual", nil},
		{"body single figure not trusted", "Acme | Engineer\nPay is $150k plus.", nil},
		{"body funding", "Acme | Engineer\nWe raised $20M-$30M.", nil},
		{"none", "Acme | Engineer | Remote\nCompetitive salary.", nil},
		{"one line", "Acme | Engineer | £60k", money(60000, 60000, "GBP", "year")},
	}
	for _, tc := range tests {
		s, ok := ParseSalary(tc.in)
		var got *domain.Salary
		if ok {
			got = &s
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: ParseSalary (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestFindSalariesInDefaultCurrency checks figures written without a
// currency, read with the currency of the posting's country.
func TestFindSalariesInDefaultCurrency(t *testing.T) {
	tests := []struct {
		in, cur string
		want    *domain.Salary
	}{
		// post 46860342
		{"Avantos.ai | https://avantos.ai | Sr Software Engineer, AI Team | St. Louis or NYC | 150-200k", "USD", usd(150000, 200000)},
		// post 47219972
		{"Moyai | Amsterdam, The Netherlands | FULL-TIME | ONSITE | Founding Platform Engineer | 60k-100k + Equity", "EUR", money(60000, 100000, "EUR", "year")},
		// post 46591540
		{"Photon Health | Senior Software Engineers | Full-time | ONSITE / HYBRID | Brooklyn, NYC | [180 - 210K]", "USD", usd(180000, 210000)},
		// post 46857868
		{"Xledger | Mid/Senior Software Engineer | Colorado Springs, CO | ONSITE NO-VISA | 90K - 150K | https://xledger.com", "USD", usd(90000, 150000)},
		// post 46906102
		{"Virio.ai | SF | Full Time | 250k-500k TC", "USD", usd(250000, 500000)},
		// post 46858674
		{"Salary ranges listed on job req, but for the Senior Java Engineer it is 140k-180k", "USD", usd(140000, 180000)},
		{"London | 75k-110k", "GBP", money(75000, 110000, "GBP", "year")},
		{"Acme | 120,000 - 150,000 | Remote", "usd", usd(120000, 150000)},
		{"Acme | Toronto | 150,000", "CAD", money(150000, 150000, "CAD", "year")},
		{"Acme | NYC | 120k+ base", "USD", usd(120000, 0)},
		// An explicit currency wins over the default.
		{"Zurich | 100-200k CHF", "EUR", money(100000, 200000, "CHF", "year")},
		{"London | $150k-$200k", "GBP", usd(150000, 200000)},
		// Not pay, or not clearly.
		{"London | 75k-110k", "", nil},
		{"London | 75k-110k", "XXQ", nil},
		{"Acme | Founded 2019 | 2019-2024", "USD", nil},
		{"Acme | 150-200 employees", "USD", nil},
		{"Acme | 10k+ users | 50k-100k requests per second", "USD", nil},
		{"Remote | 401K, flexible PTO", "USD", nil},
		{"Acme | SF, CA 94105", "USD", nil},
		{"Acme | 94105", "USD", nil},
		{"We raised 31m from investors", "USD", nil},
		{"Team of 10-15 engineers, 120k lines of Go", "USD", nil},
		{"Acme | Series B | 16M Funding", "USD", nil},
		{"We have 150,000 customers", "USD", nil},
	}
	for _, tc := range tests {
		ms := FindSalariesIn(tc.in, tc.cur)
		var got *domain.Salary
		if len(ms) > 0 {
			got = &ms[0].Salary
			if tc.in[ms[0].Start:ms[0].End] != ms[0].Text {
				t.Errorf("FindSalariesIn(%q): bad span %+v", tc.in, ms[0])
			}
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("FindSalariesIn(%q, %q)[0] (-want +got):\n%s", tc.in, tc.cur, diff)
		}
	}
}

// TestFindSalariesPeriods checks abbreviated and spelled-out periods.
func TestFindSalariesPeriods(t *testing.T) {
	tests := []struct {
		in   string
		want *domain.Salary
	}{
		{"$5k/mo", money(5000, 5000, "USD", "month")},
		{"$5k per mo", money(5000, 5000, "USD", "month")},
		{"$5k / mo.", money(5000, 5000, "USD", "month")},
		{"$150k/yr", usd(150000, 150000)},
		{"$100k per yr", usd(100000, 100000)},
		{"$150K/Year", usd(150000, 150000)},
		{"$150 k/year", usd(150000, 150000)},
		{"€60k p.a.", money(60000, 60000, "EUR", "year")},
		{"£60,000 per annum", money(60000, 60000, "GBP", "year")},
		{"$150k annually", usd(150000, 150000)},
		{"$80/hr", money(80, 80, "USD", "hour")},
		{"$80/h", money(80, 80, "USD", "hour")},
		{"$90 per hr", money(90, 90, "USD", "hour")},
		{"$5,000 a month", money(5000, 5000, "USD", "month")},
		{"$5,000 monthly", money(5000, 5000, "USD", "month")},
		{"€4,500 gross/month", money(4500, 4500, "EUR", "month")},
		// post 46860117
		{"This is a contractor position, initially. USD 6700/month.", money(6700, 6700, "USD", "month")},
		// post 47606461
		{"A. Agent Lead Dev: USD 45–55/hr", money(45, 55, "USD", "hour")},
		// post 47700740
		{"Starts ~30h/week ($750/week + performance bonuses)", money(750, 750, "USD", "week")},
		// post 47249945: "+ 0.75% equity" joins extras, it does not open the range.
		{"Comp: $150k + 0.75% equity.", usd(150000, 150000)},
		// post 46558870
		{"Fully Remote (UK Only) | £90k + 2% equity | Raising at £5m round", money(90000, 90000, "GBP", "year")},
	}
	for _, tc := range tests {
		ms := FindSalaries(tc.in)
		var got *domain.Salary
		if len(ms) > 0 {
			got = &ms[0].Salary
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("FindSalaries(%q)[0] (-want +got):\n%s", tc.in, diff)
		}
	}
}

// TestParseSalaryBody checks the body rules: labelled lines, single
// figures with a period or pay word, restatements, default currencies.
func TestParseSalaryBody(t *testing.T) {
	tests := []struct {
		name, in, cur string
		want          *domain.Salary
	}{
		{"labelled line, first range", "Acme | Engineer | Remote\nSalary - $150k–$250k USD / £90k–£130k GBP + equity", "", usd(150000, 250000)},
		{"labelled wins over role ranges", "Acme | Roles\nSalary range: $140k-$180k\nSenior: $150k-$200k\nStaff: $200k-$250k", "", usd(140000, 180000)},
		{"pay label", "Acme | Engineer\nPay: $60/hr", "", money(60, 60, "USD", "hour")},
		{"base label", "Acme | Engineer\n- Base: $160,000 - $190,000 + equity", "", usd(160000, 190000)},
		{"labelled single", "Acme | Engineer\nSalary: $180k", "", usd(180000, 180000)},
		// post 47693834
		{"comp single", "Deducta | Senior Backend Engineer | London, UK (Hybrid) | deducta.com\nComp: £150k+", "", money(150000, 0, "GBP", "year")},
		// post 47604057
		{"compensation from", "Company: Karma8\nCompensation: from $2500/month", "", money(2500, 0, "USD", "month")},
		// post 46862317: two roles, two labelled lines.
		{"labelled ambiguous", "ELDRICK.com | Austin, TX / Remote | Hiring Founding AI Engineer + Videographer\nComp: $200k+ base + equity\nComp: $50k–$75k base", "", nil},
		// post 47780165
		{"base lines ambiguous", "Coast | Platform Engineer, DevSecOps Engineer | Hybrid | NYC\nBase: $160,000 - 215,000 + equity + benefits\nBase: $160,000 - $180,000 + equity + benefits", "", nil},
		// post 46917479
		{"labelled bare with currency", "x2A | NYC, NY, USA | ONSITE | https://x2a.tech\nCompensation: 115k-170k based on experience and skills.", "USD", usd(115000, 170000)},
		{"labelled bare without currency", "x2A | NYC, NY, USA | ONSITE | https://x2a.tech\nCompensation: 115k-170k based on experience and skills.", "", nil},
		{"bare in unlabelled body line", "Acme | NYC\nWe grew from 50k-100k users last year.", "USD", nil},
		{"single with period", "Acme | Bangalore\nStipend-free role paying ₹45,000 per month to start.", "", money(45000, 45000, "INR", "month")},
		// post 46871501
		{"single with pay word after", "Forge Sports | Senior Engineer | London (Hybrid)\nWe offer £90k+ salary and participation in the company bonus scheme.", "", money(90000, 0, "GBP", "year")},
		// post 47244652
		{"single with pay word before", "Wave | Applied AI Scientist | Remote (US/UK/Canada/Spain) | Full Time\nSalary up to $227,900 + equity. Benefits include 6 months parental leave, $10k charity match.", "", usd(0, 227900)},
		// post 46858707
		{"restatement", "Stealth | Product | Remote Anywhere | Full Time\nAs I am bootstrapping this, I can only offer up to $4,000/mo ($50,000/yr) at the moment.", "", money(0, 4000, "USD", "month")},
		{"header restatement", "Acme | up to $4,000/mo ($50,000/yr)", "", money(0, 4000, "USD", "month")},
		// post 47688799: a second header line.
		{"header-like body line", "Freight Brokerage | NJ | Founding Backend Architect\n(Python/PostgreSQL) | Remote (US, EST hours) | $150K + benefits", "", usd(150000, 150000)},
		// post 46905925: a bare single figure in prose is not trusted.
		{"prose single", "Quest | SF | Onsite\nLooking for founding engineers. $200k+, significant equity.", "", nil},
		{"range beats single", "Acme | Engineer\nBase salary: $160,000 – $190,000\nContractors: $90/hr", "", usd(160000, 190000)},
		{"bare header", "Acme | Sr Engineer | St. Louis or NYC | 150-200k\nWe raised $20M.", "USD", usd(150000, 200000)},
		{"bare header, no currency", "Acme | Sr Engineer | St. Louis or NYC | 150-200k", "", nil},
	}
	for _, tc := range tests {
		s, ok := ParseSalaryIn(tc.in, tc.cur)
		var got *domain.Salary
		if ok {
			got = &s
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: ParseSalaryIn (-want +got):\n%s", tc.name, diff)
		}
		if tc.cur == "" {
			s2, ok2 := ParseSalary(tc.in)
			if ok2 != ok || s2 != s {
				t.Errorf("%s: ParseSalary differs from ParseSalaryIn(text, \"\")", tc.name)
			}
		}
	}
}

func TestCurrencyOf(t *testing.T) {
	for in, want := range map[string]string{"US": "USD", "gb": "GBP", "UK": "GBP", "DE": "EUR", "NL": "EUR", "IE": "EUR",
		"CA": "CAD", "AU": "AUD", "IN": "INR", "CH": "CHF", "": "", "ZZ": ""} {
		if got := CurrencyOf(in); got != want {
			t.Errorf("CurrencyOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDefaultCurrencyLargeInputs bounds the default-currency reading like
// TestLargeInputsAreFast does the rest.
func TestDefaultCurrencyLargeInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	const n = MaxInput / 4
	for name, in := range map[string]string{
		"digits":  strings.Repeat("1", n),
		"grouped": strings.Repeat("150,000 ", n/8),
		"kranges": strings.Repeat("| 150-200k ", n/11),
		"ks":      strings.Repeat("1k ", n/3),
		"labels":  strings.Repeat("Salary: 150k\n", n/13),
		"dashes":  strings.Repeat(" - 10000", n/8),
	} {
		start := time.Now()
		FindSalariesIn(in, "USD")
		ParseSalaryIn(in, "USD")
		t.Logf("%s: %v", name, time.Since(start)) // logged, not asserted: see BenchmarkSalaries
	}
}

func FuzzFindSalariesIn(f *testing.F) {
	addSeeds(f)
	f.Add("Acme | NYC | 150-200k | 120,000 - 150,000 | 401k\nSalary: 90k+ base")
	f.Fuzz(func(t *testing.T, s string) {
		last := -1
		for _, m := range FindSalariesIn(s, "EUR") {
			if m.Start < last || m.Start > m.End || m.End > len(s) || s[m.Start:m.End] != m.Text {
				t.Fatalf("bad span %+v in %q", m, s)
			}
			last = m.End
			if m.Min < 0 || m.Max < 0 || m.Min == 0 && m.Max == 0 || m.Max > 0 && m.Min > m.Max {
				t.Fatalf("invalid salary %+v from %q", m.Salary, s)
			}
		}
		if sal, ok := ParseSalaryIn(s, "GBP"); ok && sal.Currency == "" {
			t.Fatalf("ParseSalaryIn(%q) = %+v", s, sal)
		}
	})
}
