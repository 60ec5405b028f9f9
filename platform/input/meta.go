package input

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fieldKind says how the decoder walks a field.
type fieldKind int

const (
	kindLeaf        fieldKind = iota // json.Unmarshal into the field, then check rules
	kindObject                       // nested struct: walk its fields
	kindMapOfObject                  // map[string]struct: walk each entry's fields
)

// Rules are the validation keywords a DTO field declares in struct tags. The tags are named
// after the OpenAPI/JSON Schema keywords they become in the API document, so the document and
// the validation cannot disagree.
type Rules struct {
	Required  bool
	Nullable  bool
	MinLength *int
	MaxLength *int
	Pattern   *regexp.Regexp
	Minimum   *float64
	Maximum   *float64
	Enum      []string
	Format    string
}

// FieldInfo describes one JSON field of a DTO struct.
type FieldInfo struct {
	Name  string
	Index int
	Type  reflect.Type
	Rules Rules
	kind  fieldKind
	// elem describes the struct inside kindObject and kindMapOfObject fields.
	elem *StructInfo
}

// StructInfo describes a DTO struct: its JSON fields in declaration order.
type StructInfo struct {
	Type   reflect.Type
	Fields []FieldInfo
	byName map[string]int
}

// Field returns the field with the given JSON name.
func (s *StructInfo) Field(name string) (FieldInfo, bool) {
	i, ok := s.byName[name]
	if !ok {
		return FieldInfo{}, false
	}
	return s.Fields[i], true
}

// Inspector computes StructInfo once per type and keeps it. Its zero value is ready to use and
// it is safe for concurrent use.
type Inspector struct {
	cache sync.Map // reflect.Type -> *StructInfo
}

// Struct describes t, which must be a struct type. It panics on a malformed tag: that is a
// programming error that the first test touching the DTO reveals.
func (in *Inspector) Struct(t reflect.Type) *StructInfo {
	if cached, ok := in.cache.Load(t); ok {
		return cached.(*StructInfo) //nolint:forcetypeassert // only *StructInfo is stored
	}
	info := &StructInfo{Type: t, byName: map[string]int{}}
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		fi := FieldInfo{Name: name, Index: i, Type: sf.Type, Rules: parseRules(t, sf)}
		switch {
		case isObject(sf.Type):
			fi.kind, fi.elem = kindObject, in.Struct(sf.Type)
		case sf.Type.Kind() == reflect.Map && isObject(sf.Type.Elem()):
			fi.kind, fi.elem = kindMapOfObject, in.Struct(sf.Type.Elem())
		}
		info.byName[name] = len(info.Fields)
		info.Fields = append(info.Fields, fi)
	}
	actual, _ := in.cache.LoadOrStore(t, info)
	return actual.(*StructInfo) //nolint:forcetypeassert // only *StructInfo is stored
}

// isObject reports whether t is a plain struct the decoder walks field by field (rather than a
// value type with its own JSON decoding, such as time.Time or optional.Field).
func isObject(t reflect.Type) bool {
	if t.Kind() != reflect.Struct || t == reflect.TypeFor[time.Time]() {
		return false
	}
	p := reflect.PointerTo(t)
	return !p.Implements(reflect.TypeFor[json.Unmarshaler]()) &&
		!p.Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
}

// RulesOf reads the validation tags of a struct field (for types that are not decoded by a
// Decoder but share its rules, such as translatable model fields).
func RulesOf(owner reflect.Type, sf reflect.StructField) Rules { return parseRules(owner, sf) }

func parseRules(owner reflect.Type, sf reflect.StructField) Rules {
	tag := sf.Tag
	where := owner.Name() + "." + sf.Name
	r := Rules{
		Required: tag.Get("required") == "true",
		Nullable: tag.Get("nullable") == "true",
		Format:   tag.Get("format"),
	}
	r.MinLength = intTag(where, tag.Get("minLength"))
	r.MaxLength = intTag(where, tag.Get("maxLength"))
	r.Minimum = floatTag(where, tag.Get("minimum"))
	r.Maximum = floatTag(where, tag.Get("maximum"))
	if p := tag.Get("pattern"); p != "" {
		r.Pattern = regexp.MustCompile(p)
	}
	if e := tag.Get("enum"); e != "" {
		r.Enum = strings.Split(e, ",")
	}
	return r
}

func intTag(where, s string) *int {
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(fmt.Sprintf("input: %s: bad integer tag %q", where, s))
	}
	return &n
}

func floatTag(where, s string) *float64 {
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(fmt.Sprintf("input: %s: bad number tag %q", where, s))
	}
	return &f
}
