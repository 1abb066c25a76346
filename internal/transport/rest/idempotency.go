package rest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store"
)

// idempotencyTTL is how long a key's response is kept for replay.
const idempotencyTTL = 24 * time.Hour

// captureWriter passes a response through while keeping a copy.
type captureWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *captureWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *captureWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

// replayedHeaders are the response headers stored with a key.
var replayedHeaders = []string{"Content-Type", "Location", "ETag"}

// idempotency implements Idempotency-Key for POST (IETF
// draft-ietf-httpapi-idempotency-key-header): the first request with a key
// runs and its response is stored; a repeat with the same body gets the
// stored response (Idempotent-Replayed: true); a repeat with another body
// gets 422; a repeat while the first is still running waits for it, so that
// concurrent duplicates cause one side effect. Keys are scoped to the
// principal and the path. 5xx responses are not stored, so retries run again.
func (s *Server) idempotency(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if r.Method != http.MethodPost || key == "" {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 255 {
			writeProblem(w, newProblem(http.StatusBadRequest, meridian.EInvalid, "Idempotency-Key must be at most 255 characters"))
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.BodyLimit+1))
		if err != nil {
			writeProblem(w, newProblem(http.StatusBadRequest, meridian.EInvalid, "cannot read the request body"))
			return
		}
		if int64(len(body)) > s.cfg.BodyLimit {
			writeProblem(w, newProblem(http.StatusRequestEntityTooLarge, meridian.ETooLarge, "request body is larger than the limit"))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		ctx := r.Context()
		p := meridian.PrincipalFrom(ctx)
		scope := p.ID + " " + r.URL.Path + " " + key
		sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
		hash := hex.EncodeToString(sum[:])

		rec, claimed, err := s.cfg.DB.ClaimIdempotencyKey(ctx, scope, hash, idempotencyTTL)
		if err != nil {
			s.fail(ctx, err)
			writeProblem(w, newProblem(http.StatusInternalServerError, meridian.EInternal, "An internal error has occurred."))
			return
		}
		if !claimed {
			s.replay(ctx, w, scope, hash, rec)
			return
		}
		cw := &captureWriter{ResponseWriter: w}
		completed := false
		defer func() {
			if !completed {
				// Panicked or failed: let a retry run again.
				_ = s.cfg.DB.ReleaseIdempotencyKey(context.WithoutCancel(ctx), scope)
			}
		}()
		next.ServeHTTP(cw, r)
		if cw.status >= 500 || cw.status == 0 {
			return
		}
		hdr := map[string]string{}
		for _, h := range replayedHeaders {
			if v := cw.Header().Get(h); v != "" {
				hdr[h] = v
			}
		}
		hb, _ := json.Marshal(hdr)
		if err := s.cfg.DB.CompleteIdempotencyKey(context.WithoutCancel(ctx), scope, cw.status, string(hb), cw.body.Bytes()); err != nil {
			s.cfg.Log.Error("store idempotent response", "err", err, "request_id", requestID(ctx))
			return
		}
		completed = true
	})
}

func (s *Server) replay(ctx context.Context, w http.ResponseWriter, scope, hash string, rec *store.IdempotencyRecord) {
	if rec.RequestHash != hash {
		writeProblem(w, newProblem(http.StatusUnprocessableEntity, meridian.EIdempotencyKey, "this Idempotency-Key was already used with a different request body"))
		return
	}
	for rec.State == "pending" {
		select {
		case <-ctx.Done():
			writeProblem(w, newProblem(http.StatusConflict, meridian.EConflict, "a request with this Idempotency-Key is still being processed; retry later"))
			return
		case <-time.After(20 * time.Millisecond):
		}
		next, err := s.cfg.DB.IdempotencyRecord(ctx, scope)
		if err != nil {
			writeProblem(w, problemFor(err))
			return
		}
		if next == nil { // the first request failed and released the key
			writeProblem(w, newProblem(http.StatusConflict, meridian.EConflict, "the first request with this Idempotency-Key failed; retry with the same key"))
			return
		}
		rec = next
	}
	if rec.RequestHash != hash {
		writeProblem(w, newProblem(http.StatusUnprocessableEntity, meridian.EIdempotencyKey, "this Idempotency-Key was already used with a different request body"))
		return
	}
	var hdr map[string]string
	_ = json.Unmarshal([]byte(rec.Headers), &hdr)
	for k, v := range hdr {
		w.Header().Set(k, v)
	}
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(rec.Status)
	_, _ = w.Write(rec.Body)
}
