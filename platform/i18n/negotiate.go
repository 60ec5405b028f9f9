package i18n

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Negotiate picks the response language: the ?lang= value when it names a supported language
// (directly or through its primary subtag: fr-CA -> fr), else the best supported entry of the
// Accept-Language header by q-value (q=0 excludes a language, * means the default, a malformed
// header is ignored), else the default. Language tags are case-insensitive.
func (t *Translator) Negotiate(langParam, acceptLanguage string) string {
	if lang, ok := t.match(langParam); ok {
		return lang
	}
	for _, choice := range parseAcceptLanguage(acceptLanguage) {
		if choice.tag == "*" {
			return t.def
		}
		if lang, ok := t.match(choice.tag); ok {
			return lang
		}
	}
	return t.def
}

// match maps a language tag to a supported language: the tag itself, else its primary subtag.
func (t *Translator) match(tag string) (string, bool) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if tag == "" || !validTag(tag) {
		return "", false
	}
	if t.Supported(tag) {
		return tag, true
	}
	primary, _, _ := strings.Cut(tag, "-")
	if t.Supported(primary) {
		return primary, true
	}
	return "", false
}

// validTag checks the shape of a lower-cased BCP 47 tag: letters, then alphanumeric subtags,
// each 1-8 characters.
func validTag(tag string) bool {
	for i, sub := range strings.Split(tag, "-") {
		if len(sub) < 1 || len(sub) > 8 {
			return false
		}
		for j := range len(sub) {
			c := sub[j]
			letter := c >= 'a' && c <= 'z'
			if !letter && (i == 0 || c < '0' || c > '9') {
				return false
			}
		}
	}
	return true
}

type weighted struct {
	tag string
	q   float64
}

// parseAcceptLanguage returns the acceptable tags, best first (stable for equal q), without
// those given q=0. A malformed header yields nothing.
func parseAcceptLanguage(header string) []weighted {
	header = strings.TrimSpace(header)
	if header == "" {
		return nil
	}
	var out []weighted
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		tag, params, _ := strings.Cut(part, ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		if tag != "*" && !validTag(tag) {
			return nil
		}
		q := 1.0
		if params != "" {
			name, value, ok := strings.Cut(strings.TrimSpace(params), "=")
			v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if !ok || strings.TrimSpace(name) != "q" || err != nil || v < 0 || v > 1 {
				return nil
			}
			q = v
		}
		if q > 0 {
			out = append(out, weighted{tag: tag, q: q})
		}
	}
	slices.SortStableFunc(out, func(a, b weighted) int { return cmp.Compare(b.q, a.q) })
	return out
}
