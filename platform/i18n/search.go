package i18n

// Search returns an SQL condition matching an ILIKE pattern against a translatable text column
// of table: the base column, and for a non-default language that language's translation too.
// The translated side is served by the trigram index on i18n_text(translations, '<column>')
// (one index for all languages), then rechecked exactly for the requested language. column is a
// trusted identifier from code, never user input.
func (t *Translator) Search(table, column, lang, pattern string) (string, []any) {
	base := table + "." + column + " ILIKE ?"
	if lang == t.def {
		return base, []any{pattern}
	}
	translated := "(i18n_text(" + table + ".translations, '" + column + "') ILIKE ? AND " +
		table + ".translations -> ?::text ->> '" + column + "' ILIKE ?)"
	return "(" + base + " OR " + translated + ")", []any{pattern, pattern, lang, pattern}
}
