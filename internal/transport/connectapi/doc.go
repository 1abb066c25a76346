// Package connectapi is Meridian's gRPC transport, served with
// connectrpc.com/connect so that the same handlers speak gRPC, gRPC-Web and
// the Connect protocol (JSON or binary; unary reads also over HTTP GET).
// The services are defined in proto/meridian/v1 and generated into
// internal/gen/meridian/v1.
//
// Like the REST transport it is a thin adapter: every method decodes its
// request, calls the application layer (*app.App) with the principal the
// HTTP middleware put in the context, and encodes the answer. The App makes
// every authorization decision. Errors go through one table (Code):
// *meridian.Error codes become gRPC status codes, and only internal errors
// are logged, their detail never sent.
//
// LiveService streams the node's live channels (internal/realtime) to
// gRPC clients: Watch for a fixed set of channels, Subscribe for a set the
// client changes while it listens.
//
// The handlers are mounted on the node's HTTP server (New returns them by
// path prefix, with gRPC health checking and server reflection); gRPC
// needs HTTP/2, which the server offers over cleartext with
// http.Server.Protocols (HTTP1 and UnencryptedHTTP2).
package connectapi
