package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultsAreValidEmbedded(t *testing.T) {
	c := Defaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if !c.Embedded() || c.Addr != "127.0.0.1:8080" || c.DataDir != "data" || c.NATSReplicas != 1 {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestValidateSaysWhatIsWrong(t *testing.T) {
	c := Defaults()
	c.Addr = "nope"
	c.DatabaseURL = "mysql://x"
	c.DevAuth = true
	c.LogLevel = "loud"
	err := c.Validate()
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, want := range []string{"addr", "postgres://", "dev_auth", "log_level", "master_key"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestMasterKeyKeptInDataDir(t *testing.T) {
	c := Defaults()
	c.DataDir = t.TempDir()
	k1, err := c.MasterKeyBytes()
	if err != nil || len(k1) != 32 {
		t.Fatalf("key %d bytes, %v", len(k1), err)
	}
	k2, _ := c.MasterKeyBytes()
	if string(k1) != string(k2) {
		t.Fatal("master key changed between starts")
	}
	st, _ := os.Stat(filepath.Join(c.DataDir, "master.key"))
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("master.key mode %v", st.Mode().Perm())
	}
}

func TestFileAndRedaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.yaml")
	_ = os.WriteFile(path, []byte("addr: 0.0.0.0:9000\ndatabase_url: postgres://u:secret@db:5432/m?password=x\nno_demo: true\n"), 0o600)
	c := Defaults()
	if err := c.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:9000" || !c.NoDemo {
		t.Fatalf("file not applied: %+v", c)
	}
	r := c.Redacted()
	if strings.Contains(r["database_url"], "secret") || !strings.Contains(r["database_url"], "db:5432") {
		t.Fatalf("redacted %q", r["database_url"])
	}
	_ = os.WriteFile(path, []byte("adress: typo\n"), 0o600)
	if err := c.LoadFile(path); err == nil || !strings.Contains(err.Error(), "adress") {
		t.Fatalf("unknown key: %v", err)
	}
}
