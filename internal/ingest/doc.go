// Package ingest is Meridian's one import pipeline. Every format (schema.org
// JobPosting JSON-LD, JSON Resume, CSV with a column mapping, Remote OK's
// API format and Hacker News "Who is hiring?" posts) is decoded as a
// stream of records (package formats), each record is cleaned and turned
// into structured data (package fields for salary, location, time zone,
// seniority and employment type; package skills for the skills), and the
// results are written in batches through the application layer, which
// authorizes them and appends their events.
//
// Imports are idempotent: a posting's id is derived from its organization
// and a key made of its normalized title and where it may be done from, so
// that re-importing a file creates nothing new and a near-duplicate repost
// (the same role posted again, under a new source id) merges into the
// posting it repeats. A bad record never stops an import: it is reported
// with its record number, line, source id and reason, and nothing stored is
// touched by it.
//
// Errors: Run returns an error only when the stream itself cannot be read
// on or the store fails; per-record problems are in Report.Rejections.
package ingest
