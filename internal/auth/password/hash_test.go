package password

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// cheap hashes fast, for the tests that are about format, not cost.
var cheap = NewHasher(Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})

func TestHashVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	const pw = "correct horse battery staple"
	h, err := Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Fatalf("hash %q does not have the PHC prefix of DefaultParams", h)
	}
	if strings.Contains(h, pw) {
		t.Fatal("the hash contains the password")
	}
	ok, err := Verify(pw, h)
	if err != nil || !ok {
		t.Fatalf("Verify(right password) = %v, %v; want true", ok, err)
	}
	ok, err = Verify(pw+"!", h)
	if err != nil || ok {
		t.Fatalf("Verify(wrong password) = %v, %v; want false", ok, err)
	}
	h2, err := Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	if h2 == h {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
}

func TestVerifyWrongPasswords(t *testing.T) {
	t.Parallel()
	h, err := cheap.Hash("Tr0ub4dor&3 is not it")
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"", "tr0ub4dor&3 is not it", "Tr0ub4dor&3 is not it ", "Tr0ub4dor&3 is not i", strings.Repeat("x", MaxInputBytes+1)} {
		if ok, err := cheap.Verify(pw, h); ok || err != nil {
			t.Errorf("Verify(%.20q…) = %v, %v; want false, nil", pw, ok, err)
		}
	}
}

func TestVerifyNormalizesUnicode(t *testing.T) {
	t.Parallel()
	composed, decomposed := "caf\u00e9 au lait, s'il vous pla\u00eet", "cafe\u0301 au lait, s'il vous plai\u0302t"
	h, err := cheap.Hash(composed)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := cheap.Verify(decomposed, h); !ok || err != nil {
		t.Fatalf("the decomposed spelling did not verify: %v, %v", ok, err)
	}
}

func TestVerifyTamperedHash(t *testing.T) {
	t.Parallel()
	const pw = "a perfectly fine password"
	h, err := cheap.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(h, "$") // "", argon2id, v=19, m=..,t=..,p=.., salt, hash
	join := func(edit func(p []string)) string {
		p := slices.Clone(parts)
		edit(p)
		return strings.Join(p, "$")
	}
	flip := func(s string) string { // change one base64 character, keeping it valid
		b := []byte(s)
		if b[3] == 'A' {
			b[3] = 'B'
		} else {
			b[3] = 'A'
		}
		return string(b)
	}
	// Still well-formed, but no longer this password's hash: false, nil.
	for name, enc := range map[string]string{
		"hash changed":  join(func(p []string) { p[5] = flip(p[5]) }),
		"salt changed":  join(func(p []string) { p[4] = flip(p[4]) }),
		"time changed":  join(func(p []string) { p[3] = "m=1024,t=2,p=1" }),
		"lanes changed": join(func(p []string) { p[3] = "m=1024,t=1,p=2" }),
	} {
		if ok, err := cheap.Verify(pw, enc); ok || err != nil {
			t.Errorf("%s: Verify = %v, %v; want false, nil", name, ok, err)
		}
	}
	// Not a hash Verify accepts: false, ErrMalformedHash.
	for name, enc := range map[string]string{
		"empty":            "",
		"bcrypt":           "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":          join(func(p []string) { p[1] = "argon2i" }),
		"version 16":       join(func(p []string) { p[2] = "v=16" }),
		"missing field":    strings.Join(parts[:5], "$"),
		"extra field":      h + "$x",
		"params reordered": join(func(p []string) { p[3] = "t=1,m=1024,p=1" }),
		"leading zero":     join(func(p []string) { p[3] = "m=01024,t=1,p=1" }),
		"signed":           join(func(p []string) { p[3] = "m=+1024,t=1,p=1" }),
		"memory huge":      join(func(p []string) { p[3] = "m=4294967295,t=1,p=1" }),
		"memory tiny":      join(func(p []string) { p[3] = "m=4,t=1,p=1" }),
		"time zero":        join(func(p []string) { p[3] = "m=1024,t=0,p=1" }),
		"time huge":        join(func(p []string) { p[3] = "m=1024,t=1000,p=1" }),
		"lanes zero":       join(func(p []string) { p[3] = "m=1024,t=1,p=0" }),
		"lanes 256":        join(func(p []string) { p[3] = "m=4096,t=1,p=256" }),
		"salt not base64":  join(func(p []string) { p[4] = "!!" + p[4][2:] }),
		"salt padded":      join(func(p []string) { p[4] += "==" }),
		"salt short":       join(func(p []string) { p[4] = p[4][:8] }),
		"hash short":       join(func(p []string) { p[5] = p[5][:12] }),
		// 43 base64 characters cut to 41: a length no base64 text can have. (Cut
		// to 42, it still decodes to 31 bytes whenever the spare bits of the
		// new last character happen to be zero, one time in sixteen.)
		"hash truncated":    join(func(p []string) { p[5] = p[5][:len(p[5])-2] }),
		"no leading dollar": strings.TrimPrefix(h, "$"),
	} {
		ok, err := cheap.Verify(pw, enc)
		if ok || !errors.Is(err, ErrMalformedHash) {
			t.Errorf("%s: Verify = %v, %v; want false, ErrMalformedHash", name, ok, err)
		}
		if !cheap.NeedsRehash(enc) {
			t.Errorf("%s: NeedsRehash = false for an unreadable hash", name)
		}
	}
}

func TestNeedsRehash(t *testing.T) {
	t.Parallel()
	old, err := cheap.Hash("an older hash of mine")
	if err != nil {
		t.Fatal(err)
	}
	if cheap.NeedsRehash(old) {
		t.Fatal("NeedsRehash is true for the Hasher's own parameters")
	}
	if !NeedsRehash(old) {
		t.Fatal("NeedsRehash is false for a hash with weaker parameters than DefaultParams")
	}
	// Old hashes still verify, with their own parameters.
	if ok, err := Verify("an older hash of mine", old); !ok || err != nil {
		t.Fatalf("Verify(old hash) = %v, %v", ok, err)
	}
	longerKey := NewHasher(Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 64})
	if !longerKey.NeedsRehash(old) {
		t.Fatal("NeedsRehash is false after a key length change")
	}
	current, err := Hash("a current hash")
	if err != nil {
		t.Fatal(err)
	}
	if NeedsRehash(current) {
		t.Fatal("NeedsRehash is true for a hash with DefaultParams")
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestDummyVerifyCostsLikeVerify is not parallel, so that the package's
// other tests do not run beside it. It interleaves the two measurements so
// that load from elsewhere affects both alike, logs the medians, and fails
// only when they are a factor 5 apart: a DummyVerify that skipped the
// argon2id work would be ~10⁴ times faster.
func TestDummyVerifyCostsLikeVerify(t *testing.T) {
	h, err := Hash("the account's real password")
	if err != nil {
		t.Fatal(err)
	}
	var verify, dummy []time.Duration
	for i := 0; i < 7; i++ {
		start := time.Now()
		if _, err := Verify("a guess at the password", h); err != nil {
			t.Fatal(err)
		}
		verify = append(verify, time.Since(start))
		start = time.Now()
		DummyVerify("a guess at the password")
		dummy = append(dummy, time.Since(start))
	}
	mv, md := median(verify), median(dummy)
	t.Logf("median of 7: Verify %v, DummyVerify %v (ratio %.2f); Verify samples %v", mv, md, float64(md)/float64(mv), verify)
	if md*5 < mv || md > mv*5 {
		t.Fatalf("DummyVerify (%v) does not cost about what Verify (%v) costs", md, mv)
	}
}

// TestHashCost logs what one Hash with DefaultParams costs here.
func TestHashCost(t *testing.T) {
	var ds []time.Duration
	for i := 0; i < 5; i++ {
		start := time.Now()
		if _, err := Hash("measure me, please"); err != nil {
			t.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	t.Logf("Hash with DefaultParams (m=%d KiB, t=%d, p=%d): median %v, min %v, max %v",
		DefaultParams.Memory, DefaultParams.Time, DefaultParams.Threads, ds[2], ds[0], ds[4])
}

func BenchmarkHash(b *testing.B) {
	for b.Loop() {
		if _, err := Hash("benchmark password"); err != nil {
			b.Fatal(err)
		}
	}
}
