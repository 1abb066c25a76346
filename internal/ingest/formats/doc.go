// Package formats decodes import files into records for the ingest
// pipeline: schema.org JobPosting JSON-LD ("jsonld"), JSON Resume
// ("jsonresume"), CSV with a header row ("csv") and Remote OK's public API
// ("remoteok").
//
// Decoders stream: a JSON array (top level, or the "@graph" of a top-level
// JSON-LD object) is read element by element with encoding/json's
// Decoder.Token, More and Decode; JSON Lines are read line by line; CSV is
// split into records by RFC 4180 quoting and each record parsed with
// encoding/csv. Memory stays bounded by a small multiple of
// Options.MaxRecordBytes whatever the input: a larger record is rejected
// without being held, and the decoder resynchronises after it (next line;
// next array element, found by skipping the bad element without holding
// it; next CSV record).
//
// A record is rejected (Record.Err, the stream goes on) for invalid JSON in
// one line or element, a record over the size limit, a missing required
// field (a job's title, a profile's name) or a field of the wrong type;
// messages name the field or the byte offset and line. Next returns an
// error other than io.EOF only when the stream cannot go on: an
// unreadable input, a truncated file, a JSON document so malformed that the
// end of the bad element cannot be found, or a CSV header without the
// required column. Decoded fields are raw, as found in the file (HTML and
// entities left in): cleaning them is the pipeline's work.
//
// Source ids are stable across re-imports of the same file. JSON Resume
// ids hash the email (or url) instead of carrying it: a source id outlives
// the erasure of the person's data.
package formats
