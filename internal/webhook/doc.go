// Package webhook signs and verifies outgoing webhooks in the Standard
// Webhooks format (https://www.standardwebhooks.com/, specification 1.0.0,
// symmetric scheme).
//
// A webhook is an HTTP POST whose body is the payload and whose headers are
//
//	webhook-id:        the message id, the same for every retry of one event
//	webhook-timestamp: the attempt's time, integer Unix seconds
//	webhook-signature: a space-separated list of "v1,<base64 signature>"
//
// where each signature is HMAC-SHA256, keyed by one of the endpoint's
// secrets, over the bytes "<id>.<timestamp>.<body>". Secrets are shown to
// people as "whsec_" followed by the standard base64 encoding of the key.
// Signing with several secrets at once (Sign, Headers) is how a secret is
// rotated without downtime: during the overlap the header carries one
// signature per secret, and a receiver that knows any one of them accepts.
//
// Verifier is the receiving side, the reference for how receivers verify
// Meridian's webhooks (docs/WEBHOOKS.md): it checks the headers, the
// timestamp against a tolerance (5 minutes by default), the signatures with
// constant-time comparison, and refuses a message id it has already
// accepted (ReplayCache). Each failure is a distinct sentinel error. Any
// Standard Webhooks library verifies the same messages.
//
// Message ids must not contain '.', whitespace or control characters; the
// timestamp is decimal digits only. With both, "<id>.<timestamp>.<body>" can
// be split in only one way, so a signature for one (id, timestamp, body)
// cannot be reused for another.
//
// The package only signs and verifies; delivering (retries, the HTTP client,
// SSRF protection — see package safehttp) is done elsewhere.
package webhook
