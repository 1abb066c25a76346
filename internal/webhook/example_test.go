package webhook_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/meridianhq/meridian/internal/webhook"
)

// A receiver of Meridian's webhooks: one Verifier for the endpoint, the body
// read as bytes (bounded) and verified before it is parsed.
func ExampleVerifier() {
	key, err := webhook.ParseSecret(os.Getenv("MERIDIAN_WEBHOOK_SECRET"))
	if err != nil {
		log.Print(err)
		return
	}
	v := &webhook.Verifier{Secrets: [][]byte{key}}

	http.HandleFunc("POST /webhooks/meridian", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		switch err := v.Verify(r.Header, body); {
		case errors.Is(err, webhook.ErrReplayed):
			w.WriteHeader(http.StatusOK) // already accepted: acknowledge, do nothing
		case err != nil:
			http.Error(w, "invalid webhook", http.StatusBadRequest)
		default:
			// body is authentic and new: parse and handle it.
			w.WriteHeader(http.StatusNoContent)
		}
	})
}

// Signing a message with two secrets during a rotation.
func ExampleHeaders() {
	oldKey, _ := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	newKey, _ := webhook.ParseSecret("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	h, err := webhook.Headers([][]byte{newKey, oldKey}, "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.Get(webhook.HeaderTimestamp))
	fmt.Println(h.Get(webhook.HeaderSignature))
	// Output:
	// 1614265330
	// v1,O4Gjv1HqPqsMrjmczoggs/sWA8gZD0VyHG+fLh4+ktI= v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
}
