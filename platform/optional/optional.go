// Package optional records whether a JSON field was present, null, or set to a value, which a
// partial update (PATCH) needs: an absent field keeps its value, null clears it, and false, 0
// and "" are real values.
package optional

import (
	"bytes"
	"encoding/json"
	"reflect"
)

// Field is a JSON field of type T whose presence is recorded.
type Field[T any] struct {
	Value T
	// Set is true when the field was in the document (even as null).
	Set bool
	// Null is true when the field was given as null.
	Null bool
}

// Present reports whether the field holds a value (set and not null).
func (f Field[T]) Present() bool { return f.Set && !f.Null }

// Ptr returns nil when the field is absent or null, else a pointer to a copy of its value.
func (f Field[T]) Ptr() *T {
	if !f.Present() {
		return nil
	}
	v := f.Value
	return &v
}

// UnmarshalJSON records presence; null leaves Value at its zero value.
func (f *Field[T]) UnmarshalJSON(b []byte) error {
	f.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		f.Null = true
		var zero T
		f.Value = zero
		return nil
	}
	f.Null = false
	return json.Unmarshal(b, &f.Value)
}

// MarshalJSON writes null for an absent or null field, else the value.
func (f Field[T]) MarshalJSON() ([]byte, error) {
	if !f.Present() {
		return []byte("null"), nil
	}
	return json.Marshal(f.Value)
}

// Interface returns the value as any and whether the field is present; validators use it.
func (f Field[T]) Interface() (any, bool) { return f.Value, f.Present() }

// ElemType is the reflect.Type of T; schema generators use it.
func (f Field[T]) ElemType() reflect.Type { return reflect.TypeFor[T]() }
