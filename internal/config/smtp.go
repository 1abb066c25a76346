package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
)

// SMTP TLS modes.
const (
	SMTPTLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which must succeed
	SMTPTLS         = "tls"      // TLS from the first byte (SMTPS, "implicit TLS")
	SMTPTLSNone     = "none"     // no encryption (a local relay or a test server only)
)

// SMTP is the parsed SMTP setting (SMTPURL). The zero value means e-mail
// is off.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	// From is the sender address of every e-mail (the URL's from parameter).
	From string
	// TLS is one of SMTPTLSStartTLS (default for smtp://), SMTPTLS
	// (default for smtps://) and SMTPTLSNone.
	TLS string
}

// Enabled reports whether an SMTP server is configured.
func (s SMTP) Enabled() bool { return s.Host != "" }

// Addr is host:port.
func (s SMTP) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// ParseSMTPURL parses smtp://user:pass@host:port?from=address&tls=mode
// (smtps:// for TLS from the start). Without a port: 465 for tls, 587 for
// starttls, 25 for none. User and password are optional (no
// authentication without them); from is required. "" parses to the zero
// SMTP (e-mail off).
func ParseSMTPURL(raw string) (SMTP, error) {
	if raw == "" {
		return SMTP{}, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return SMTP{}, fmt.Errorf("smtp_url is not a URL")
	}
	var s SMTP
	switch u.Scheme {
	case "smtp":
		s.TLS = SMTPTLSStartTLS
	case "smtps":
		s.TLS = SMTPTLS
	default:
		return SMTP{}, fmt.Errorf("smtp_url must start with smtp:// or smtps://")
	}
	q := u.Query()
	if m := strings.ToLower(q.Get("tls")); m != "" {
		if m != SMTPTLSStartTLS && m != SMTPTLS && m != SMTPTLSNone {
			return SMTP{}, fmt.Errorf("smtp_url: tls must be starttls, tls or none")
		}
		s.TLS = m
	}
	s.Host = u.Hostname()
	if s.Host == "" {
		return SMTP{}, fmt.Errorf("smtp_url needs a host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTP{}, fmt.Errorf("smtp_url: port %q is not a port number", p)
		}
		s.Port = n
	} else {
		s.Port = map[string]int{SMTPTLS: 465, SMTPTLSStartTLS: 587, SMTPTLSNone: 25}[s.TLS]
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	from := q.Get("from")
	if from == "" {
		return SMTP{}, fmt.Errorf("smtp_url needs the sender address: ?from=notifications@example.com")
	}
	a, err := mail.ParseAddress(from)
	if err != nil {
		return SMTP{}, fmt.Errorf("smtp_url: from %q is not an e-mail address", from)
	}
	s.From = a.String()
	return s, nil
}

// SMTP returns the parsed SMTPURL (the zero SMTP when e-mail is off).
func (c *Config) SMTP() (SMTP, error) { return ParseSMTPURL(c.SMTPURL) }

// emailProblems validates the e-mail settings.
func (c *Config) emailProblems() []string {
	var out []string
	if _, err := c.SMTP(); err != nil {
		out = append(out, err.Error())
	}
	if c.EmailDigestHour < 0 || c.EmailDigestHour > 23 {
		out = append(out, "email_digest_hour must be 0 to 23")
	}
	return out
}
