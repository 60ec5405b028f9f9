package httperr

// Constraint describes a named database constraint for clients: the field it guards and what
// a violation means. Modules list theirs; main.go merges them into one Registry.
type Constraint struct {
	// Name is the constraint or unique index name as Postgres reports it.
	Name string
	// Field is the JSON path of the request field the constraint guards ("" when none).
	Field string
	// Message is the detail for a violation by an insert or update ("SKU already exists.").
	Message string
	// InUseMessage is the detail when a delete is refused because rows still reference the
	// row (foreign keys only): "Category is still used by products."
	InUseMessage string
}

// Registry finds constraints by name. It is built once at start and only read afterwards.
type Registry struct {
	byName map[string]Constraint
}

// NewRegistry indexes the given constraints; a later entry with the same name wins.
func NewRegistry(lists ...[]Constraint) *Registry {
	r := &Registry{byName: make(map[string]Constraint)}
	for _, list := range lists {
		for _, c := range list {
			r.byName[c.Name] = c
		}
	}
	return r
}

// Lookup returns the constraint registered under name.
func (r *Registry) Lookup(name string) (Constraint, bool) {
	if r == nil {
		return Constraint{}, false
	}
	c, ok := r.byName[name]
	return c, ok
}
