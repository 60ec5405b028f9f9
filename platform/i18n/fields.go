package i18n

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/erp-foundation/erp/platform/input"
)

// TagName is the struct tag that marks a translatable field: i18n:"translatable".
const TagName = "i18n"

// Field is one translatable field of a model.
type Field struct {
	// Name is the column and JSON name ("name", "description").
	Name  string
	index int
	// Nullable is true for optional fields (pointer types).
	Nullable bool
	Rules    input.Rules
}

// modelInfo is what reflection found on a model type.
type modelInfo struct {
	fields       []Field
	translations int // index of the Translations field
}

// Fields lists the translatable fields of model (a struct or a pointer to one).
func (t *Translator) Fields(model any) []Field { return t.info(reflect.TypeOf(model)).fields }

// info inspects a model type once. A model with translatable fields but no Translations field
// is a programming error, reported by panicking the first time the type is used.
func (t *Translator) info(typ reflect.Type) *modelInfo {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if cached, ok := t.models.Load(typ); ok {
		return cached.(*modelInfo) //nolint:forcetypeassert // only *modelInfo is stored
	}
	info := &modelInfo{translations: -1}
	for i := range typ.NumField() {
		sf := typ.Field(i)
		if sf.Type == reflect.TypeFor[Translations]() {
			info.translations = i
		}
		if sf.Tag.Get(TagName) != "translatable" {
			continue
		}
		isString := sf.Type.Kind() == reflect.String
		isPtrString := sf.Type.Kind() == reflect.Pointer && sf.Type.Elem().Kind() == reflect.String
		if !isString && !isPtrString {
			panic(fmt.Sprintf("i18n: %s.%s is tagged translatable but is not a string or *string", typ.Name(), sf.Name))
		}
		info.fields = append(info.fields, Field{
			Name: columnName(sf), index: i, Nullable: isPtrString, Rules: input.RulesOf(typ, sf),
		})
	}
	if len(info.fields) > 0 && info.translations < 0 {
		panic(fmt.Sprintf("i18n: %s has translatable fields but no i18n.Translations field", typ.Name()))
	}
	actual, _ := t.models.LoadOrStore(typ, info)
	return actual.(*modelInfo) //nolint:forcetypeassert // only *modelInfo is stored
}

// columnName is the field's gorm column, or its name in snake case.
func columnName(sf reflect.StructField) string {
	for _, part := range strings.Split(sf.Tag.Get("gorm"), ";") {
		if name, ok := strings.CutPrefix(part, "column:"); ok {
			return name
		}
	}
	var b strings.Builder
	for i, r := range sf.Name {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return strings.ToLower(b.String())
}
