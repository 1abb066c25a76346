package domain

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
)

func savedInput(name string) SavedSearchInput {
	return SavedSearchInput{Name: name, Query: json.RawMessage(`{"q":"go","region":"EU"}`)}
}

func TestSavedSearchEvents(t *testing.T) {
	const owner = "user-1"
	s := NewSavedSearches()
	s.root().id = SavedSearchesID(owner)
	if err := s.Create(owner, "ss-1", savedInput("  Go in Europe "), "token-1", now); err != nil {
		t.Fatal(err)
	}
	got, ok := s.Get("ss-1")
	if !ok || got.Name != "Go in Europe" || got.Alert != AlertInstant || got.FeedToken != "token-1" || got.Version != 1 {
		t.Fatalf("created: %+v %v", got, ok)
	}
	ev := s.Pending()[0]
	if ev.Type != SavedSearchCreated || ev.Subject != owner {
		t.Fatalf("event %s subject %q, want %s sealed for %s", ev.Type, ev.Subject, SavedSearchCreated, owner)
	}
	// Name, query and token are personal: never in the public payload.
	for _, secret := range []string{"Go in Europe", "token-1", `"q"`} {
		if strings.Contains(string(ev.Payload), secret) {
			t.Errorf("public payload %s contains %q", ev.Payload, secret)
		}
		if !strings.Contains(string(ev.Personal), secret) {
			t.Errorf("personal part %s lacks %q", ev.Personal, secret)
		}
	}

	// An unchanged update records nothing; a changed one keeps the token
	// unless rotated.
	if err := s.Update("ss-1", savedInput("Go in Europe"), "", now); err != nil || len(s.Pending()) != 1 {
		t.Fatalf("unchanged update: %v, %d events", err, len(s.Pending()))
	}
	in := savedInput("Go, EU")
	in.Alert = AlertDaily
	if err := s.Update("ss-1", in, "", now); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get("ss-1"); got.FeedToken != "token-1" || got.Alert != AlertDaily || got.Version != 2 {
		t.Fatalf("updated: %+v", got)
	}
	if err := s.Update("ss-1", in, "token-2", now); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get("ss-1"); got.FeedToken != "token-2" || got.Version != 3 {
		t.Fatalf("rotated: %+v", got)
	}
	if err := s.MarkRead(owner, nil, true, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(owner, "ss-2", savedInput("Rust"), "token-3", now); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("ss-1", now); err != nil {
		t.Fatal(err)
	}

	// Replaying the events gives the same state.
	r := replay(t, s, NewSavedSearches())
	if r.OwnerID() != owner || r.Len() != 1 {
		t.Fatalf("replayed: owner %q, %d saved searches", r.OwnerID(), r.Len())
	}
	if _, ok := r.Get("ss-1"); ok {
		t.Error("deleted saved search survives replay")
	}
	if got, _ := r.Get("ss-2"); got.Name != "Rust" || got.FeedToken != "token-3" || got.Version != 1 {
		t.Errorf("replayed ss-2: %+v", got)
	}
	var types []string
	for _, e := range s.Pending() {
		types = append(types, e.Type)
	}
	want := []string{SavedSearchCreated, SavedSearchUpdated, SavedSearchUpdated, NotificationsRead, SavedSearchCreated, SavedSearchDeleted}
	if fmt.Sprint(types) != fmt.Sprint(want) {
		t.Errorf("events %v, want %v", types, want)
	}
}

func TestSavedSearchRules(t *testing.T) {
	const owner = "user-1"
	fresh := func() *SavedSearches {
		s := NewSavedSearches()
		s.root().id = SavedSearchesID(owner)
		return s
	}
	invalid := []struct {
		name  string
		in    SavedSearchInput
		field string
	}{
		{"empty name", SavedSearchInput{Name: "  ", Query: json.RawMessage(`{}`)}, "name"},
		{"long name", SavedSearchInput{Name: strings.Repeat("é", MaxSavedSearchName+1), Query: json.RawMessage(`{}`)}, "name"},
		{"bad alert", SavedSearchInput{Name: "x", Query: json.RawMessage(`{}`), Alert: "hourly"}, "alert"},
		{"no query", SavedSearchInput{Name: "x"}, "query"},
		{"query not an object", SavedSearchInput{Name: "x", Query: json.RawMessage(`["go"]`)}, "query"},
		{"query too long", SavedSearchInput{Name: "x", Query: json.RawMessage(`{"q":"` + strings.Repeat("a", MaxSavedSearchQuery) + `"}`)}, "query"},
	}
	for _, c := range invalid {
		t.Run(c.name, func(t *testing.T) {
			err := fresh().Create(owner, "ss", c.in, "tok", now)
			var me *meridian.Error
			if code(err) != meridian.EInvalid || !asErr(err, &me) || me.Fields[c.field] == "" {
				t.Fatalf("err = %v, want invalid on %s", err, c.field)
			}
		})
	}
	t.Run("name of 100 characters", func(t *testing.T) {
		if err := fresh().Create(owner, "ss", SavedSearchInput{Name: strings.Repeat("é", MaxSavedSearchName), Query: json.RawMessage(`{}`)}, "tok", now); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("at most 50 per person", func(t *testing.T) {
		s := fresh()
		for i := range MaxSavedSearches {
			if err := s.Create(owner, fmt.Sprint("ss-", i), savedInput("search"), "tok", now); err != nil {
				t.Fatalf("saved search %d: %v", i+1, err)
			}
		}
		if err := s.Create(owner, "one-too-many", savedInput("search"), "tok", now); code(err) != meridian.ERule {
			t.Fatalf("51st saved search: %v, want rule", err)
		}
		if err := s.Delete("ss-0", now); err != nil {
			t.Fatal(err)
		}
		if err := s.Create(owner, "after-delete", savedInput("search"), "tok", now); err != nil {
			t.Fatalf("after deleting one: %v", err)
		}
	})
	t.Run("unknown ids", func(t *testing.T) {
		s := fresh()
		if err := s.Update("nope", savedInput("x"), "", now); code(err) != meridian.ENotFound {
			t.Errorf("update: %v", err)
		}
		if err := s.Delete("nope", now); code(err) != meridian.ENotFound {
			t.Errorf("delete: %v", err)
		}
	})
	t.Run("mark read", func(t *testing.T) {
		s := fresh()
		if err := s.MarkRead(owner, nil, false, now); code(err) != meridian.EInvalid {
			t.Errorf("nothing to mark: %v", err)
		}
		if err := s.MarkRead(owner, []string{"not-an-id"}, false, now); code(err) != meridian.EInvalid {
			t.Errorf("bad id: %v", err)
		}
		if err := s.MarkRead(owner, []string{meridian.NewID()}, false, now); err != nil {
			t.Errorf("one id: %v", err)
		}
	})
	t.Run("erased owner", func(t *testing.T) {
		s := fresh()
		if err := s.Create(owner, "ss", savedInput("Go"), "tok", now); err != nil {
			t.Fatal(err)
		}
		ev := s.Pending()[0]
		history := []eventstore.Event{{ID: ev.ID, Type: ev.Type, Version: 1, Payload: ev.Payload, Subject: ev.Subject, Erased: true}}
		r := NewSavedSearches()
		if err := Load(r, s.ID(), history); err != nil {
			t.Fatal(err)
		}
		got, ok := r.Get("ss")
		if !ok || !got.Erased || got.Name != "" || got.FeedToken != "" || got.Query != nil {
			t.Fatalf("erased saved search: %+v", got)
		}
		if err := r.Update("ss", savedInput("Go"), "", now); code(err) != meridian.ERule {
			t.Errorf("update of an erased saved search: %v, want rule", err)
		}
		if err := r.Delete("ss", now); err != nil {
			t.Errorf("delete of an erased saved search: %v", err)
		}
	})
}
