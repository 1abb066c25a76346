package rest

import (
	"encoding/json"
	"testing"
)

// A frame assembled by hand is the JSON the protocol documents, whatever
// the channel name holds.
func TestAppendMessageFrame(t *testing.T) {
	for _, c := range []struct{ id, channel, data string }{
		{"12", "jobs.new", `{"id":"x"}`},
		{"12.3", "org.0190f6a2-7c1e-7b3d-9a4f-1d2e3f4a5b6c.applications", `{"a":[1,2]}`},
		{"", "market.ticks", `{}`},
		{"7", "odd \"name\" <&> \\ é\n", `null`},
	} {
		b := appendMessageFrame(nil, c.id, c.channel, []byte(c.data))
		var got wsOut
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if got.Type != "message" || got.ID != c.id || got.Channel != c.channel || string(got.Data) != c.data {
			t.Errorf("%s decodes to %+v", b, got)
		}
	}
}
