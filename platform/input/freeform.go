package input

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Limits of free-form JSON values (attributes): how deep they nest and how large they are.
const (
	FreeFormMaxDepth = 10
	FreeFormMaxBytes = 16 << 10
)

// CheckFreeForm checks a free-form JSON object (already known to be valid JSON): at most
// FreeFormMaxDepth levels of nesting, at most FreeFormMaxBytes once compacted, and no NUL in any
// key or string (PostgreSQL's JSONB cannot store one). The error names the offending member by
// its dotted path inside the value.
func CheckFreeForm(raw []byte) *ValueError {
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return &ValueError{Message: "must be valid JSON"}
	}
	if compact.Len() > FreeFormMaxBytes {
		return &ValueError{Message: fmt.Sprintf("must be at most %d bytes of JSON", FreeFormMaxBytes)}
	}
	var v any
	dec := json.NewDecoder(&compact)
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return &ValueError{Message: "must be valid JSON"}
	}
	return checkFreeFormValue(v, "", 1)
}

func checkFreeFormValue(v any, path string, depth int) *ValueError {
	switch x := v.(type) {
	case map[string]any:
		if depth > FreeFormMaxDepth {
			return &ValueError{Path: path, Message: fmt.Sprintf("nests deeper than %d levels", FreeFormMaxDepth)}
		}
		for k, member := range x {
			p := join(path, k)
			if strings.ContainsRune(k, 0) {
				return &ValueError{Path: strings.ReplaceAll(p, "\x00", `\u0000`), Message: "must not contain NUL characters"}
			}
			if err := checkFreeFormValue(member, p, depth+1); err != nil {
				return err
			}
		}
	case []any:
		if depth > FreeFormMaxDepth {
			return &ValueError{Path: path, Message: fmt.Sprintf("nests deeper than %d levels", FreeFormMaxDepth)}
		}
		for i, member := range x {
			if err := checkFreeFormValue(member, join(path, strconv.Itoa(i)), depth+1); err != nil {
				return err
			}
		}
	case string:
		if strings.ContainsRune(x, 0) {
			return &ValueError{Path: path, Message: "must not contain NUL characters"}
		}
	}
	return nil
}
