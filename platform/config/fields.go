package config

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"time"
)

// leaf is one configuration key: its dotted path and the struct field that holds it.
type leaf struct {
	key    string
	value  reflect.Value
	secret bool
}

// leafFields lists the leaf fields of a config struct in declaration order, with their key
// paths built from mapstructure tags.
func leafFields(v reflect.Value, prefix string) []leaf {
	var out []leaf
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		key := f.Tag.Get("mapstructure")
		if prefix != "" {
			key = prefix + "." + key
		}
		fv := v.Field(i)
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[time.Duration]() {
			out = append(out, leafFields(fv, key)...)
			continue
		}
		out = append(out, leaf{key: key, value: fv, secret: f.Tag.Get("secret") == "true"})
	}
	return out
}

// printable renders a leaf's value for `config print`, redacting secrets.
func printable(l leaf) string {
	if l.secret {
		if list, ok := l.value.Interface().([]string); ok {
			out := make([]string, len(list))
			for i, v := range list {
				out[i] = redact(v)
			}
			return strings.Join(out, ",")
		}
		return redact(l.value.String())
	}
	switch val := l.value.Interface().(type) {
	case []string:
		return strings.Join(val, ",")
	case time.Duration:
		return val.String()
	default:
		return fmt.Sprint(val)
	}
}

// redact hides a secret. A URL keeps everything but its password, which helps when checking
// which server a deployment talks to; any other non-empty secret is replaced entirely.
func redact(secret string) string {
	if secret == "" {
		return ""
	}
	if u, err := url.Parse(secret); err == nil && u.Scheme != "" && u.Host != "" {
		if _, hasPassword := u.User.Password(); hasPassword {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		q := u.Query()
		for _, k := range []string{"password", "sslpassword"} {
			if q.Has(k) {
				q.Set(k, "xxxxx")
			}
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	return "[redacted]"
}

// RedactURL returns a database URL with its password hidden, for logs and error messages.
func RedactURL(raw string) string { return redact(raw) }
