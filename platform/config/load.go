package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
)

// EnvPrefix starts every environment variable that overrides a key.
const EnvPrefix = "ERP"

// Where a key's effective value came from.
const (
	SourceDefault = "default"
	SourceFile    = "file"
	SourceEnv     = "env"
)

// Options says where Load finds configuration.
type Options struct {
	// Defaults is a YAML document holding every key with its default value (the embedded
	// config.yaml). A key that is not in it does not exist.
	Defaults []byte
	// File is a YAML file whose keys override the defaults; empty means none.
	File string
	// FileRequired makes a missing File an error (set when the user named the file).
	FileRequired bool
}

// Entry describes one key of a loaded configuration, for printing.
type Entry struct {
	Key    string
	EnvVar string
	// Value is printable: secrets are redacted.
	Value  string
	Source string
}

// Loaded is a validated configuration and the origin of each of its keys.
type Loaded struct {
	Config  Config
	Entries []Entry
	// FileUsed is the config file that was read, or "" when none was.
	FileUsed string
}

// EnvVar returns the environment variable that overrides key: ERP_ + key upper-cased, dots as _.
func EnvVar(key string) string {
	return EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// Load reads the defaults, the optional file and the environment, decodes every key into a
// Config and validates it. The error names each offending key and the variable that sets it.
func Load(opts Options) (*Loaded, error) {
	defaults := viper.New()
	defaults.SetConfigType("yaml")
	if err := defaults.ReadConfig(bytes.NewReader(opts.Defaults)); err != nil {
		return nil, fmt.Errorf("config: read embedded defaults: %w", err)
	}
	var cfg Config
	leaves := leafFields(reflect.ValueOf(&cfg).Elem(), "")
	if err := sameKeys(defaults.AllKeys(), leaves); err != nil {
		return nil, err
	}

	v := viper.New()
	for _, l := range leaves {
		v.SetDefault(l.key, defaults.Get(l.key))
		if err := v.BindEnv(l.key, EnvVar(l.key)); err != nil {
			return nil, fmt.Errorf("config: bind %s: %w", l.key, err)
		}
	}
	fileUsed, err := readFile(v, opts, leaves)
	if err != nil {
		return nil, err
	}

	loaded := &Loaded{FileUsed: fileUsed}
	var problems []string
	for _, l := range leaves {
		source := sourceOf(v, l.key, fileUsed != "")
		if err := decodeInto(v.Get(l.key), l.value); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v%s", l.key, err, origin(l.key, source)))
			continue
		}
		loaded.Entries = append(loaded.Entries, Entry{
			Key: l.key, EnvVar: EnvVar(l.key), Value: printable(l), Source: source,
		})
	}
	if len(problems) == 0 {
		for _, p := range validate(&cfg) {
			problems = append(problems, p.String()+origin(p.key, sourceOf(v, p.key, fileUsed != "")))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("invalid configuration:\n  %s", strings.Join(problems, "\n  "))
	}
	loaded.Config = cfg
	return loaded, nil
}

// readFile merges the optional config file into v and rejects keys that do not exist.
func readFile(v *viper.Viper, opts Options, leaves []leaf) (string, error) {
	if opts.File == "" {
		return "", nil
	}
	raw, err := os.ReadFile(opts.File)
	if errors.Is(err, fs.ErrNotExist) && !opts.FileRequired {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("config: read %s: %w", opts.File, err)
	}
	file := viper.New()
	file.SetConfigType("yaml")
	if err := file.ReadConfig(bytes.NewReader(raw)); err != nil {
		return "", fmt.Errorf("config: parse %s: %w", opts.File, err)
	}
	known := make(map[string]bool, len(leaves))
	for _, l := range leaves {
		known[l.key] = true
	}
	for _, k := range file.AllKeys() {
		if !known[k] {
			return "", fmt.Errorf("config: %s: unknown key %q", opts.File, k)
		}
	}
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(raw)); err != nil {
		return "", fmt.Errorf("config: parse %s: %w", opts.File, err)
	}
	return opts.File, nil
}

func sourceOf(v *viper.Viper, key string, fileRead bool) string {
	if val, ok := os.LookupEnv(EnvVar(key)); ok && val != "" {
		return SourceEnv
	}
	if fileRead && v.InConfig(key) {
		return SourceFile
	}
	return SourceDefault
}

func origin(key, source string) string {
	switch source {
	case SourceEnv:
		return " (from " + EnvVar(key) + ")"
	case SourceFile:
		return " (from the config file; " + EnvVar(key) + " overrides it)"
	default:
		return " (default; set " + EnvVar(key) + " to override)"
	}
}

// decodeInto converts a raw viper value (YAML scalar, list or environment string) into the
// field's type: durations from "5s", lists from "a,b", numbers and booleans from strings.
func decodeInto(raw any, field reflect.Value) error {
	target := reflect.New(field.Type())
	dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		DecodeHook: mapstructure.ComposeDecodeHookFunc(
			mapstructure.StringToTimeDurationHookFunc(),
			trimmedStringToSlice,
		),
		WeaklyTypedInput: true,
		Result:           target.Interface(),
	})
	if err != nil {
		return err
	}
	if err := dec.Decode(raw); err != nil {
		return errors.New(plainDecodeError(err, field.Type()))
	}
	field.Set(target.Elem())
	return nil
}

// trimmedStringToSlice splits "en, fr" into ["en" "fr"] for list keys set from the environment.
func trimmedStringToSlice(from, to reflect.Type, data any) (any, error) {
	if from.Kind() != reflect.String || to.Kind() != reflect.Slice {
		return data, nil
	}
	s, _ := data.(string)
	if strings.TrimSpace(s) == "" {
		return []string{}, nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts, nil
}

func plainDecodeError(err error, t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int64:
		if t.String() == "time.Duration" {
			return "must be a duration such as 500ms, 5s or 30m"
		}
		return "must be an integer"
	case reflect.Bool:
		return "must be true or false"
	case reflect.Slice:
		return "must be a list"
	default:
		return err.Error()
	}
}

func sameKeys(defaultKeys []string, leaves []leaf) error {
	want := make([]string, 0, len(leaves))
	for _, l := range leaves {
		want = append(want, l.key)
	}
	slices.Sort(want)
	got := slices.Clone(defaultKeys)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		return fmt.Errorf("config: embedded defaults list keys %v but Config declares %v", got, want)
	}
	return nil
}
