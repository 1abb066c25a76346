// Package fields holds the parsers that turn the messy free text of job
// postings and résumés into Meridian's structured fields. Every importer
// (the Hacker News demo loader, feed and file importers) uses this one
// implementation:
//
//   - CleanText and CheckText: HTML or plain text to normalized plain text,
//     with entity, mojibake and encoding repairs, and a check that text is usable;
//   - FindSalaries, ParseSalary: pay ranges as domain.Salary in integer minor
//     units; Rates, DefaultRates, LoadRates and Annual convert and annualize them
//     with a shipped, dated exchange-rate table (rates.json);
//   - ParseLocation: work mode (remote, hybrid, onsite), remote eligibility
//     (worldwide, countries, regions) and office countries;
//   - ParseTimeZone: a UTC offset window or an overlap with a reference zone;
//   - ParseSeniority and ParseEmploymentType.
//
// The parsers are pure functions: no I/O, no global state besides read-only
// tables. They run in time linear in their input (Go's regexp package and
// single forward scans only), never panic, and cap their input at MaxInput
// bytes: longer texts are truncated at a UTF-8 boundary before parsing.
//
// Only LoadRates, Convert, Annual and CheckText return errors; they are
// *meridian.Error values with code meridian.EInvalid.
package fields
