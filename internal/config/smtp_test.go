package config_test

import (
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/config"
)

func TestParseSMTPURL(t *testing.T) {
	ok := []struct {
		in   string
		want config.SMTP
	}{
		{"", config.SMTP{}},
		{"smtp://user:p%40ss@mail.example.com?from=jobs@example.com",
			config.SMTP{Host: "mail.example.com", Port: 587, Username: "user", Password: "p@ss", From: "<jobs@example.com>", TLS: config.SMTPTLSStartTLS}},
		{"smtps://mail.example.com?from=Meridian%20%3Cjobs@example.com%3E",
			config.SMTP{Host: "mail.example.com", Port: 465, From: `"Meridian" <jobs@example.com>`, TLS: config.SMTPTLS}},
		{"smtp://127.0.0.1:2525?tls=none&from=a@b.test",
			config.SMTP{Host: "127.0.0.1", Port: 2525, From: "<a@b.test>", TLS: config.SMTPTLSNone}},
		{"smtp://mail.example.com:25?tls=TLS&from=a@b.test",
			config.SMTP{Host: "mail.example.com", Port: 25, From: "<a@b.test>", TLS: config.SMTPTLS}},
	}
	for _, c := range ok {
		got, err := config.ParseSMTPURL(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseSMTPURL(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{
		"mail.example.com", "http://mail.example.com?from=a@b.test", "smtp://mail.example.com",
		"smtp://mail.example.com?from=nobody", "smtp://?from=a@b.test", "smtp://h:99999?from=a@b.test",
		"smtp://h?from=a@b.test&tls=ssl",
	} {
		if _, err := config.ParseSMTPURL(bad); err == nil {
			t.Errorf("ParseSMTPURL(%q) accepted", bad)
		}
	}
	c := config.Defaults()
	if c.EmailDigestHour != 8 || c.SMTPURL != "" {
		t.Errorf("defaults: hour %d, url %q", c.EmailDigestHour, c.SMTPURL)
	}
	c.SMTPURL, c.EmailDigestHour = "smtp://h", 24
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "from=") || !strings.Contains(err.Error(), "email_digest_hour") {
		t.Errorf("Validate: %v", err)
	}
}
