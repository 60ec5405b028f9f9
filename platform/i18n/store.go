package i18n

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/etag"
	"github.com/erp-foundation/erp/platform/fault"
)

// store reads and writes one table's translations column. Every change is one guarded UPDATE
// (so If-Match is checked in the same statement), which also bumps the row's version and
// updated_at through the table's touch trigger.
type store struct {
	db       *database.DB
	table    string
	notFound error
}

type versioned struct {
	Version      int32
	Translations Translations
}

func (s *store) get(ctx context.Context, id int64) (versioned, error) {
	var v versioned
	err := s.db.QueryRow(ctx, "SELECT version, translations FROM "+s.table+" WHERE id = $1", []any{id},
		&v.Version, &v.Translations)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, s.notFound
	}
	return v, err
}

// put replaces one language's text; an empty set removes the language.
func (s *store) put(ctx context.Context, id int64, lang string, text map[string]string, cond *etag.Match) (versioned, error) {
	raw, err := json.Marshal(text)
	if err != nil {
		return versioned{}, err
	}
	u := database.NewUpdate(s.table)
	if len(text) == 0 {
		u.SetSQL("translations = translations - " + u.Arg(lang) + "::text")
	} else {
		u.SetSQL("translations = jsonb_set(translations, ARRAY[" + u.Arg(lang) + "::text], " + u.Arg(string(raw)) + "::jsonb)")
	}
	return s.update(ctx, id, u, "", cond)
}

// remove deletes one language; a missing translation is a 404.
func (s *store) remove(ctx context.Context, id int64, lang string, cond *etag.Match) error {
	u := database.NewUpdate(s.table)
	u.SetSQL("translations = translations - " + u.Arg(lang) + "::text")
	u.Where("translations -> " + u.Arg(lang) + "::text IS NOT NULL")
	_, err := s.update(ctx, id, u, lang, cond)
	return err
}

// update runs the guarded UPDATE (one statement); when it changes no row it says why:
// missing row, stale version, or (requireLang) no such translation.
func (s *store) update(ctx context.Context, id int64, u *database.Update, requireLang string, cond *etag.Match) (versioned, error) {
	u.Where(cond.Condition(u.Arg))
	q, args := u.SQL(id, "version, translations")
	var out versioned
	n, err := s.db.Change(ctx, q, args, func(row pgx.CollectableRow) error {
		return row.Scan(&out.Version, &out.Translations)
	})
	if err != nil || n == 1 {
		return out, err
	}
	current, err := s.get(ctx, id)
	switch {
	case err != nil:
		return out, err
	case !cond.Allows(current.Version):
		return out, etag.Stale()
	default:
		return out, fault.New(fault.NotFound, "There is no "+requireLang+" translation.")
	}
}
