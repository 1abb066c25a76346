// Package email sends Meridian's e-mail notifications: job alerts of saved
// searches (one e-mail per match for "instant" alerts, one digest per
// person per day for "daily" ones) and updates on a candidate's own
// applications.
//
// A Worker (NewWorker, Run) runs on the node holding its lease. Each round
// it writes the outbox (table email_outbox, unique by source so that
// writing it again changes nothing):
//
//   - application e-mails from application.stage_changed.v1 events read
//     after a store cursor (CursorApplications), advanced in the same
//     transaction; the recipient is the application's candidate, never
//     anyone else, and a candidate's own move (withdrawing) sends nothing;
//   - instant-alert e-mails from the matches the saved-search projection
//     (internal/alerts) recorded in notifications;
//   - at the digest hour (UTC), one digest per person of the daily-alert
//     matches no digest listed yet (email_digest_items).
//
// E-mail starts when it is first enabled: earlier events and matches are
// never e-mailed (cursors CursorApplications and CursorSince).
//
// Then it sends what is due. Outbox rows hold ids only: the address (from
// the identity store), the names and titles are read when the e-mail is
// sent, so an erased person gets nothing and leaves nothing behind, and an
// alert turned off meanwhile sends nothing (status skipped). Each e-mail
// has a stable Message-ID (its outbox id at the public URL's host), so a
// retry after a crash between sending and recording is recognizable.
// Failures are retried with exponential backoff (30s doubling to 1h, up
// to MaxAttempts); a permanent rejection of the message (5xx to RCPT TO or
// DATA) marks it failed without holding up the others.
//
// Every e-mail has a text and an HTML part (embedded templates; the HTML
// with html/template escaping), links to the web app at the public URL,
// and an unsubscribe link also given as RFC 8058 one-click headers
// (List-Unsubscribe, List-Unsubscribe-Post). Tokens (Tokens) are signed
// with HMAC-SHA256 under a key derived from the master key, versioned, and
// carry ids only: a saved search's id (turning its alert off) or a
// category (CategoryApplications, CategoryDigest) with the person's id.
// Opt-outs are kept in email_optouts and take effect at once.
//
// Errors: NewWorker returns EInvalid for a bad configuration; Verify
// returns EInvalid for any token that does not verify.
package email
