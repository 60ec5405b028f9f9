package listing

import (
	"strings"

	"gorm.io/gorm"
)

// Apply adds the keyset condition, the ORDER BY and LIMIT/OFFSET to a query. It fetches one row
// more than the limit, so Finish can tell whether another page follows.
func (p *Page) Apply(db *gorm.DB) *gorm.DB {
	if p.After != nil {
		cond, args := p.keyset()
		db = db.Where(cond, args...)
	}
	db = db.Order(p.OrderBy()).Limit(p.Limit + 1)
	if p.Offset > 0 {
		db = db.Offset(p.Offset)
	}
	return db
}

// OrderBy is the ORDER BY list of the page ("p.price DESC, p.id DESC"), for queries that must
// repeat it (an outer query around a paged subquery).
func (p *Page) OrderBy() string {
	order := make([]string, len(p.Sort))
	for i, k := range p.Sort {
		order[i] = k.Field.Column + direction(k.Desc)
	}
	return strings.Join(order, ", ")
}

func direction(desc bool) string {
	if desc {
		return " DESC"
	}
	return " ASC"
}

// keyset builds "rows strictly after the cursor row in this order", expanded so that each key
// may have its own direction:
//
//	k1 >= v1 AND (k1 > v1 OR (k1 = v1 AND k2 > v2) OR ...)
//
// The leading k1 >= v1 (or <=) lets the planner use an index on the first sort key.
func (p *Page) keyset() (string, []any) {
	var ors []string
	var args []any
	for i, k := range p.Sort {
		var ands []string
		for j := range i {
			ands = append(ands, p.Sort[j].Field.Column+" = ?")
			args = append(args, p.After[j])
		}
		ands = append(ands, k.Field.Column+cmp(k.Desc, false)+"?")
		args = append(args, p.After[i])
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	first := p.Sort[0]
	lead := first.Field.Column + cmp(first.Desc, true) + "?"
	return lead + " AND (" + strings.Join(ors, " OR ") + ")", append([]any{p.After[0]}, args...)
}

func cmp(desc, inclusive bool) string {
	switch {
	case desc && inclusive:
		return " <= "
	case desc:
		return " < "
	case inclusive:
		return " >= "
	default:
		return " > "
	}
}

// Contains returns a LIKE/ILIKE pattern matching s as a substring, with %, _ and \ in s taken
// literally (the q filter of list endpoints).
func Contains(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}

// Find runs one page of a GORM query: the rows (with the look-ahead row, see Finish) and, when
// the page asks for it, the number of rows matching. query returns a fresh query with the
// model and filters applied each time it is called (the count must not carry the page's
// ORDER BY and LIMIT).
func Find[T any](p *Page, query func() *gorm.DB) ([]T, int64, error) {
	var rows []T
	if err := p.Apply(query()).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	var total int64
	if p.IncludeTotal {
		if err := query().Count(&total).Error; err != nil {
			return nil, 0, err
		}
	}
	return rows, total, nil
}
