// Package export writes Meridian's jobs and profiles in open formats:
// schema.org JobPosting JSON-LD that satisfies Google's job posting
// structured-data rules (JobPosting, checked by CheckGoogleJobPosting), JSON
// Resume documents (Resume), and streaming writers of many items as a JSON
// array or CSV (NewWriter).
//
// Errors: NewWriter returns a meridian.Error with code invalid for an
// unknown format; a Writer returns code invalid when given the wrong kind
// of item or used after Close, and the underlying io.Writer's errors as
// they are.
//
// What goes where, and why:
//   - Every Meridian job is remote, so JobPosting writes jobLocationType
//     TELECOMMUTE with one Country per eligible country. A worldwide job
//     lists every country: Google rejects remote postings without
//     applicantLocationRequirements and has no "anywhere" value.
//   - Amounts are written in major units (domain.Salary holds minor units;
//     meridian.MinorUnits gives the decimals of each currency).
//   - JSON Resume has no place for time zones, working hours, eligible
//     countries, salary floors or skill years: they go under meta.meridian,
//     where the schema allows extra properties, so the formats package's
//     jsonresume decoder reads them back.
//   - CSV text cells that a spreadsheet would run as a formula get a
//     leading apostrophe.
package export
