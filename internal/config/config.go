// Package config is Meridian's configuration: one struct with defaults and
// validation. Only the cli package fills it, from flags, MERIDIAN_*
// environment variables and an optional YAML file, in that order of
// precedence. Zero configuration is valid: it means embedded mode.
package config

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meridianhq/meridian/internal/meridian"
)

// Config is the effective configuration.
type Config struct {
	Addr                 string `yaml:"addr" env:"MERIDIAN_ADDR" usage:"address to listen on" default:"127.0.0.1:8080"`
	DataDir              string `yaml:"data_dir" env:"MERIDIAN_DATA_DIR" usage:"directory for the embedded database, broker and keys" default:"data"`
	DatabaseURL          string `yaml:"database_url" env:"MERIDIAN_DATABASE_URL" usage:"PostgreSQL URL (postgres://...); empty: embedded SQLite" secret:"true"`
	NATSURL              string `yaml:"nats_url" env:"MERIDIAN_NATS_URL" usage:"NATS JetStream URL (nats://...); empty: embedded server" secret:"true"`
	NATSReplicas         int    `yaml:"nats_replicas" env:"MERIDIAN_NATS_REPLICAS" usage:"replicas of the events stream on an external cluster" default:"1"`
	RedisURL             string `yaml:"redis_url" env:"MERIDIAN_REDIS_URL" usage:"Redis URL (redis://...); empty: in-memory cache" secret:"true"`
	WebhooksAllowPrivate bool   `yaml:"webhooks_allow_private" env:"MERIDIAN_WEBHOOKS_ALLOW_PRIVATE" usage:"let webhooks reach private and loopback addresses (local testing only; metadata addresses stay refused)"`
	MQTTURL              string `yaml:"mqtt_url" env:"MERIDIAN_MQTT_URL" usage:"MQTT broker public events are published to (mqtt://host:1883, mqtts://, ws://); empty: none" secret:"true"`
	SMTPURL              string `yaml:"smtp_url" env:"MERIDIAN_SMTP_URL" usage:"SMTP server e-mail notifications are sent through: smtp://user:pass@host:port?from=address&tls=starttls|tls|none (smtps:// means tls); empty: no e-mail" secret:"true"`
	EmailDigestHour      int    `yaml:"email_digest_hour" env:"MERIDIAN_EMAIL_DIGEST_HOUR" usage:"hour of the day (UTC, 0-23) daily alert digests are sent at" default:"8"`
	MasterKey            string `yaml:"master_key" env:"MERIDIAN_MASTER_KEY" usage:"base64 32-byte key wrapping per-person data keys (required with a database URL; embedded mode keeps one in the data dir)" secret:"true"`
	PublicURL            string `yaml:"public_url" env:"MERIDIAN_PUBLIC_URL" usage:"the URL users reach Meridian at (token issuer, sign-in redirects); default http://<addr>"`
	OIDCProviders        string `yaml:"oidc_providers" env:"MERIDIAN_OIDC_PROVIDERS" usage:"JSON list of sign-in providers: [{name, kind: oidc|oauth2, issuer, clientId, clientSecret, scopes, ...}]" secret:"true"`
	SQLiteSync           string `yaml:"sqlite_sync" env:"MERIDIAN_SQLITE_SYNC" usage:"SQLite synchronous mode: full or normal" default:"full"`
	RateLimitIP          int    `yaml:"rate_limit_ip" env:"MERIDIAN_RATE_LIMIT_IP" usage:"requests per second per client address (bursts of 6x); 0 turns the limits off" default:"50"`
	RateLimitPrincipal   int    `yaml:"rate_limit_principal" env:"MERIDIAN_RATE_LIMIT_PRINCIPAL" usage:"requests per second per signed-in user or API key (bursts of 10x)" default:"20"`
	DevAuth              bool   `yaml:"dev_auth" env:"MERIDIAN_DEV_AUTH" usage:"act as a development user (X-Dev-User header); embedded mode only"`
	NoDemo               bool   `yaml:"no_demo" env:"MERIDIAN_NO_DEMO" usage:"do not load the demo data on first start"`
	SearchSnapshot       string `yaml:"search_snapshot" env:"MERIDIAN_SEARCH_SNAPSHOT" usage:"file the node's search index is snapshotted to for fast restarts (default <data_dir>/search.snapshot; \"off\": none)"`
	MarketSnapshot       string `yaml:"market_snapshot" env:"MERIDIAN_MARKET_SNAPSHOT" usage:"file the node's market model is snapshotted to for fast restarts (default <data_dir>/market.snapshot; \"off\": none)"`
	LogLevel             string `yaml:"log_level" env:"MERIDIAN_LOG_LEVEL" usage:"debug, info, warn or error" default:"info"`
	LogFormat            string `yaml:"log_format" env:"MERIDIAN_LOG_FORMAT" usage:"text or json" default:"text"`
}

// MarketSnapshotPath is where the market model snapshot lives ("" for none).
func (c *Config) MarketSnapshotPath() string {
	return c.snapshotPath(c.MarketSnapshot, "market.snapshot")
}

// SearchSnapshotPath is where the search index snapshot lives ("" for none).
func (c *Config) SearchSnapshotPath() string {
	return c.snapshotPath(c.SearchSnapshot, "search.snapshot")
}

// snapshotPath resolves a snapshot setting: "off" none, "" the default
// file in the data directory, else the path given.
func (c *Config) snapshotPath(setting, name string) string {
	switch setting {
	case "off":
		return ""
	case "":
		return filepath.Join(c.DataDir, name)
	}
	return setting
}

// Embedded reports whether Meridian runs on its embedded database.
func (c *Config) Embedded() bool { return c.DatabaseURL == "" }

// Validate checks the configuration and says what to fix.
func (c *Config) Validate() error {
	var problems []string
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		problems = append(problems, fmt.Sprintf("addr %q is not host:port", c.Addr))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		problems = append(problems, "database_url must start with postgres://")
	}
	if c.NATSURL != "" && !strings.HasPrefix(c.NATSURL, "nats://") && !strings.HasPrefix(c.NATSURL, "tls://") {
		problems = append(problems, "nats_url must start with nats:// or tls://")
	}
	if c.MQTTURL != "" && !strings.HasPrefix(c.MQTTURL, "mqtt://") && !strings.HasPrefix(c.MQTTURL, "mqtts://") &&
		!strings.HasPrefix(c.MQTTURL, "tcp://") && !strings.HasPrefix(c.MQTTURL, "ssl://") && !strings.HasPrefix(c.MQTTURL, "ws://") && !strings.HasPrefix(c.MQTTURL, "wss://") {
		problems = append(problems, "mqtt_url must start with mqtt://, mqtts://, tcp://, ssl://, ws:// or wss://")
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		problems = append(problems, "redis_url must start with redis:// or rediss://")
	}
	if c.DevAuth && !c.Embedded() {
		problems = append(problems, "dev_auth is only allowed in embedded mode (no database_url)")
	}
	if !c.Embedded() && c.MasterKey == "" {
		problems = append(problems, "master_key (MERIDIAN_MASTER_KEY) is required with database_url: every node must share it")
	}
	if c.MasterKey != "" {
		if k, err := base64.StdEncoding.DecodeString(c.MasterKey); err != nil || len(k) != 32 {
			problems = append(problems, "master_key must be 32 bytes in standard base64 (e.g. `head -c32 /dev/urandom | base64`)")
		}
	}
	if s := strings.ToLower(c.SQLiteSync); s != "full" && s != "normal" {
		problems = append(problems, "sqlite_sync must be full or normal")
	}
	if _, err := c.SlogLevel(); err != nil {
		problems = append(problems, err.Error())
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		problems = append(problems, "log_format must be text or json")
	}
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "https://") && !strings.HasPrefix(c.PublicURL, "http://") {
		problems = append(problems, "public_url must be an http(s) URL")
	}
	if c.OIDCProviders != "" {
		if _, err := c.Providers(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if c.RateLimitIP < 0 || c.RateLimitPrincipal < 0 {
		problems = append(problems, "rate limits must not be negative")
	}
	if c.NATSReplicas < 1 || c.NATSReplicas > 5 {
		problems = append(problems, "nats_replicas must be 1 to 5")
	}
	problems = append(problems, c.emailProblems()...)
	if len(problems) > 0 {
		return meridian.Errorf(meridian.EInvalid, "configuration: %s", strings.Join(problems, "; "))
	}
	return nil
}

// SlogLevel parses LogLevel.
func (c *Config) SlogLevel() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return l, fmt.Errorf("log_level %q is not debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}

// MasterKeyBytes returns the master key: the configured one, or in embedded
// mode the one kept in DataDir/master.key (created on first use, mode 0600).
func (c *Config) MasterKeyBytes() ([]byte, error) {
	if c.MasterKey != "" {
		return base64.StdEncoding.DecodeString(c.MasterKey)
	}
	if !c.Embedded() {
		return nil, meridian.Errorf(meridian.EInvalid, "MERIDIAN_MASTER_KEY is required with MERIDIAN_DATABASE_URL")
	}
	path := filepath.Join(c.DataDir, "master.key")
	if b, err := os.ReadFile(path); err == nil {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) != 32 {
			return nil, fmt.Errorf("%s is not a base64 32-byte key", path)
		}
		return k, nil
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, err
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if os.IsExist(err) { // another process created it meanwhile
			return c.MasterKeyBytes()
		}
		return nil, err
	}
	defer f.Close()
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n"); err != nil {
		return nil, err
	}
	return k, f.Sync()
}

// Setting describes one configuration field.
type Setting struct {
	Field, YAML, Env, Usage, Default string
	Secret                           bool
	Kind                             reflect.Kind
}

// Settings lists every field with its names and defaults.
func Settings() []Setting {
	t := reflect.TypeOf(Config{})
	out := make([]Setting, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		out = append(out, Setting{
			Field: f.Name, YAML: f.Tag.Get("yaml"), Env: f.Tag.Get("env"), Usage: f.Tag.Get("usage"),
			Default: f.Tag.Get("default"), Secret: f.Tag.Get("secret") == "true", Kind: f.Type.Kind(),
		})
	}
	return out
}

// Set assigns a field from its text form.
func (c *Config) Set(field, value string) error {
	v := reflect.ValueOf(c).Elem().FieldByName(field)
	if !v.IsValid() {
		return fmt.Errorf("unknown setting %s", field)
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(value)
	case reflect.Bool:
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("%s: %q is not true or false", field, value)
		}
		v.SetBool(b)
	case reflect.Int:
		n, err := strconv.Atoi(value)
		if err != nil {
			return fmt.Errorf("%s: %q is not a number", field, value)
		}
		v.SetInt(int64(n))
	}
	return nil
}

// Get returns a field's text form.
func (c *Config) Get(field string) string {
	return fmt.Sprint(reflect.ValueOf(c).Elem().FieldByName(field).Interface())
}

// Defaults returns the zero-configuration settings.
func Defaults() Config {
	var c Config
	for _, s := range Settings() {
		if s.Default != "" {
			_ = c.Set(s.Field, s.Default)
		}
	}
	return c
}

// LoadFile applies a YAML file's settings to c. Unknown keys are errors.
func (c *Config) LoadFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	byYAML := map[string]Setting{}
	for _, s := range Settings() {
		byYAML[s.YAML] = s
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s, ok := byYAML[k]
		if !ok {
			return fmt.Errorf("config file %s: unknown setting %q", path, k)
		}
		if err := c.Set(s.Field, fmt.Sprint(raw[k])); err != nil {
			return fmt.Errorf("config file %s: %w", path, err)
		}
	}
	return nil
}

// Redacted returns the settings as text with secrets hidden.
func (c *Config) Redacted() map[string]string {
	out := map[string]string{}
	for _, s := range Settings() {
		v := c.Get(s.Field)
		if s.Secret && v != "" {
			v = redact(v)
		}
		out[s.YAML] = v
	}
	return out
}

func redact(v string) string {
	if i := strings.Index(v, "://"); i >= 0 {
		// Keep scheme and host so operators can see where it points.
		rest := v[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			rest = "REDACTED@" + rest[at+1:]
		}
		if q := strings.Index(rest, "?"); q >= 0 {
			rest = rest[:q] + "?REDACTED"
		}
		return v[:i+3] + rest
	}
	return "REDACTED"
}

// Provider is one configured sign-in provider.
type Provider struct {
	Name         string   `json:"name"`
	Kind         string   `json:"kind"` // oidc (default) or oauth2
	Issuer       string   `json:"issuer"`
	ClientID     string   `json:"clientId"`
	ClientSecret string   `json:"clientSecret"`
	Scopes       []string `json:"scopes,omitempty"`
	// For oauth2 (GitHub-style) providers, which have no discovery document.
	AuthURL     string `json:"authUrl,omitempty"`
	TokenURL    string `json:"tokenUrl,omitempty"`
	UserInfoURL string `json:"userInfoUrl,omitempty"`
	UserIDField string `json:"userIdField,omitempty"`
	EmailField  string `json:"emailField,omitempty"`
	NameField   string `json:"nameField,omitempty"`
}

// Providers parses OIDCProviders.
func (c *Config) Providers() ([]Provider, error) {
	if strings.TrimSpace(c.OIDCProviders) == "" {
		return nil, nil
	}
	var ps []Provider
	dec := json.NewDecoder(strings.NewReader(c.OIDCProviders))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ps); err != nil {
		return nil, fmt.Errorf("oidc_providers is not a JSON list of providers: %v", err)
	}
	for i, p := range ps {
		if p.Name == "" || p.ClientID == "" {
			return nil, fmt.Errorf("oidc_providers[%d] needs a name and a clientId", i)
		}
	}
	return ps, nil
}

// BaseURL is PublicURL, or http://<addr> when it is not set.
func (c *Config) BaseURL() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	return "http://" + c.Addr
}
