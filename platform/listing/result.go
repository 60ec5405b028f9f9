package listing

// Keyed is implemented by listed rows: the value of a sort field, by API name, for cursors.
type Keyed interface {
	SortValue(field string) any
}

// Result is the list response envelope.
type Result[T any] struct {
	Items      []T    `json:"items"`
	Limit      int    `json:"limit"`
	Offset     int    `json:"offset"`
	NextCursor string `json:"next_cursor,omitempty"`
	Total      *int64 `json:"total,omitempty"`
}

// Finish trims the look-ahead row that Apply fetched and, when it was there, makes the cursor
// for the next page from the last row kept. total is reported only when the request asked.
func Finish[T Keyed](c *Codec, p *Page, rows []T, total int64) Result[T] {
	res := Result[T]{Items: rows, Limit: p.Limit, Offset: p.Offset}
	if res.Items == nil {
		res.Items = []T{}
	}
	if len(rows) > p.Limit {
		res.Items = rows[:p.Limit]
		last := res.Items[p.Limit-1]
		values := make([]any, len(p.Sort))
		for i, k := range p.Sort {
			values[i] = last.SortValue(k.Field.Name)
		}
		res.NextCursor = c.encode(p, values)
	}
	if p.IncludeTotal {
		res.Total = &total
	}
	return res
}

// Map converts a result's items, keeping the paging fields.
func Map[T, U any](r Result[T], convert func(T) U) Result[U] {
	out := Result[U]{Items: make([]U, len(r.Items)), Limit: r.Limit, Offset: r.Offset, NextCursor: r.NextCursor, Total: r.Total}
	for i, item := range r.Items {
		out.Items[i] = convert(item)
	}
	return out
}
